"""Activities: create, sign up (or wait in line), cancel (the next in line moves up), check in and out with
the rotating code, attendance recorded by hand, and closing an activity (forgotten check-outs by a rule the
organiser confirms, no-shows recorded).

Places are taken with a conditional `UPDATE … WHERE taken < places` under a CHECK constraint; the member's row
is locked while it signs up, so two sign-ups of one person at once cannot overlap in time either. Verified
attendance is written to the ledger once per sign-up (a unique constraint there).
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.ledger.models import ServiceRecord, Source
from baodao.ledger.points import points_no_show, points_no_show_reverse
from baodao.ledger.services import record_write
from baodao.lib.errors import Conflict, Forbidden
from baodao.lib.inputs import invalid as _invalid
from baodao.lib.inputs import text as _text
from baodao.members.models import Member
from baodao.members.vocabulary import parse_skills
from baodao.needs.models import Category
from baodao.notify.services import notify
from baodao.org.models import Level, Region, Unit
from baodao.policy.selectors import policy_in_force
from baodao.registration.models import Status as RegistrationStatus
from baodao.registration.models import UnitRegistration
from baodao.stats.services import stats_batch

from .codes import CheckinCode, code_accepted, code_attempt, code_now
from .models import HOLDING, Activity, Attendance, Signup, SignupStatus, Status

TITLE_MAX = 80
REASON_MAX = 300
MAX_PLACES = 10000
#: the longest activity: a weekend's camp, not a season
MAX_DURATION = timedelta(days=3)
#: check-in opens this long before the start (people arrive early) …
CHECKIN_OPENS_BEFORE = timedelta(minutes=30)
#: … and check-out stays open this long after the end (queues at the exit); hours are clipped anyway
CHECKOUT_CLOSES_AFTER = timedelta(hours=2)
#: within the radius a check-in is clean; up to this many radii (and at most this far beyond the radius) it is
#: accepted and flagged (GPS drifts indoors); beyond, refused
GEOFENCE_TOLERANCE = 3
GEOFENCE_TOLERANCE_MAX_M = 500


# ---- small checks --------------------------------------------------------------------------------------


def _coordinate(value: Any, *, field: str, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _invalid(field, _("坐标须为数字。")) from None
    if not number.is_finite() or abs(number) > limit:
        raise _invalid(field, _("坐标超出范围。"))
    return number.quantize(Decimal("0.000001"))


def distance_m(
    lat1: Decimal | float, lng1: Decimal | float, lat2: Decimal | float, lng2: Decimal | float
) -> int:
    """Great-circle distance in metres (haversine; ample for a few hundred metres)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 6_371_000 * math.asin(math.sqrt(a)))


def attended_hours(
    checked_in_at: datetime, checked_out_at: datetime, starts_at: datetime, ends_at: datetime, step: Decimal
) -> Decimal:
    """The time actually attended inside the activity's window (arriving early and staying late do not
    count, nor does travel), rounded down to the policy's step (e.g. 0.5 h)."""
    start, end = max(checked_in_at, starts_at), min(checked_out_at, ends_at)
    seconds = max((end - start).total_seconds(), 0)
    hours = Decimal(seconds) / Decimal(3600)
    return ((hours / step).to_integral_value(rounding=ROUND_FLOOR) * step).quantize(Decimal("0.01"))


def _activity_url(activity: Activity) -> str:
    return reverse("web:activity_detail", args=[activity.pk])


# ---- who may do what -----------------------------------------------------------------------------------


def may_organise(user: Any, activity: Activity) -> bool:
    """The community's admins, and for a unit's activity the unit's admins."""
    scope = scope_for(user)
    if scope.covers_region(activity.community, Role.COMMUNITY_ADMIN):
        return True
    return activity.organiser_unit_id is not None and activity.organiser_unit_id in scope.units(
        Role.UNIT_ADMIN
    )


