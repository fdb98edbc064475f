"""Needs in a given state, made through the services, for the tests of the members', residents' and units'
needs pages (test_needs_*.py).

The world's member 李明 (U1, lives in C1G1, skill legal) is registered in C1 by `with_member`; the resident
张阿姨 of C1 submits wishes. `co_build(w)` makes U1 a confirmed co-building unit of C1.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from baodao.needs.models import Need
from baodao.needs.services import need_claim, need_complete, need_publish, need_submit
from baodao.registration.services import unit_registration_apply, unit_registration_confirm
from tests import factories
from tests.factories import World

#: the first bytes of a PNG: enough for the service, which judges a picture by its content
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHONE = "13712345678"
ADDRESS = "5栋1单元301"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def not_a_picture() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", b"not a picture", content_type="image/png")


def with_member(w: World) -> None:
    factories.registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=w.users["community_admin"])


def co_build(w: World, unit: str = "U1", community: str = "C1") -> Any:
    admin = w.users["unit_admin"] if unit == "U1" else w.users["other_unit_admin"]
    reg = unit_registration_apply(
        actor=admin, unit=w.units[unit], community=w.r(community), commitments="共建"
    )
    unit_registration_confirm(actor=w.users["community_admin"], unit_registration=reg)
    return reg


def wish(w: World, title: str = "修水龙头", *, grid: str = "C1G1", **kw: Any) -> Need:
    defaults: dict[str, Any] = {
        "kind": "wish",
        "category": "repair",
        "contact_phone": PHONE,
        "address": ADDRESS,
        "location": "5栋",
    }
    return need_submit(
        actor=w.users["resident"],
        title=title,
        community=w.r("C1"),
        grid=w.r(grid) if grid else None,
        **{**defaults, **kw},
    )


def published(w: World, title: str = "修水龙头", *, skills: tuple[str, ...] = (), **kw: Any) -> Need:
    need = wish(w, title, **kw)
    return need_publish(actor=w.users["community_admin"], need=need, skills=list(skills))


def claimed(w: World, title: str = "修水龙头") -> Need:
    need = published(w, title)
    need_claim(actor=w.users["member"], need=need)
    need.refresh_from_db()
    return need


def completed(w: World, title: str = "修水龙头") -> Need:
    need = claimed(w, title)
    need_complete(actor=w.users["member"], need=need, note="换了阀芯", hours="1.5")
    need.refresh_from_db()
    return need


def task(w: World, title: str = "环境整治", *, places: int = 3, community: str = "C1") -> Need:
    admin = w.users["community_admin"] if community == "C1" else w.users["other_community_admin"]
    return need_submit(
        actor=admin,
        kind="task",
        title=title,
        category="environment",
        community=w.r(community),
        places=places,
        publish=True,
    )
