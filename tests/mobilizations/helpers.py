"""Shared cast and builders for the posts and emergency tests: members registered in C1 (grids C1G1 and
C1G2) and C2, emergency posts with confirmed holders, an emergency activated and its call run as the
worker would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from baodao.accounts.models import User
from baodao.activities.codes import code_now
from baodao.members.models import Member
from baodao.mobilizations.models import Mobilization, Reason, Shift
from baodao.mobilizations.services import (
    call_checkin,
    call_checkout,
    mobilization_activate,
    mobilization_fanout,
)
from baodao.posts.models import Kind, Post
from baodao.posts.services import post_claim, post_confirm, post_create
from tests import factories
from tests.factories import World, registered


@dataclass
class Cast:
    w: World
    admin: User
    member: Member  # 李明, C1G1
    helper: Member  # 赵强, C1G2

    def r(self, code: str) -> Any:
        return self.w.r(code)

    def u(self, role: str) -> User:
        return self.w.users[role]


def cast_of(w: World) -> Cast:
    admin = w.users["community_admin"]
    registered(w.members["member"], w.r("C1"), w.r("C1G1"), by=admin)
    helper = factories.member(w.units["U1"], community=w.r("C1"), grid=w.r("C1G2"), name="赵强")
    registered(helper, w.r("C1"), w.r("C1G2"), by=admin)
    return Cast(w=w, admin=admin, member=w.members["member"], helper=helper)


def member_in(c: Cast, name: str, *, community: str = "C1", grid: str = "C1G1") -> Member:
    m = factories.member(c.w.units["U1"], community=c.r(community), grid=c.r(grid), name=name)
    admin = c.admin if community == "C1" else c.u("other_community_admin")
    registered(m, c.r(community), c.r(grid), by=admin)
    return m


def emergency_post(
    c: Cast, title: str = "物资配送", *, community: str = "C1", headcount: int = 10, **kw: Any
) -> Post:
    admin = c.admin if community == "C1" else c.u("other_community_admin")
    return post_create(
        actor=admin, community=c.r(community), kind=Kind.EMERGENCY, title=title, headcount=headcount, **kw
    )


def hold(c: Cast, post: Post, member: Member) -> None:
    """The member claims the post and the community confirms it."""
    post_claim(actor=member.user, post=post)
    admin = c.admin if post.community.code == "C1" else c.u("other_community_admin")
    post_confirm(actor=admin, post=post, member=member)


def activate(
    c: Cast,
    *,
    posts: list[tuple[Post, int]],
    regions: list[str] = ("C1",),  # type: ignore[assignment]
    actor: User | None = None,
    call: bool = True,
    **kw: Any,
) -> Mobilization:
    """Activate, then run the call as the worker would (unless `call=False`)."""
    kw.setdefault("title", "暴雨防汛")
    kw.setdefault("type", "flood")
    mobilization = mobilization_activate(
        actor=actor or c.admin, regions=[c.r(code) for code in regions], posts=posts, **kw
    )
    if call:
        reason = Reason.POST if posts else Reason.ALL_REGISTERED
        mobilization_fanout(mobilization_id=mobilization.pk, reason=reason)
    mobilization.refresh_from_db()
    return mobilization


def code_at(mobilization: Mobilization, when: datetime) -> str:
    return code_now(mobilization.pk, mobilization.secret, when)[0]


def check_in(mobilization: Mobilization, member: Member, when: datetime | None = None) -> Shift:
    when = when or timezone.now()
    return call_checkin(
        actor=member.user, mobilization=mobilization, code=code_at(mobilization, when), now=when
    )


def check_out(mobilization: Mobilization, member: Member, when: datetime | None = None) -> Shift:
    when = when or timezone.now()
    return call_checkout(
        actor=member.user, mobilization=mobilization, code=code_at(mobilization, when), now=when
    )


def called(mobilization: Mobilization) -> set[str]:
    """The names of everyone called to the emergency."""
    from baodao.mobilizations.models import Call

    return set(Call.objects.filter(mobilization=mobilization).values_list("member__user__name", flat=True))


def widen(c: Cast, mobilization: Mobilization, to: str, *, actor: User | None = None) -> Mobilization:
    """Widen, then run the call as the worker would."""
    from baodao.mobilizations.services import mobilization_widen

    mobilization = mobilization_widen(actor=actor or c.admin, mobilization=mobilization, to=to)
    mobilization_fanout(mobilization_id=mobilization.pk, reason=to)
    mobilization.refresh_from_db()
    return mobilization


def moved_to(c: Cast, m: Member, community: str = "C3", grid: str = "C3G1") -> Member:
    """The member moves home and registers in the other community (confirmed there)."""
    from baodao.accounts.models import Role
    from baodao.registration.services import registration_confirm, registration_transfer

    registration = registration_transfer(member=m, community=c.r(community), grid=c.r(grid), reason="搬家")
    admin = factories.user(Role.COMMUNITY_ADMIN, region_=c.r(community), name=f"{community}书记")
    registration_confirm(actor=admin, registration=registration)
    m.refresh_from_db()
    return m