def _require_organiser(user: Any, activity: Activity) -> None:
    if not may_organise(user, activity):
        raise Forbidden(_("只有活动的组织者（社区或组织单位的管理员）可以办理此事项。"))


def _own_member(user: Any) -> Member:
    member_id = scope_for(user).member_id
    if member_id is None:
        raise Forbidden(_("只有在职党员可以报名参加活动。"))
    return Member.objects.select_related("user").get(pk=member_id)


# ---- organising -------------------------------------------------------------------------------------------


def activity_create(
    *,
    actor: Any,
    community: Region,
    title: str,
    category: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    places: Any,
    description: str = "",
    grid: Region | None = None,
    organiser_unit: Unit | None = None,
    lat: Any = None,
    lng: Any = None,
    radius_m: Any = None,
    skills: Iterable[str] = (),
) -> Activity:
    """A community — or a co-building unit inside it — publishes an activity open to the members registered
    in the community."""
    if community.level != Level.COMMUNITY:
        raise _invalid("community", _("请选择社区。"))
    if grid is not None and (grid.level != Level.GRID or grid.parent_id != community.pk):
        raise _invalid("grid", _("网格不属于该社区。"))
    scope = scope_for(actor)
    if organiser_unit is not None:
        if organiser_unit.pk not in scope.units(Role.UNIT_ADMIN):
            raise Forbidden(_("只有单位党组织管理员可以以单位名义组织活动。"))
        if not UnitRegistration.objects.filter(
            unit=organiser_unit, community=community, status=RegistrationStatus.CONFIRMED
        ).exists():
            raise Forbidden(_("单位只能在已共建报到的社区组织活动。"))
    elif not scope.covers_region(community, Role.COMMUNITY_ADMIN):
        raise Forbidden(_("只有社区管理员或共建单位可以组织活动。"))
    title = _text(title, field="title", label=_("活动名称"), max_length=TITLE_MAX, required=True)
    description = _text(
        description, field="description", label=_("活动内容"), max_length=2000, required=False
    )
    location = _text(location, field="location", label=_("地点"), max_length=200, required=True)
    if category not in Category.values:
        raise _invalid("category", _("无法识别的分类：%(value)s。") % {"value": category})
    if starts_at is None or ends_at is None:
        raise _invalid("starts_at", _("请填写开始和结束时间。"))
    if ends_at <= starts_at:
        raise _invalid("ends_at", _("结束时间须晚于开始时间。"))
    if ends_at - starts_at > MAX_DURATION:
        raise _invalid("ends_at", _("一次活动最长 3 天；更长的服务请分成几次活动。"))
    if ends_at <= timezone.now():
        raise _invalid("ends_at", _("活动已经结束，不能再发布；请由组织者补录出勤。"))
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = 0
    if not 1 <= places <= MAX_PLACES:
        raise _invalid("places", _("名额须为 1 到 %(max)d 之间的整数。") % {"max": MAX_PLACES})
    lat_d = _coordinate(lat, field="lat", limit=90)
    lng_d = _coordinate(lng, field="lng", limit=180)
    if (lat_d is None) != (lng_d is None):
        raise _invalid("lat", _("纬度和经度须同时填写。"))
    radius: int | None = None
    if radius_m not in (None, ""):
        try:
            radius = int(radius_m)
        except (TypeError, ValueError):
            radius = 0
        if not 20 <= radius <= 5000:
            raise _invalid("radius_m", _("签到范围须为 20 到 5000 米。"))
        if lat_d is None:
            raise _invalid("radius_m", _("设置签到范围须同时填写活动地点的经纬度。"))
    return Activity.objects.create(
        community=community,
        grid=grid,
        path=(grid or community).path,
        organiser_unit=organiser_unit,
        title=title,
        category=category,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        lat=lat_d,
        lng=lng_d,
        radius_m=radius,
        places=places,
        skills=parse_skills(skills),
        secret=secrets.token_hex(32),
        created_by=actor,
    )


