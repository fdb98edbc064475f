"""Shared cast and builders for the needs tests: people, needs in a given state, and a snapshot of everything
a refused transition must leave alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from baodao.accounts.models import User
from baodao.audit.models import AuditEvent
from baodao.ledger.models import ServiceRecord
from baodao.members.models import Member
from baodao.needs.models import Claim, Kind, Need, NeedEvent
from baodao.needs.services import (
    need_claim,
    need_close,
    need_complete,
    need_confirm,
    need_decline,
    need_dispute,
    need_merge,
    need_publish,
    need_submit,
)
from baodao.notify.models import Notice
from tests import factories
from tests.factories import World, registered

CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Cast:
    w: World
    admin: User
    resident: User
    grid_worker: User
    street_admin: User
    district_admin: User
    other_community_admin: User
    far_community_admin: User
    unit_admin: User
    other_unit_admin: User
    member: Member
    helper: Member
    other_member: Member

    def r(self, code: str) -> Any:
        return self.w.r(code)


def cast_of(w: World) -> Cast:
    admin = w.users["community_admin"]
    registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=admin)
    helper = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G2"), name="赵强")
    registered(helper, w.r("C1"), w.r("C1G2"), by=admin)
    return Cast(
        w=w,
        admin=admin,
        resident=w.users["resident"],
        grid_worker=w.users["grid_worker"],
        street_admin=w.users["street_admin"],
        district_admin=w.users["district_admin"],
        other_community_admin=w.users["other_community_admin"],
        far_community_admin=w.users["far_community_admin"],
        unit_admin=w.users["unit_admin"],
        other_unit_admin=w.users["other_unit_admin"],
        member=w.members["member"],
        helper=helper,
        other_member=w.members["other_member"],
    )


def member_in(
    c: Cast, name: str, *, community: str = "C1", grid: str = "C1G1", register: bool = True
) -> Member:
    m = factories.member(c.w.units["U1"], community=c.r(community), grid=c.r(grid), name=name)
    if register:
        admin = c.admin if community == "C1" else c.other_community_admin
        registered(m, c.r(community), c.r(grid), by=admin)
    return m


def wish(c: Cast, *, title: str = "修水龙头", kind: str = Kind.WISH, **kwargs: Any) -> Need:
    """A resident's wish (or request), submitted and waiting for vetting."""
    fields: dict[str, Any] = {"category": "repair", "community": c.r("C1"), "grid": c.r("C1G1")}
    fields.update(kwargs)
    return need_submit(
        actor=c.resident, kind=kind, title=title, address="1栋1单元101", contact_phone="13700000001", **fields
    )


def task(c: Cast, *, places: int = 5, publish: bool = True, title: str = "楼道大扫除", **kwargs: Any) -> Need:
    """The community's own task, published at once unless told otherwise."""
    return need_submit(
        actor=c.admin,
        kind=Kind.TASK,
        title=title,
        category="environment",
        community=c.r("C1"),
        places=places,
        publish=publish,
        **kwargs,
    )


#: the states a single-place wish passes through, and how to bring one there (member = the claimer)
NEED_STATES = (
    "submitted",
    "published",
    "in_progress",
    "completed",
    "disputed",
    "closed",
    "terminated",
    "declined",
    "merged",
)


def wish_in(c: Cast, state: str) -> Need:
    need = wish(c)
    if state == "declined":
        need_decline(actor=c.admin, need=need, reason="不属于社区职责")
    elif state == "merged":
        need_merge(actor=c.admin, need=need, into=wish(c, title="同一个水龙头"))
    elif state != "submitted":
        need_publish(actor=c.admin, need=need)
        if state != "published":
            need_claim(actor=c.member.user, need=need)
        if state == "terminated":  # the community stops it while the member holds the place
            need_close(actor=c.admin, need=need, reason="居民已搬走")
        if state in ("completed", "disputed", "closed"):
            need_complete(actor=c.member.user, need=need, note="换了阀芯", hours="1.5")
        if state == "disputed":
            need_dispute(actor=c.resident, need=need, reason="还在漏水")
        if state == "closed":
            need_confirm(actor=c.resident, need=need, rating=5)
    need.refresh_from_db()
    assert need.status == state, (need.status, state)
    return need


def snapshot(need: Need) -> dict[str, Any]:
    """Everything a transition may touch: the need's row, its claims, its timeline, the ledger, the inbox and
    the audit log."""
    row = Need.objects.filter(pk=need.pk).values().get()
    row.pop("updated_at")
    return {
        "need": row,
        "claims": list(Claim.objects.filter(need_id=need.pk).order_by("pk").values()),
        "events": NeedEvent.objects.filter(need_id=need.pk).count(),
        "records": ServiceRecord.objects.count(),
        "notices": Notice.objects.count(),
        "audit": AuditEvent.objects.count(),
        "needs": Need.objects.count(),
    }
