"""Reads of activities and sign-ups through the caller's scope, and the flags the community reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for, under
from baodao.ledger.models import ServiceRecord
from baodao.members.models import Member
from baodao.org.models import Region
from baodao.registration.models import Status as RegistrationStatus
from baodao.registration.models import UnitRegistration

from .models import HOLDING, Activity, Attendance, Signup, SignupStatus, Status


def activities_visible_to(user: Any) -> QuerySet[Activity]:
    """Region admins: activities in their subtrees. A member: those of the community it is registered in, and
    any it signed up to. A unit admin: its units' activities and those of the communities they co-build."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Activity.objects.none()
    q = under("path", scope.paths())
    if scope.member_id:
        q |= Q(community__in=Member.objects.filter(pk=scope.member_id).values("registered_community"))
        q |= Q(signups__member_id=scope.member_id)
    units = scope.units(Role.UNIT_ADMIN)
    if units:
        co_built = UnitRegistration.objects.filter(unit_id__in=units, status=RegistrationStatus.CONFIRMED)
        q |= Q(organiser_unit_id__in=units) | Q(community__in=co_built.values("community"))
    ids = Activity.objects.filter(q).values("pk")
    return Activity.objects.filter(pk__in=ids).select_related("community", "grid", "organiser_unit")


def activity_get_for_user(user: Any, pk: Any) -> Activity:
    try:
        return activities_visible_to(user).get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404(gettext("没有找到该活动。")) from None


def upcoming_for_member(member: Member, *, now: datetime | None = None) -> QuerySet[Activity]:
    """Activities of the member's community still open for sign-up, soonest first."""
    now = now or timezone.now()
    if member.registered_community_id is None:
        return Activity.objects.none()
    return (
        Activity.objects.filter(
            community_id=member.registered_community_id, status=Status.PUBLISHED, starts_at__gt=now
        )
        .select_related("community", "grid", "organiser_unit")
        .order_by("starts_at", "id")
    )


def signups_of_member(member_id: int) -> QuerySet[Signup]:
    return Signup.objects.filter(member_id=member_id).select_related("activity__community")


def signup_of(member_id: int | None, activity: Activity) -> Signup | None:
    if member_id is None:
        return None
    return Signup.objects.filter(activity=activity, member_id=member_id, status__in=HOLDING).first()


def waitlist_position(signup: Signup) -> int | None:
    """1 for the first in line."""
    if signup.status != SignupStatus.WAITLISTED:
        return None
    ahead = Signup.objects.filter(activity_id=signup.activity_id, status=SignupStatus.WAITLISTED).filter(
        Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, id__lt=signup.id)
    )
    return ahead.count() + 1


class Flag:
    OVERLAP = "overlap"
    BEYOND_WINDOW = "beyond_window"
    OUTSIDE_GEOFENCE = "outside_geofence"
    NO_POSITION = "no_position"
    NO_CHECKOUT = "no_checkout"

    LABELS = {
        OVERLAP: _("同一时间在两处签到"),
        BEYOND_WINDOW: _("时长超过活动时段"),
        OUTSIDE_GEOFENCE: _("签到或签退位置在范围外"),
        NO_POSITION: _("签到未提供位置"),
        NO_CHECKOUT: _("未签退，按活动结束时间计时"),
    }


@dataclass(frozen=True)
class FlaggedAttendance:
    signup: Signup
    flags: tuple[str, ...]
    record: ServiceRecord | None

    @property
    def labels(self) -> list[str]:
        return [str(Flag.LABELS[f]) for f in self.flags]


def attendance_flags(community: Region, *, since: date | None = None) -> list[FlaggedAttendance]:
    """Attendance in the community that deserves a second look: the same member checked in at two places at
    once, hours beyond the activity's window, check-ins outside the geofence or without a position. The
    community may reverse the record (a reversing entry) with a reason."""
    signups = (
        Signup.objects.filter(activity__community=community, hours__isnull=False)
        .exclude(attendance=Attendance.NONE)
        .select_related("activity", "member__user")
        .order_by("-activity__starts_at", "id")
    )
    if since is not None:
        signups = signups.filter(activity__starts_at__date__gte=since)
    signups_list = list(signups[:2000])
    member_ids = {s.member_id for s in signups_list}
    # every timed attendance of these members anywhere, to find two places at once
    timed = list(
        Signup.objects.filter(member_id__in=member_ids, checked_in_at__isnull=False, hours__gt=0)
        .exclude(checked_out_at=None)
        .values_list("pk", "member_id", "checked_in_at", "checked_out_at")
    )
    by_member: dict[int, list[tuple[int, datetime, datetime]]] = {}
    for pk, member_id, start, end in timed:
        if start is not None and end is not None:
            by_member.setdefault(member_id, []).append((pk, start, end))
    records = {  # a sign-up credited again after a reversal: its latest attempt (the one standing) wins
        r.signup_id: r
        for r in ServiceRecord.objects.filter(signup__in=[s.pk for s in signups_list], reverses__isnull=True)
        .select_related("reversed_by")
        .order_by("attempt")
    }
    result = []
    for signup in signups_list:
        flags: list[str] = []
        if signup.checked_in_at and signup.checked_out_at:
            for pk, start, end in by_member.get(signup.member_id, []):
                if pk != signup.pk and start < signup.checked_out_at and signup.checked_in_at < end:
                    flags.append(Flag.OVERLAP)
                    break
        window_hours = signup.activity.duration.total_seconds() / 3600
        if signup.hours is not None and float(signup.hours) > window_hours:
            flags.append(Flag.BEYOND_WINDOW)
        if signup.activity.geofenced and signup.checked_in_at and signup.attendance != Attendance.MANUAL:
            radius = signup.activity.radius_m or 0
            if signup.checkin_distance_m is None:
                flags.append(Flag.NO_POSITION)
            if any(
                d is not None and d > radius for d in (signup.checkin_distance_m, signup.checkout_distance_m)
            ):
                flags.append(Flag.OUTSIDE_GEOFENCE)
        if signup.attendance == Attendance.CLOSED_BY_RULE and signup.hours:
            flags.append(Flag.NO_CHECKOUT)
        if flags:
            result.append(FlaggedAttendance(signup=signup, flags=tuple(flags), record=records.get(signup.pk)))
    return result