def checkin_code_for(*, actor: Any, activity: Activity, now: datetime | None = None) -> CheckinCode:
    """The code to show on the organiser's screen (and projector) now."""
    _require_organiser(actor, activity)
    if activity.status != Status.PUBLISHED:
        raise Conflict(_("活动已结束或已取消，不再签到。"), code="illegal_transition")
    code, expires_at = code_now(activity.pk, activity.secret, now or timezone.now())
    return CheckinCode(
        code=code,
        expires_at=expires_at,
        url_path=reverse("web:activity_checkin", args=[activity.pk]) + f"?code={code}",
    )


def activity_cancel(*, actor: Any, activity: Activity, reason: str) -> Activity:
    """The organiser calls an activity off before it ends; everyone signed up is told."""
    _require_organiser(actor, activity)
    reason = _text(reason, field="reason", label=_("原因"), max_length=REASON_MAX, required=True)
    with transaction.atomic():
        now = timezone.now()
        if not Activity.objects.filter(pk=activity.pk, status=Status.PUBLISHED, ends_at__gt=now).update(
            status=Status.CANCELLED, cancel_reason=reason
        ):
            raise Conflict(_("活动已结束或已取消。"), code="illegal_transition")
        if Signup.objects.filter(activity=activity).exclude(checked_in_at=None).exists():
            raise Conflict(_("已有人签到的活动不能取消；请结束活动。"), code="illegal_transition")
        signups = list(
            Signup.objects.filter(activity=activity, status__in=HOLDING).select_related("member__user")
        )
        Signup.objects.filter(activity=activity, status__in=HOLDING).update(
            status=SignupStatus.CANCELLED, cancelled_at=now
        )
        Activity.objects.filter(pk=activity.pk).update(taken=0)
        notify(
            users=[s.member.user for s in signups],
            title=_("活动已取消"),
            body=_("“%(title)s”已取消：%(reason)s") % {"title": activity.title, "reason": reason},
            url=_activity_url(activity),
        )
    activity.refresh_from_db()
    return activity


# ---- sign-up and the waitlist ----------------------------------------------------------------------------


def _check_overlap(member: Member, activity: Activity) -> None:
    clash = (
        Signup.objects.filter(
            member=member,
            status__in=HOLDING,
            activity__status=Status.PUBLISHED,
            activity__starts_at__lt=activity.ends_at,
            activity__ends_at__gt=activity.starts_at,
        )
        .exclude(activity=activity)
        .select_related("activity")
        .first()
    )
    if clash is not None:
        raise Conflict(
            _("与您已报名的“%(title)s”时间冲突。") % {"title": clash.activity.title}, code="overlap"
        )


def activity_signup(*, actor: Any, activity: Activity) -> Signup:
    """A registered member of the community signs up: a place if one is free, otherwise the waitlist."""
    member = _own_member(actor)
    if member.registered_community_id != activity.community_id:
        raise Forbidden(
            _("只有已在%(community)s报到的党员可以报名。") % {"community": activity.community.name}
        )
    with transaction.atomic():
        # one sign-up of this person at a time, so that two overlapping ones cannot both pass the check
        Member.objects.select_for_update().filter(pk=member.pk).first()
        # and one change to the activity's places at a time: a cancel (which moves the line up) or the
        # organiser calling it off must not slip between reading the places and joining the line
        current = (
            Activity.objects.select_for_update()
            .filter(pk=activity.pk)
            .values_list("status", "starts_at")
            .first()
        )
        if current is None or current[0] != Status.PUBLISHED:
            raise Conflict(_("活动已结束或已取消，不能报名。"), code="illegal_transition")
        if current[1] <= timezone.now():
            raise Conflict(_("活动已经开始，不能再报名。"), code="started")
        if Signup.objects.filter(activity=activity, member=member, status__in=HOLDING).exists():
            raise Conflict(_("您已经报名了这个活动。"), code="already_signed_up")
        _check_overlap(member, activity)
        got_place = Activity.objects.filter(pk=activity.pk, taken__lt=F("places")).update(
            taken=F("taken") + 1
        )
        try:
            with transaction.atomic():
                signup = Signup.objects.create(
                    activity=activity,
                    member=member,
                    status=SignupStatus.CONFIRMED if got_place else SignupStatus.WAITLISTED,
                )
        except IntegrityError:
            raise Conflict(_("您已经报名了这个活动。"), code="already_signed_up") from None
    return signup


