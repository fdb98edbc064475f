"""Factories in code: a small district with two streets, communities, grids, units and people per role.

`world()` builds the standard cast used by view and API tests:
- district D1 → street S1 → communities C1 (grids C1G1, C1G2) and C2 (grid C2G1); street S2 → community C3
  (grid C3G1); a second district D2 → S3 → C4 (grid C4G1)
- units U1 and U2 in S1, U3 in S2, U4 in D2
- one user per role: district_admin (D1), street_admin (S1), community_admin (C1, may unmask), grid_worker
  (C1G1), unit_admin (U1), member (U1, living in C1G1), resident (C1), plus outsiders: community_admin of
  C2 and of C4, unit_admin of U2, member of U2 living in C2.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from baodao.accounts.models import Grant, Role, User
from baodao.members.models import Member
from baodao.org.models import Level, Region, Unit
from baodao.org.services import region_create, unit_create

PASSWORD = "Baodao#2026"
_phones = itertools.count(13800000001)


def next_phone() -> str:
    return str(next(_phones))


def region(
    code: str, name: str | None = None, parent: Region | None = None, level: str | None = None
) -> Region:
    if level is None:
        level = {
            None: Level.DISTRICT,
            Level.DISTRICT: Level.STREET,
            Level.STREET: Level.COMMUNITY,
            Level.COMMUNITY: Level.GRID,
        }[parent.level if parent else None]
    return region_create(actor=None, code=code, name=name or f"区域{code}", level=level, parent=parent)


def unit(code: str, region_: Region, name: str | None = None) -> Unit:
    return unit_create(actor=None, code=code, name=name or f"单位{code}", region=region_)


def user(
    role: str | None = None,
    *,
    region_: Region | None = None,
    unit_: Unit | None = None,
    name: str = "测试用户",
    phone: str | None = None,
    can_unmask: bool = False,
) -> User:
    u = User.objects.create_user(phone=phone or next_phone(), password=PASSWORD, name=name)
    if role:
        Grant.objects.create(
            user=u,
            role=role,
            region=region_ if role not in (Role.UNIT_ADMIN, Role.MEMBER) else None,
            unit=unit_ if role in (Role.UNIT_ADMIN, Role.MEMBER) else None,
            can_unmask=can_unmask,
        )
    return u


def member(
    unit_: Unit,
    *,
    community: Region | None = None,
    grid: Region | None = None,
    name: str = "党员",
    phone: str | None = None,
    id_number: str | None = None,
    skills: tuple[str, ...] = (),
    pledge: str = "",
) -> Member:
    from baodao.members.services import member_create

    u = user(Role.MEMBER, unit_=unit_, name=name, phone=phone)
    return member_create(
        user=u,
        unit=unit_,
        community=community,
        grid=grid,
        id_number=id_number,
        skills=skills,
        pledge=pledge,
        address="1栋1单元101" if community else "",
    )


def registered(m: Member, community: Region, grid: Region | None = None, *, by: User) -> Any:
    from baodao.registration.services import registration_apply, registration_confirm

    reg = registration_apply(member=m, community=community, grid=grid, address="1栋1单元101")
    registration_confirm(actor=by, registration=reg)
    m.refresh_from_db()
    return reg


#: Valid GB 11643 numbers for tests (check digits computed).
ID_NUMBERS = ["11010519491231002X", "440524188001010014", "440106199003071231"]


@dataclass
class World:
    regions: dict[str, Region] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)

    def r(self, code: str) -> Region:
        return self.regions[code]


def world() -> World:
    w = World()
    d1 = region("D1", "东湖区")
    s1 = region("S1", "大塘街道", d1)
    s2 = region("S2", "江边街道", d1)
    c1 = region("C1", "幸福社区", s1)
    c2 = region("C2", "和平社区", s1)
    c3 = region("C3", "江景社区", s2)
    d2 = region("D2", "西山区")
    s3 = region("S3", "西山街道", d2)
    c4 = region("C4", "山前社区", s3)
    for r in (d1, s1, s2, c1, c2, c3, d2, s3, c4):
        w.regions[r.code] = r
    for code, parent in (("C1G1", c1), ("C1G2", c1), ("C2G1", c2), ("C3G1", c3), ("C4G1", c4)):
        w.regions[code] = region(code, f"网格{code}", parent)
    w.units = {
        "U1": unit("U1", s1, "区税务局"),
        "U2": unit("U2", s1, "区人民医院"),
        "U3": unit("U3", s2, "区实验中学"),
        "U4": unit("U4", d2, "西山区供电局"),
    }
    w.users["district_admin"] = user(Role.DISTRICT_ADMIN, region_=d1, name="区组织部", can_unmask=True)
    w.users["street_admin"] = user(Role.STREET_ADMIN, region_=s1, name="街道书记")
    w.users["community_admin"] = user(Role.COMMUNITY_ADMIN, region_=c1, name="社区书记", can_unmask=True)
    w.users["grid_worker"] = user(Role.GRID_WORKER, region_=w.r("C1G1"), name="网格员")
    w.users["unit_admin"] = user(Role.UNIT_ADMIN, unit_=w.units["U1"], name="税务局党办")
    w.users["resident"] = user(Role.RESIDENT, region_=c1, name="居民张阿姨")
    w.users["other_community_admin"] = user(Role.COMMUNITY_ADMIN, region_=c2, name="和平社区书记")
    w.users["far_community_admin"] = user(Role.COMMUNITY_ADMIN, region_=c4, name="山前社区书记")
    w.users["other_unit_admin"] = user(Role.UNIT_ADMIN, unit_=w.units["U2"], name="医院党办")
    w.members["member"] = member(
        w.units["U1"],
        community=c1,
        grid=w.r("C1G1"),
        name="李明",
        id_number=ID_NUMBERS[0],
        skills=("legal",),
        pledge="每月参加一次法律咨询",
    )
    w.users["member"] = w.members["member"].user
    w.members["other_member"] = member(
        w.units["U2"],
        community=c2,
        grid=w.r("C2G1"),
        name="王芳",
        id_number=ID_NUMBERS[1],
        skills=("health",),
    )
    w.users["other_member"] = w.members["other_member"].user
    return w
