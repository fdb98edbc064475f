"""The demo community's volunteer activities (志愿活动), told through the services: two coming up (one full,
with a waitlist), four past ones closed with real check-ins and check-outs, one that ended yesterday and waits
for the organiser to close it, and one called off.

The services refuse to publish an activity in the past and to sign up once it has started. So a past activity
is published far ahead (a window of its own, so that no one's sign-ups overlap), signed up to, and then moved
back to its real time; check-ins and check-outs then pass the code of that moment (`code_now`) and the moment
itself (`now=`), exactly as a phone on the day would have. Hours, ledger rows and points are the services'
own: 王芳 (the registered demo member) ends up with records, points and something to certify.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from baodao.accounts.models import User
from baodao.activities.codes import code_now
from baodao.activities.models import Activity, Signup
from baodao.activities.services import (
    ForgottenCheckout,
    activity_cancel,
    activity_checkin,
    activity_checkout,
    activity_close,
    activity_create,
    activity_signup,
    attendance_record,
)
from baodao.members.models import Member
from baodao.org.models import Region

#: the demo community's square (fictional coordinates on the lake shore)
SQUARE = (Decimal("30.552800"), Decimal("114.371300"))
#: about 300 m north of the square: outside a 150 m geofence, inside its tolerance
NEAR_SQUARE = (Decimal("30.555500"), Decimal("114.371300"))
#: past activities are first published this far ahead, one day apart
PARKING = timedelta(days=400)


@dataclass(frozen=True)
class Story:
    title: str
    category: str
    description: str
    location: str
    #: days from now (negative: in the past) and the local start and end times
    day: int
    start: tuple[int, int]
    end: tuple[int, int]
    places: int
    #: how many of the community's other members sign up (the demo member always does, unless `without_demo`)
    others: int
    skills: tuple[str, ...] = ()
    geofence: bool = False
    without_demo: bool = False
    #: per signer after the demo member (who always comes on time): "full" (in and out on time), "late" (in
    #: 40 min late, out 30 min early), "forgot" (in, never out), "absent" (never came), "far" (in from 300 m
    #: away), "blind" (in without a position), "manual" (the organiser records two hours by hand)
    attendance: tuple[str, ...] = field(default=())


PAST = (
    Story(
        "楼道杂物清理日",
        "environment",
        "清理楼道堆放的杂物，消除消防隐患。请自带手套，社区提供垃圾袋和推车。",
        "金色家园3栋至6栋",
        -35,
        (9, 0),
        (11, 30),
        8,
        5,
        skills=("environment",),
        attendance=("full", "full", "late", "full", "full"),
    ),
    Story(
        "长者智能手机课堂",
        "education",
        "一对一教老年人用手机挂号、视频通话、识别诈骗短信。",
        "社区党群服务中心二楼活动室",
        -21,
        (14, 30),
        (16, 30),
        6,
        5,
        skills=("it",),
        attendance=("full", "forgot", "absent", "full", "full"),
    ),
    Story(
        "社区广场义诊",
        "health",
        "量血压、测血糖、用药咨询。签到需在广场现场（开启定位）。",
        "社区文化广场",
        -14,
        (8, 30),
        (11, 30),
        10,
        5,
        skills=("health", "assistance"),
        geofence=True,
        attendance=("far", "blind", "full", "full", "full"),
    ),
    Story(
        "反诈宣传进小区",
        "policy",
        "在小区门口摆摊发放反诈宣传资料，帮居民安装国家反诈中心APP。",
        "常春藤花园南门",
        -7,
        (18, 30),
        (20, 30),
        6,
        4,
        skills=("organisation",),
        attendance=("full", "manual", "absent", "late"),
    ),
)
#: ended yesterday evening: the organiser has not closed it yet (one forgot to check out, one did not come)
TO_CLOSE = Story(
    "夜间治安巡逻",
    "safety",
    "两人一组巡查小区重点部位，检查消防通道和电动车充电。",
    "社区警务室集合",
    -1,
    (19, 0),
    (21, 0),
    6,
    4,
    skills=("patrol",),
    without_demo=True,
    attendance=("full", "full", "forgot", "absent"),
)
UPCOMING = (
    Story(
        "周末敬老院探访",
        "elderly",
        "陪老人聊天、读报、剪指甲，表演几个小节目。",
        "湖滨街道敬老院",
        3,
        (9, 0),
        (11, 0),
        6,
        3,
        skills=("assistance",),
    ),
    # full, two in line
    Story(
        "垃圾分类宣传站",
        "environment",
        "在小区分类投放点值守，指导居民分类投放。",
        "金色家园垃圾分类投放点",
        6,
        (7, 30),
        (9, 30),
        3,
        5,
        skills=("environment",),
        without_demo=True,
    ),
)
CALLED_OFF = Story(
    "端午包粽子活动",
    "culture",
    "和社区老人一起包粽子，包好的粽子送给独居老人。",
    "社区党群服务中心一楼",
    10,
    (14, 0),
    (16, 30),
    12,
    3,
    skills=("culture",),
)
CALL_OFF_REASON = "活动场地临时被占用，改期另行通知。"
MANUAL_REASON = "手机没电，未能扫码签到，现场登记表有签名。"


class ActivityStories:
    def __init__(self, *, now: datetime, community: Region, admin: User, demo: Member, others: list[Member]):
        self.now = timezone.localtime(now)
        self.community = community
        self.admin = admin
        self.demo = demo
        self.others = others
        self.turn = 0  # which of the others sign up next (round robin: everyone gets a share)
        self.parked = 0
        self.count = 0

    # ---- the cast -----------------------------------------------------------------------------------

    def _signers(self, story: Story) -> list[Member]:
        if not self.others:
            return [] if story.without_demo else [self.demo]
        n = min(story.others, len(self.others))
        picked = [self.others[(self.turn + i) % len(self.others)] for i in range(n)]
        self.turn += n
        return picked if story.without_demo else [self.demo, *picked]

    def _at(self, story: Story, hm: tuple[int, int]) -> datetime:
        day = self.now + timedelta(days=story.day)
        return day.replace(hour=hm[0], minute=hm[1], second=0, microsecond=0)

    def _publish(self, story: Story, starts_at: datetime) -> Activity:
        geofence: dict[str, Any] = {}
        if story.geofence:
            geofence = {"lat": SQUARE[0], "lng": SQUARE[1], "radius_m": 150}
        length = self._at(story, story.end) - self._at(story, story.start)
        activity = activity_create(
            actor=self.admin,
            community=self.community,
            title=story.title,
            category=story.category,
            description=story.description,
            starts_at=starts_at,
            ends_at=starts_at + length,
            location=story.location,
            places=story.places,
            skills=story.skills,
            **geofence,
        )
        self.count += 1
        return activity

    @staticmethod
    def _retime(activity: Activity, published: datetime) -> None:
        """Published at `published`; the sign-ups came in over the day after, in the order they were made (the
        waitlist keeps its order)."""
        Activity.objects.filter(pk=activity.pk).update(created_at=published)
        for i, signup in enumerate(Signup.objects.filter(activity=activity).order_by("created_at", "id")):
            Signup.objects.filter(pk=signup.pk).update(created_at=published + timedelta(hours=3 * i + 1))

    # ---- the stories --------------------------------------------------------------------------------

    def upcoming(self, story: Story) -> Activity:
        activity = self._publish(story, self._at(story, story.start))
        for member in self._signers(story)[: story.places + 2]:  # when full, two in line at most
            activity_signup(actor=member.user, activity=activity)
        self._retime(activity, self.now - timedelta(days=2))
        return activity

    def called_off(self, story: Story) -> Activity:
        activity = self.upcoming(story)
        activity_cancel(actor=self.admin, activity=activity, reason=CALL_OFF_REASON)
        return activity

    def past(self, story: Story, *, close: bool) -> Activity:
        self.parked += 1
        parked = self.now + PARKING + timedelta(days=self.parked)
        activity = self._publish(story, parked.replace(hour=9, minute=0, second=0, microsecond=0))
        signers = self._signers(story)
        for member in signers:
            activity_signup(actor=member.user, activity=activity)
        # back to its real time
        starts_at = self._at(story, story.start)
        Activity.objects.filter(pk=activity.pk).update(
            starts_at=starts_at, ends_at=self._at(story, story.end)
        )
        activity.refresh_from_db()
        self._retime(activity, starts_at - timedelta(days=6))
        self._attend(activity, story, signers)
        if close:
            activity_close(
                actor=self.admin, activity=activity, forgotten_checkout=ForgottenCheckout.END_OF_ACTIVITY
            )
            Activity.objects.filter(pk=activity.pk).update(
                closed_at=activity.ends_at + timedelta(hours=1, minutes=10)
            )
        return activity

    def _attend(self, activity: Activity, story: Story, signers: list[Member]) -> None:
        plans = list(story.attendance)
        if not story.without_demo:
            plans = ["full", *plans]
        start, end = activity.starts_at, activity.ends_at
        for i, (member, plan) in enumerate(zip(signers, plans, strict=False)):
            arrive = start - timedelta(minutes=10) + timedelta(minutes=3 * i % 15)
            leave = end + timedelta(minutes=(7 * i) % 20)
            position: dict[str, Any] = {}
            if story.geofence:
                position = {"lat": SQUARE[0], "lng": SQUARE[1]}
            if plan == "late":
                arrive, leave = start + timedelta(minutes=40), end - timedelta(minutes=30)
            elif plan == "far":
                position = {"lat": NEAR_SQUARE[0], "lng": NEAR_SQUARE[1]}
            elif plan == "blind":
                position = {}
            elif plan == "manual":
                attendance_record(
                    actor=self.admin, activity=activity, member=member, reason=MANUAL_REASON, hours="2"
                )
                continue
            elif plan == "absent":
                continue
            self._check(activity_checkin, activity, member, arrive, position)
            if plan != "forgot":
                self._check(activity_checkout, activity, member, leave, position)

    @staticmethod
    def _check(
        action: Any, activity: Activity, member: Member, at: datetime, position: dict[str, Any]
    ) -> None:
        code, _ = code_now(activity.pk, activity.secret, at)
        action(actor=member.user, activity=activity, code=code, now=at, **position)


def seed_activities(*, now: datetime, community: Region, people: dict[str, User], others: int = 14) -> int:
    """The demo community's activities; the number of activities made."""
    demo = Member.objects.select_related("user").get(user=people["registered_member"])
    cast = (
        Member.objects.filter(registered_community=community)
        .exclude(user__in=[u.pk for u in people.values()])
        .select_related("user")
        .order_by("pk")[:others]
    )
    stories = ActivityStories(
        now=now, community=community, admin=people["community_admin"], demo=demo, others=list(cast)
    )
    for story in PAST:
        stories.past(story, close=True)
    stories.past(TO_CLOSE, close=False)
    for story in UPCOMING:
        stories.upcoming(story)
    stories.called_off(CALLED_OFF)
    return stories.count