def _promote_next(activity: Activity) -> Signup | None:
    """The first in line takes a free place, if there is one. Called inside the caller's transaction."""
    following = (
        Signup.objects.filter(activity=activity, status=SignupStatus.WAITLISTED)
        .select_related("member__user")
        .order_by("created_at", "id")
        .first()
    )
    if following is None:
        return None
    if not Activity.objects.filter(pk=activity.pk, taken__lt=F("places")).update(taken=F("taken") + 1):
        return None
    if not Signup.objects.filter(pk=following.pk, status=SignupStatus.WAITLISTED).update(
        status=SignupStatus.CONFIRMED, promoted_at=timezone.now()
    ):
        Activity.objects.filter(pk=activity.pk).update(taken=F("taken") - 1)
        return None
    notify(
        users=[following.member.user],
        title=_("候补成功，您已获得活动名额"),
        body=activity.title,
        url=_activity_url(activity),
    )
    following.refresh_from_db()
    return following


def activity_cancel_signup(*, actor: Any, activity: Activity) -> Signup:
    """The member withdraws before the activity starts; the first in line moves up and is told."""
    member = _own_member(actor)
    with transaction.atomic():
        Activity.objects.select_for_update().filter(pk=activity.pk).first()
        signup = Signup.objects.filter(activity=activity, member=member, status__in=HOLDING).first()
        if signup is None:
            raise Conflict(_("您没有报名这个活动。"), code="not_signed_up")
        if activity.starts_at <= timezone.now():
            raise Conflict(_("活动已经开始，不能取消报名。"), code="started")
        was_confirmed = signup.status == SignupStatus.CONFIRMED
        Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.CANCELLED, cancelled_at=timezone.now())
        if was_confirmed:
            Activity.objects.filter(pk=activity.pk, taken__gt=0).update(taken=F("taken") - 1)
            _promote_next(activity)
    signup.refresh_from_db()
    return signup


# ---- check-in and check-out ----------------------------------------------------------------------


def _position(activity: Activity, lat: Any, lng: Any) -> int | None:
    """Distance from the geofence's centre; refuses a position far outside it. None without a geofence or
    without a position (a member whose phone gives none is let in, and the community sees the flag)."""
    lat_d = _coordinate(lat, field="lat", limit=90)
    lng_d = _coordinate(lng, field="lng", limit=180)
    if not activity.geofenced or lat_d is None or lng_d is None:
        return None
    assert activity.lat is not None and activity.lng is not None and activity.radius_m is not None
    distance = distance_m(activity.lat, activity.lng, lat_d, lng_d)
    tolerated = min(activity.radius_m * GEOFENCE_TOLERANCE, activity.radius_m + GEOFENCE_TOLERANCE_MAX_M)
    if distance > tolerated:
        raise _invalid(
            "lat", _("您不在活动地点附近（距离约 %(distance)d 米），请到现场签到。") % {"distance": distance}
        )
    return distance


def _check_code(activity: Activity, signup: Signup, code: str, now: datetime) -> None:
    """The code must be the one on site now; wrong codes are counted and lock the member out for a while."""
    code_attempt(
        Signup.objects.filter(pk=signup.pk),
        accepted=code_accepted(activity.pk, activity.secret, code, now),
        now=now,
    )


