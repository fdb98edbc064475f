"""Demo emergencies of the demo community, through the services: a past one (a rainstorm about forty days
ago: called, answered, shifts on site, stood down — so that emergency hours are in the ledger) and one under
way (a cold wave over two grids: about half have answered, a few are on duty, and 王芳 has been called and
has not answered — the banner and the live roll call show on signing in)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from baodao.activities.codes import code_now
from baodao.lib.errors import DomainError
from baodao.members.models import Member
from baodao.mobilizations.models import Call, Mobilization, Reason
from baodao.mobilizations.services import (
    call_checkin,
    call_checkout,
    call_respond,
    mobilization_activate,
    mobilization_fanout,
    mobilization_stand_down,
)
from baodao.org.models import Level, Region
from baodao.posts.models import HolderStatus, Kind, Post, PostHolder
from baodao.posts.services import post_claim, post_confirm, post_create

#: how many confirmed holders each emergency post the demo needs should have at least
HOLDERS = 10
NO_REASONS = ["在外地出差", "身体不适，正在就医", "家中老人需要照顾", "值夜班，走不开"]


def _post(community: Region, admin: Any, title: str) -> Post:
    """The emergency post the posts demo made, or a new one when it is missing."""
    post = Post.objects.filter(community=community, kind=Kind.EMERGENCY, title=title, active=True).first()
    if post is None:
        post = post_create(actor=admin, community=community, kind=Kind.EMERGENCY, title=title, headcount=30)
    return post


def _hold(post: Post, admin: Any, members: list[Member]) -> None:
    """Members claim the post and the community confirms them (those holding it already are left as they
    are; a post full or a claim refused is skipped)."""
    holding = set(PostHolder.objects.filter(post=post).values_list("member_id", flat=True))
    for member in members:
        if member.pk in holding:
            continue
        try:
            post_claim(actor=member.user, post=post)
            post_confirm(actor=admin, post=post, member=member)
        except DomainError:
            continue


def _confirmed(post: Post) -> int:
    return PostHolder.objects.filter(post=post, status=HolderStatus.CONFIRMED).count()


def _code(mobilization: Mobilization, when: datetime) -> str:
    return code_now(mobilization.pk, mobilization.secret, when)[0]


def _past(
    now: datetime, community: Region, admin: Any, posts: list[Post], rng: random.Random
) -> Mobilization:
    """7·20 暴雨防汛, about forty days ago: most came, some could not, several served shifts; stood down the
    next morning with one shift still open (closed by the stand-down)."""
    day = (now - timedelta(days=40)).replace(hour=18, minute=30, second=0, microsecond=0)
    m = mobilization_activate(
        actor=admin,
        title="7·20 暴雨防汛",
        type="flood",
        regions=[community],
        description="强降雨导致低洼小区积水，请防汛抢险、物资配送岗位的党员到社区党群服务中心集合。",
        posts=[(posts[0], 8), (posts[1], 6)],
        report_by=day + timedelta(hours=1),
        now=day,
    )
    mobilization_fanout(mobilization_id=m.pk, reason=Reason.POST)
    m.refresh_from_db()
    calls = list(Call.objects.filter(mobilization=m).select_related("member__user").order_by("id"))
    arrived: list[Member] = []
    for i, call in enumerate(calls):
        when = day + timedelta(minutes=3 + i)
        if i % 5 == 4:
            call_respond(
                actor=call.member.user, mobilization=m, answer="no", reason=rng.choice(NO_REASONS), now=when
            )
            continue
        call_respond(
            actor=call.member.user, mobilization=m, answer="yes", eta=when + timedelta(minutes=30), now=when
        )
        if i % 3 != 2:
            on_site = when + timedelta(minutes=25)
            call_checkin(actor=call.member.user, mobilization=m, code=_code(m, on_site), now=on_site)
            arrived.append(call.member)
    for j, member in enumerate(arrived[:-1]):
        off = day + timedelta(hours=3 + j % 3, minutes=10 * j)
        call_checkout(actor=member.user, mobilization=m, code=_code(m, off), now=off)
    # the last one still on duty at the stand-down: its shift is closed and credited by it
    mobilization_stand_down(actor=admin, mobilization=m, now=day + timedelta(hours=6))
    Mobilization.objects.filter(pk=m.pk).update(created_at=day, fanout_done_at=day + timedelta(seconds=5))
    Call.objects.filter(mobilization=m).update(called_at=day)
    return m


def _active(
    now: datetime, community: Region, admin: Any, posts: list[Post], wangfang: Member, rng: random.Random
) -> Mobilization:
    """幸福社区寒潮防冻应急响应, under way over two grids: half have answered, a few are on duty, 王芳 not
    yet."""
    grids: list[Region] = [wangfang.grid] if wangfang.grid is not None else []
    grids += list(
        Region.objects.filter(parent=community, level=Level.GRID)
        .exclude(pk__in=[g.pk for g in grids])
        .order_by("path")[:1]
    )
    started = now - timedelta(minutes=50)
    m = mobilization_activate(
        actor=admin,
        title="幸福社区寒潮防冻应急响应",
        type="weather",
        regions=grids or [community],
        description="今夜最低气温零下 8 度，部分楼栋供水管道冻裂。请物资配送、卫生清扫岗位的党员到社区报到，"
        "为独居老人送防寒物资、清理结冰路面。",
        posts=[(posts[0], 6), (posts[1], 4)],
        report_by=now + timedelta(hours=1),
        now=started,
    )
    mobilization_fanout(mobilization_id=m.pk, reason=Reason.POST)
    m.refresh_from_db()
    calls = list(
        Call.objects.filter(mobilization=m)
        .exclude(member=wangfang)
        .select_related("member__user")
        .order_by("id")
    )
    for i, call in enumerate(calls[: (len(calls) + 1) // 2]):
        when = started + timedelta(minutes=4 + 2 * i)
        if i % 4 == 3:
            call_respond(
                actor=call.member.user, mobilization=m, answer="no", reason=rng.choice(NO_REASONS), now=when
            )
            continue
        call_respond(
            actor=call.member.user, mobilization=m, answer="yes", eta=when + timedelta(minutes=20), now=when
        )
        if i % 4 == 0:
            on_site = now - timedelta(minutes=15 - i % 10)
            call_checkin(actor=call.member.user, mobilization=m, code=_code(m, on_site), now=on_site)
    Mobilization.objects.filter(pk=m.pk).update(created_at=started)
    Call.objects.filter(mobilization=m).update(called_at=started)
    return m


def seed_mobilizations(*, now: datetime, community: Region, people: dict[str, Any]) -> int:
    admin = people["community_admin"]
    wangfang: Member = people["registered_member"].member
    rng = random.Random(720)
    members = list(
        Member.objects.filter(registered_community=community, grid__isnull=False)
        .exclude(pk=wangfang.pk)
        .select_related("user")
        .order_by("pk")[:60]
    )
    titles = ["防汛抢险", "物资配送", "卫生清扫"]
    posts = {title: _post(community, admin, title) for title in titles}
    for i, title in enumerate(titles):
        if _confirmed(posts[title]) < HOLDERS:
            _hold(posts[title], admin, members[i * 15 : i * 15 + 25])
    # the cold wave's grids: 王芳's and one next to it; she holds 物资配送 there
    _hold(posts["物资配送"], admin, [wangfang])
    neighbours = [m for m in members if m.grid_id == wangfang.grid_id][:6]
    _hold(posts["卫生清扫"], admin, neighbours)
    _past(now, community, admin, [posts["防汛抢险"], posts["物资配送"]], rng)
    _active(now, community, admin, [posts["物资配送"], posts["卫生清扫"]], wangfang, rng)
    return 2
