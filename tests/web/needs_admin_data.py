"""Needs in every state, made through the services, for the community's, grid's and street's needs pages.

`ledger(w)` gives, in C1 (with the world's member 李明 registered there, grid C1G1):
- `fixed`: the resident's wish 修水龙头 (C1G1) — published, claimed, done and confirmed with 5 stars and a
  comment: closed, one ledger row;
- `lamp`: the resident's request 楼道灯坏了 (C1G2), waiting to be vetted;
- `late`: the resident's request 小区积水, waiting to be vetted past its time to answer (overdue), escalated;
- `escort`: 陪老人就医, taken down by the grid worker for 孙奶奶 (no account) — claimed and reported done: the
  community confirms it;
- `tutoring`: the resident's wish 辅导孩子功课 — claimed, reported done and disputed by the resident;
- `noise`: the resident's request 噪音扰民, declined;
- `cleanup`: the community's own task 环境整治 (3 places), published;
and in C2: `peace`, the other community's task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from baodao.needs.models import Need
from baodao.needs.services import (
    need_claim,
    need_complete,
    need_confirm,
    need_decline,
    need_dispute,
    need_escalate,
    need_publish,
    need_submit,
)
from tests import factories

RESIDENT_ADDRESS = "5栋1单元301"
ELDER = {"contact_name": "孙奶奶", "contact_phone": "13712345678", "address": "7栋2单元102"}


@dataclass
class Ledger:
    fixed: Need
    lamp: Need
    late: Need
    escort: Need
    tutoring: Need
    noise: Need
    cleanup: Need
    peace: Need


def _wish(w, title, *, grid="C1G1", kind="wish", category="repair", **kw):
    return need_submit(
        actor=w.users["resident"],
        kind=kind,
        title=title,
        category=category,
        community=w.r("C1"),
        grid=w.r(grid),
        address=RESIDENT_ADDRESS,
        **kw,
    )


def _claimed_and_done(w, need, note="办好了", hours="2"):
    admin, member = w.users["community_admin"], w.users["member"]
    need = need_publish(actor=admin, need=need)
    need_claim(actor=member, need=need)
    need_complete(actor=member, need=need, note=note, hours=hours)
    need.refresh_from_db()
    return need


def ledger(w) -> Ledger:
    admin = w.users["community_admin"]
    factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=admin)

    fixed = _claimed_and_done(w, _wish(w, "修水龙头", description="家住5栋1单元301，厨房水龙头漏水"))
    need_confirm(actor=w.users["resident"], need=fixed, rating=5, comment="党员师傅很耐心")
    fixed.refresh_from_db()

    lamp = _wish(w, "楼道灯坏了", grid="C1G2", kind="request", category="repair")
    late = _wish(w, "小区积水", kind="request", category="environment")
    Need.objects.filter(pk=late.pk).update(
        created_at=timezone.now() - timedelta(days=2), respond_by=timezone.now() - timedelta(hours=3)
    )
    need_escalate(need_id=late.pk)

    escort = need_submit(
        actor=w.users["grid_worker"],
        kind="wish",
        title="陪老人就医",
        category="elderly",
        community=w.r("C1"),
        grid=w.r("C1G1"),
        **ELDER,
    )
    escort = _claimed_and_done(w, escort, note="陪同到区医院复诊", hours="3")

    tutoring = _claimed_and_done(w, _wish(w, "辅导孩子功课", category="education"))
    need_dispute(actor=w.users["resident"], need=tutoring, reason="只来了十分钟")
    tutoring.refresh_from_db()

    noise = _wish(w, "噪音扰民", kind="request", category="dispute")
    need_decline(actor=admin, need=noise, reason="属于城管职责，已转交")
    noise.refresh_from_db()

    cleanup = need_submit(
        actor=admin,
        kind="task",
        title="环境整治",
        category="environment",
        community=w.r("C1"),
        places=3,
        due_at=timezone.now() + timedelta(days=3),
        publish=True,
    )
    peace = need_submit(
        actor=w.users["other_community_admin"],
        kind="task",
        title="和平社区义诊",
        category="health",
        community=w.r("C2"),
        publish=True,
    )
    for need in (lamp, late):
        need.refresh_from_db()
    return Ledger(fixed, lamp, late, escort, tutoring, noise, cleanup, peace)