def activity_checkin(
    *,
    actor: Any,
    activity: Activity,
    code: str,
    lat: Any = None,
    lng: Any = None,
    now: datetime | None = None,
) -> Signup:
    """签到 with the code shown on site, during the activity (from half an hour before). Twice is harmless."""
    now = now or timezone.now()
    member = _own_member(actor)
    signup = Signup.objects.filter(activity=activity, member=member, status__in=HOLDING).first()
    if signup is None:
        raise Conflict(_("您没有报名这个活动，请先报名。"), code="not_signed_up")
    if signup.status == SignupStatus.WAITLISTED:
        raise Conflict(_("您还在候补名单中，没有名额，不能签到。"), code="waitlisted")
    if signup.checked_in_at is not None:
        return signup
    if activity.status != Status.PUBLISHED:
        raise Conflict(_("活动已结束或已取消，不能签到。"), code="illegal_transition")
    if not activity.starts_at - CHECKIN_OPENS_BEFORE <= now <= activity.ends_at:
        raise Conflict(_("不在签到时间内（活动开始前半小时起，至活动结束）。"), code="outside_window")
    _check_code(activity, signup, code, now)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.status != Status.PUBLISHED:
            raise Conflict(_("活动已结束或已取消，不能签到。"), code="illegal_transition")
        distance = _position(activity, lat, lng)
        Signup.objects.filter(pk=signup.pk, checked_in_at=None).update(
            checked_in_at=now, checkin_distance_m=distance, attendance=Attendance.CHECKED_IN
        )
    signup.refresh_from_db()
    return signup


def activity_checkout(
    *,
    actor: Any,
    activity: Activity,
    code: str,
    lat: Any = None,
    lng: Any = None,
    now: datetime | None = None,
) -> Signup:
    """签退 with the code on site: the hours attended go into the ledger. Twice is harmless."""
    now = now or timezone.now()
    member = _own_member(actor)
    signup = (
        Signup.objects.filter(activity=activity, member=member, status=SignupStatus.CONFIRMED)
        .select_related("member")
        .first()
    )
    if signup is None or signup.checked_in_at is None:
        raise Conflict(_("您还没有签到，不能签退。"), code="not_checked_in")
    if signup.checked_out_at is not None:
        return signup
    if activity.status != Status.PUBLISHED:
        raise Conflict(_("活动已结束，组织者已结算出勤。"), code="illegal_transition")
    if now > activity.ends_at + CHECKOUT_CLOSES_AFTER:
        raise Conflict(_("已过签退时间，请联系组织者结算。"), code="outside_window")
    _check_code(activity, signup, code, now)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.status != Status.PUBLISHED:
            raise Conflict(_("活动已结束，组织者已结算出勤。"), code="illegal_transition")
        if Signup.objects.filter(pk=signup.pk).exclude(checked_out_at=None).exists():
            signup.refresh_from_db()
            return signup  # checked out by a request that got here first
        distance = _position(activity, lat, lng)
        _credit(activity, signup, checked_out_at=now, attendance=Attendance.ATTENDED, verified_by=None)
        Signup.objects.filter(pk=signup.pk).update(checkout_distance_m=distance)
    signup.refresh_from_db()
    return signup


def _credit(
    activity: Activity,
    signup: Signup,
    *,
    checked_out_at: datetime | None,
    attendance: str,
    verified_by: Any,
    hours: Decimal | None = None,
    checked_in_at: datetime | None = None,
) -> Decimal:
    """Settle one sign-up's hours and write them to the ledger (nothing for zero hours)."""
    checked_in_at = checked_in_at or signup.checked_in_at
    if hours is None:
        assert checked_in_at is not None and checked_out_at is not None
        step = policy_in_force(activity.community.district_code, on=timezone.localdate(activity.starts_at))
        hours = attended_hours(
            checked_in_at, checked_out_at, activity.starts_at, activity.ends_at, step.hours_rounding
        )
    Signup.objects.filter(pk=signup.pk).update(
        checked_in_at=checked_in_at, checked_out_at=checked_out_at, hours=hours, attendance=attendance
    )
    if hours > 0:
        record_write(
            source=Source.ACTIVITY,
            member=signup.member,
            unit=None,
            community=activity.community,
            path=activity.path,
            title=activity.title,
            category=activity.category,
            hours=hours,
            # the service happened inside the activity's window: its day (and so its policy, its points'
            # year and its certificate period) is never moved by an early arrival or a hand-typed time
            served_at=max(checked_in_at, activity.starts_at) if checked_in_at else activity.starts_at,
            verified_by=verified_by or activity.created_by,
            activity=activity,
            signup=signup,
            attempt=ServiceRecord.objects.filter(signup=signup, reverses__isnull=True)
            .exclude(reversed_by=None)
            .count(),
        )
    return hours


