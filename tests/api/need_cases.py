"""Needs in known states for the API tests, made through the services (as the product makes them)."""

from __future__ import annotations

from typing import Any

from baodao.needs.models import Need
from baodao.needs.services import need_claim, need_complete, need_publish, need_submit
from baodao.registration.services import unit_registration_apply, unit_registration_confirm
from tests.factories import registered

LIST = "/api/v1/needs"
ADDRESS = "5栋1单元301"
#: the smallest files each format is recognised by
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 60


def url(need: Any, action: str = "") -> str:
    pk = need if isinstance(need, int) else need.pk
    return f"{LIST}/{pk}" + (f"/{action}" if action else "")


def wish(w: Any, *, grid: str = "C1G1", title: str = "修水龙头", **kw: Any) -> Need:
    """A resident's wish in C1, waiting for the community."""
    return need_submit(
        actor=w.users["resident"],
        kind=kw.pop("kind", "wish"),
        title=title,
        category=kw.pop("category", "repair"),
        community=w.r("C1"),
        grid=w.r(grid) if grid else None,
        address=ADDRESS,
        **kw,
    )


def published_wish(w: Any, **kw: Any) -> Need:
    return need_publish(actor=w.users["community_admin"], need=wish(w, **kw))


def task(
    w: Any, *, places: int = 2, community: str = "C1", admin: str = "community_admin", **kw: Any
) -> Need:
    """The community's own task, published at once."""
    return need_submit(
        actor=w.users[admin],
        kind="task",
        title=kw.pop("title", "清理楼道杂物"),
        category="environment",
        community=w.r(community),
        places=places,
        publish=True,
        **kw,
    )


def member_registered(w: Any, name: str = "member") -> Any:
    member = w.members[name]
    if member.registered_community_id is None:
        registered(member, w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])
    return member


def unit_co_builds(w: Any, unit: str = "U1", admin: str = "unit_admin") -> None:
    """The unit has a confirmed 共建 registration with C1."""
    ur = unit_registration_apply(
        actor=w.users[admin], unit=w.units[unit], community=w.r("C1"), commitments="共建承诺"
    )
    unit_registration_confirm(actor=w.users["community_admin"], unit_registration=ur)


def claimed_wish(w: Any) -> Need:
    """A published wish the world's (registered) member has claimed."""
    need = published_wish(w)
    member_registered(w)
    need_claim(actor=w.users["member"], need=need)
    need.refresh_from_db()
    return need


def completed_wish(w: Any) -> Need:
    need = claimed_wish(w)
    need_complete(actor=w.users["member"], need=need, note="换了阀芯", hours="1.5")
    need.refresh_from_db()
    return need


def reload(need: Need) -> Need:
    need.refresh_from_db()
    return need


def client_for(user: Any) -> Any:
    """An API client of its own carrying a real bearer token of `user` (holding several at once is safe)."""
    from rest_framework.test import APIClient

    from baodao.accounts.services import token_issue

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=user)}")
    return client
