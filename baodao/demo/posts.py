"""The demo community's posts (岗位), its functional party branch and volunteer team, and the lead members of
its first grid — all through the services, as the community's secretary (林慧敏) and the grid worker would.

Six regular posts held by a few members each, and six emergency posts with 8–30 confirmed holders each (the
people an emergency calls first: the mobilisation demo finds these posts by title). A couple of claims wait
for the community, one was turned down and one member left with a reason. 王芳 (the registered demo member)
holds 物资配送 and 法律咨询, waits for 政策宣传, and leads the volunteer team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from baodao.accounts.models import Grant
from baodao.members.models import Member
from baodao.org.models import Level, Region
from baodao.posts.models import Kind, Post, TeamKind
from baodao.posts.services import (
    grid_lead_designate,
    post_claim,
    post_confirm,
    post_create,
    post_reject,
    post_withdraw,
    team_add_member,
    team_create,
    team_set_leader,
)


@dataclass(frozen=True)
class PostSpec:
    title: str
    duties: str
    headcount: int
    schedule: str
    skills: tuple[str, ...] = ()
    #: confirmed holders besides the demo member
    holders: int = 0


REGULAR = (
    PostSpec(
        "政策宣传",
        "入户和在小区广场宣讲惠民政策、反诈知识，收集居民意见。",
        6,
        "每月第一个周六上午",
        ("organisation",),
        3,
    ),
    PostSpec(
        "环境整治", "清理楼道堆物、劝导垃圾分类，参与“洁净家园”行动。", 8, "每周六上午", ("environment",), 4
    ),
    PostSpec(
        "治安巡逻",
        "夜间在小区内巡逻，排查消防和治安隐患，劝导电动车违规充电。",
        6,
        "每周三、周五晚",
        ("patrol",),
        3,
    ),
    PostSpec(
        "法律咨询",
        "在党群服务中心坐班，解答居民法律问题，参与邻里纠纷调解。",
        4,
        "每月第二个周六下午",
        ("legal",),
        2,
    ),
    PostSpec(
        "助老助残",
        "结对探访独居老人和残疾人，代购代办，帮助使用智能手机。",
        8,
        "每周日上午",
        ("assistance",),
        3,
    ),
    PostSpec(
        "楼栋长", "联系本楼栋居民，及时上报诉求，应急时负责本楼栋通知和统计。", 10, "日常", ("governance",), 4
    ),
)

EMERGENCY = (
    PostSpec(
        "物资配送",
        "封控期间把生活物资和药品送到居民家门口，优先照顾老人和病人。",
        30,
        "应急时随叫随到",
        (),
        16,
    ),
    PostSpec(
        "核酸检测/防疫",
        "维持检测点秩序、扫码登记、引导居民分时段排队。",
        20,
        "应急时随叫随到",
        ("health",),
        10,
    ),
    PostSpec(
        "环境消杀",
        "对楼道、电梯、垃圾站等公共区域消毒，做好记录。",
        16,
        "应急时随叫随到",
        ("environment",),
        8,
    ),
    PostSpec(
        "应急巡逻", "在小区出入口和重点区域值守巡查，劝导人员不聚集。", 20, "应急时随叫随到", ("patrol",), 12
    ),
    PostSpec("卫生清扫", "清运生活垃圾，保持封控区域卫生。", 12, "应急时随叫随到", (), 8),
    PostSpec("防汛抢险", "汛期巡查低洼地带和地下车库，转移群众、搬运沙袋。", 30, "汛期随叫随到", (), 12),
)

BRANCH = "幸福社区在职党员功能型党支部"
TEAM = "幸福社区应急志愿服务队"


def _hold(admin: Any, post: Post, member: Member) -> None:
    post_claim(actor=member.user, post=post)
    post_confirm(actor=admin, post=post, member=member)


def seed_posts(*, now: datetime, community: Region, people: dict[str, Any]) -> int:
    """Set the posts, fill them and form the groups; returns the number of posts."""
    admin = people["community_admin"]
    demo = Member.objects.select_related("user").get(user=people["registered_member"])
    pool = list(
        Member.objects.filter(registered_community=community)
        .exclude(pk=demo.pk)
        .select_related("user")
        .order_by("pk")
    )
    posts: dict[str, Post] = {}
    offset = 0
    for kind, specs in ((Kind.REGULAR, REGULAR), (Kind.EMERGENCY, EMERGENCY)):
        for spec in specs:
            post = post_create(
                actor=admin,
                community=community,
                kind=kind,
                title=spec.title,
                headcount=spec.headcount,
                duties=spec.duties,
                skills=spec.skills,
                schedule=spec.schedule,
            )
            posts[spec.title] = post
            for i in range(min(spec.holders, len(pool))):
                _hold(admin, post, pool[(offset + i) % len(pool)])
            offset += spec.holders
    _hold(admin, posts["物资配送"], demo)
    _hold(admin, posts["法律咨询"], demo)
    post_claim(actor=demo.user, post=posts["政策宣传"])
    if len(pool) > sum(s.holders for s in REGULAR) + 6:
        # members past those holding regular posts: a claim waiting, one turned down, one who left
        spare = pool[-6:]
        post_claim(actor=spare[0].user, post=posts["助老助残"])
        post_claim(actor=spare[1].user, post=posts["楼栋长"])
        post_claim(actor=spare[2].user, post=posts["法律咨询"])
        post_reject(actor=admin, post=posts["法律咨询"], member=spare[2], reason="本岗位需要有法律职业资格")
        _hold(admin, posts["治安巡逻"], spare[3])
        post_withdraw(
            actor=spare[3].user, post=posts["治安巡逻"], reason="单位安排长期夜班，无法参加晚间巡逻"
        )

    branch = team_create(
        actor=admin,
        community=community,
        kind=TeamKind.BRANCH,
        name=BRANCH,
        description="由在本社区报到的在职党员组成，组织党员参加组织生活、认领岗位、服务群众。",
    )
    team = team_create(
        actor=admin,
        community=community,
        kind=TeamKind.TEAM,
        name=TEAM,
        description="平时参加环境整治和助老服务，急时承担物资配送、值守巡逻和防汛抢险。",
    )
    for member in pool[:12]:
        team_add_member(actor=admin, team=branch, member=member)
    if pool:
        team_set_leader(actor=admin, team=branch, member=pool[0])
    team_add_member(actor=admin, team=team, member=demo)
    for member in pool[12:26]:
        team_add_member(actor=admin, team=team, member=member)
    team_set_leader(actor=admin, team=team, member=demo)

    worker = people["grid_worker"]
    grid = Region.objects.get(level=Level.GRID, pk__in=Grant.objects.filter(user=worker).values("region_id"))
    leads = (
        Member.objects.filter(registered_community=community, grid=grid)
        .exclude(pk=demo.pk)
        .select_related("user")
        .order_by("pk")[:2]
    )
    for member, note in zip(leads, ("1栋至4栋", "5栋至8栋；汛期地下车库巡查"), strict=False):
        grid_lead_designate(actor=worker, grid=grid, member=member, note=note)
    return len(posts)