def _standing_record(signup: Signup) -> ServiceRecord | None:
    """The sign-up's credit in the ledger that has not been reversed, if any."""
    return ServiceRecord.objects.filter(
        signup=signup, reverses__isnull=True, reversed_by__isnull=True
    ).first()


def attendance_record(
    *,
    actor: Any,
    activity: Activity,
    member: Member,
    reason: str,
    hours: Any = None,
    checked_in_at: datetime | None = None,
    checked_out_at: datetime | None = None,
    request: Any = None,
) -> Signup:
    """人工补录: the organiser records a member's attendance by hand — hours, or arrival and departure within
    the activity's time (check-in and check-out grace included) — with a reason. Audited; hours beyond the
    activity's window are accepted and flagged for the community. Allowed while the sign-up has no standing
    credit: never recorded, left with no hours by the closing rule, a no-show (whose deduction is taken back),
    or a credit the community reversed."""
    _require_organiser(actor, activity)
    reason = _text(reason, field="reason", label=_("补录原因"), max_length=REASON_MAX, required=True)
    if member.registered_community_id != activity.community_id:
        raise _invalid(
            "member", _("该党员没有在%(community)s报到。") % {"community": activity.community.name}
        )
    given_hours: Decimal | None = None
    if hours not in (None, ""):
        try:
            given_hours = Decimal(str(hours)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            given_hours = Decimal(-1)
        if not Decimal(0) < given_hours <= Decimal(72):
            raise _invalid("hours", _("时长须大于 0 且不超过 72 小时。"))
    elif checked_in_at is None or checked_out_at is None:
        raise _invalid("hours", _("请填写时长，或签到和签退时间。"))
    if checked_in_at is not None or checked_out_at is not None:
        if checked_in_at is None or checked_out_at is None:
            raise _invalid("checked_in_at", _("签到和签退时间须同时填写。"))
        if checked_out_at <= checked_in_at:
            raise _invalid("checked_out_at", _("签退时间须晚于签到时间。"))
        if checked_in_at < activity.starts_at - CHECKIN_OPENS_BEFORE:
            raise _invalid("checked_in_at", _("签到时间须在活动开始前半小时之后。"))
        if checked_out_at > activity.ends_at + CHECKOUT_CLOSES_AFTER:
            raise _invalid("checked_out_at", _("签退时间须在活动结束后两小时之内。"))
    if activity.starts_at > timezone.now():
        raise Conflict(_("活动还没有开始，不能补录出勤。"), code="not_started")
    with transaction.atomic():
        activity = Activity.objects.select_for_update().select_related("community").get(pk=activity.pk)
        if activity.status == Status.CANCELLED:
            raise Conflict(_("活动已取消。"), code="illegal_transition")
        signup = Signup.objects.filter(activity=activity, member=member, status__in=HOLDING).first()
        if signup is None:  # a walk-in: it takes a place if one is free (the count never passes the places)
            Activity.objects.filter(pk=activity.pk, taken__lt=F("places")).update(taken=F("taken") + 1)
            signup = Signup.objects.create(activity=activity, member=member, status=SignupStatus.CONFIRMED)
        if _standing_record(signup) is not None or signup.attendance == Attendance.CHECKED_IN:
            raise Conflict(
                _(
                    "该党员的出勤已经记入台账（或已签到、正等签退），不能重复补录；"
                    "如记录有误，请社区在“出勤核查”或“服务记录”中冲销并注明原因后再补录。"
                ),
                code="already_recorded",
            )
        if signup.status == SignupStatus.WAITLISTED:
            Activity.objects.filter(pk=activity.pk, taken__lt=F("places")).update(taken=F("taken") + 1)
            Signup.objects.filter(pk=signup.pk).update(
                status=SignupStatus.CONFIRMED, promoted_at=timezone.now()
            )
        if signup.attendance == Attendance.NO_SHOW:
            points_no_show_reverse(signup=signup)
        signup.member = member
        credited = _credit(
            activity,
            signup,
            checked_in_at=checked_in_at or activity.starts_at,
            checked_out_at=checked_out_at,
            attendance=Attendance.MANUAL,
            verified_by=actor,
            hours=given_hours,
        )
        Signup.objects.filter(pk=signup.pk).update(manual_reason=reason, recorded_by=actor)
        audit_record(
            action=Action.ATTENDANCE_RECORDED,
            actor=actor,
            target=signup,
            detail={"activity": activity.pk, "member": member.pk, "hours": str(credited), "reason": reason},
            request=request,
        )
    signup.refresh_from_db()
    return signup


# ---- closing -------------------------------------------------------------------------------------


class ForgottenCheckout:
    """What the organiser confirms for those who checked in but never out."""

    END_OF_ACTIVITY = "end"  # count until the activity's end
    NO_HOURS = "none"  # count nothing

    CHOICES = (END_OF_ACTIVITY, NO_HOURS)


@dataclass(frozen=True)
class ClosingSummary:
    attended: int
    closed_by_rule: int
    no_shows: int


def activity_close(*, actor: Any, activity: Activity, forgotten_checkout: str) -> ClosingSummary:
    """结束活动 after its end: forgotten check-outs are settled by the rule the organiser confirms, confirmed
    sign-ups that never checked in are recorded as no-shows (with the policy's point deduction). Once."""
    _require_organiser(actor, activity)
    if forgotten_checkout not in ForgottenCheckout.CHOICES:
        raise _invalid("forgotten_checkout", _("请选择未签退人员的结算方式。"))
    now = timezone.now()
    if activity.ends_at > now:
        raise Conflict(_("活动还没有结束。"), code="not_ended")
    with transaction.atomic():
        if not Activity.objects.filter(pk=activity.pk, status=Status.PUBLISHED).update(
            status=Status.CLOSED, closed_at=now, closed_by=actor
        ):
            raise Conflict(_("活动已经结束或已取消。"), code="illegal_transition")
        activity = Activity.objects.select_related("community").get(pk=activity.pk)
        confirmed = list(
            Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED).select_related(
                "member__user"
            )
        )
        by_rule = no_shows = attended = 0
        # the records' aggregates are applied in one global order at the end: no deadlock between closings
        with stats_batch():
            for signup in confirmed:
                if signup.checked_in_at is None and signup.attendance == Attendance.NONE:
                    Signup.objects.filter(pk=signup.pk).update(attendance=Attendance.NO_SHOW)
                    points_no_show(
                        signup=signup, community=activity.community, on=timezone.localdate(activity.starts_at)
                    )
                    no_shows += 1
                elif signup.attendance == Attendance.CHECKED_IN:
                    # checked in, never out (attendance recorded by hand may carry no check-out time: it is
                    # settled already)
                    if forgotten_checkout == ForgottenCheckout.END_OF_ACTIVITY:
                        _credit(
                            activity,
                            signup,
                            checked_out_at=activity.ends_at,
                            attendance=Attendance.CLOSED_BY_RULE,
                            verified_by=actor,
                        )
                    else:
                        Signup.objects.filter(pk=signup.pk).update(
                            attendance=Attendance.CLOSED_BY_RULE, hours=0
                        )
                    by_rule += 1
                else:
                    attended += 1
    return ClosingSummary(attended=attended, closed_by_rule=by_rule, no_shows=no_shows)
