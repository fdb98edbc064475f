"""Pages of the organisers (the community's admins, and a co-building unit's admins for its own activities)
and of the community: the community's activities, a new activity, the rotating check-in code (and its
projector view), the attendance sheet with attendance by hand, closing and calling off, the attendance flags
to review, and the ranking of the community's members by points. The member's pages (an activity's detail,
sign-up, check-in) are in `activities.py`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.activities import selectors, services
from baodao.activities.models import Activity, Attendance, Signup, SignupStatus, Status
from baodao.activities.qr import qr_svg
from baodao.activities.services import CHECKIN_OPENS_BEFORE, CHECKOUT_CLOSES_AFTER, ForgottenCheckout
from baodao.ledger.models import PointEntry, ServiceRecord
from baodao.lib.errors import DomainError, Forbidden
from baodao.lib.numbers import hours_text
from baodao.lib.urls import public_url
from baodao.members.models import Member
from baodao.members.selectors import members_visible_to
from baodao.org.models import Level, Region
from baodao.org.selectors import region_get, regions_visible_to, unit_get_for_user

from ..activity_admin_forms import ActivityForm, AttendanceForm, CallOffForm, CloseForm, YearForm
from .common import forbidden, paginate, refusals_as_messages
from .community import _region_for_user

#: the code page reloads itself when its code is replaced, and at least this often (a projector whose reload
#: failed once catches up on its own)
REFRESH_MAX_SECONDS = 15

#: the attendance sheet: places first, then the line in its order, the cancelled last
SIGNUP_ORDER = Case(
    When(status=SignupStatus.CONFIRMED, then=Value(0)),
    When(status=SignupStatus.WAITLISTED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _organised(request: HttpRequest, pk: int) -> Activity:
    """The activity, if the caller organises it: 404 when out of scope, 403 when visible but not its own."""
    activity = selectors.activity_get_for_user(request.user, pk)
    if not services.may_organise(request.user, activity):
        raise PermissionDenied(_("只有活动的组织者（社区或组织单位的管理员）可以打开此页。"))
    return activity


@dataclass(frozen=True)
class Phase:
    """Where an activity stands, for a badge: its status and, while published, the clock."""

    key: str
    label: str
    badge: str


@dataclass(frozen=True)
class Row:
    activity: Activity
    phase: Phase
    organised: bool


def _phase(activity: Activity, now: datetime) -> Phase:
    if activity.status == Status.CANCELLED:
        return Phase("cancelled", _("已取消"), "neutral")
    if activity.status == Status.CLOSED:
        return Phase("closed", _("已结束"), "ok")
    if activity.ends_at <= now:
        return Phase("to_close", _("待结束确认"), "bad")
    if activity.starts_at <= now:
        return Phase("running", _("进行中"), "info")
    return Phase("open", _("报名中"), "wait")


# ---- the community's activities ------------------------------------------------------------------------


@login_required
def community_activities(request: HttpRequest, code: str) -> HttpResponse:
    """The community's activities: those still to come (or running) first, soonest first; then the past ones,
    latest first — with places, taken and the waitlist."""
    community = _region_for_user(request, code, Level.COMMUNITY)
    now = timezone.now()
    upcoming = Q(ends_at__gt=now)
    activities = (
        selectors.activities_visible_to(request.user)
        .filter(community=community)
        .annotate(waitlisted=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)))
        .order_by(
            Case(When(upcoming, then=Value(0)), default=Value(1), output_field=IntegerField()),
            Case(When(upcoming, then=F("starts_at"))).asc(nulls_last=True),
            F("starts_at").desc(),
            "-id",
        )
    )
    page = paginate(request, activities)
    rows = [Row(a, _phase(a, now), services.may_organise(request.user, a)) for a in page]
    return render(
        request,
        "web/community_activities.html",
        {
            "community": community,
            "page": page,
            "rows": rows,
            "can_create": scope_for(request.user).covers_region(community, Role.COMMUNITY_ADMIN),
            "tab": "activities",
        },
    )


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    """A new activity: `?community=<code>` for the community's own, `?unit=<code>&community=<code>` for a
    co-building unit's inside that community."""
    community = region_get(request.GET.get("community", ""), level=Level.COMMUNITY)
    unit_code = request.GET.get("unit", "")
    unit = unit_get_for_user(request.user, unit_code) if unit_code else None
    scope = scope_for(request.user)
    if unit is not None and unit.pk not in scope.units(Role.UNIT_ADMIN):
        raise PermissionDenied(_("只有单位党组织管理员可以以单位名义组织活动。"))
    if unit is None and not scope.covers_region(community, Role.COMMUNITY_ADMIN):
        raise PermissionDenied(_("只有社区管理员或共建单位可以组织活动。"))
    grids = {
        g.code: g
        for g in regions_visible_to(request.user).filter(parent=community, level=Level.GRID).order_by("path")
    }
    form = ActivityForm(request.POST or None, grids=[(g.code, g.name) for g in grids.values()])
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                actor=request.user, community=community, organiser_unit=unit, **form.submission(grids)
            )
        except Forbidden as exc:
            raise forbidden(exc) from exc
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request, _("已发布“%(title)s”，本社区报到的党员现在可以报名。") % {"title": activity.title}
            )
            return redirect("web:activity_detail", activity.pk)
    return render(
        request,
        "web/activity_admin_new.html",
        {
            "community": community,
            "unit": unit,
            "form": form,
            "tab": "activities",
            "show_tabs": scope.covers_region(community, Role.COMMUNITY_ADMIN),
        },
    )


# ---- the check-in code -----------------------------------------------------------------------------------


def _code_page(request: HttpRequest, pk: int, template: str) -> HttpResponse:
    activity = selectors.activity_get_for_user(request.user, pk)
    now = timezone.now()
    context: dict[str, Any] = {"activity": activity}
    try:
        code = services.checkin_code_for(actor=request.user, activity=activity, now=now)
    except Forbidden as exc:
        raise forbidden(exc) from exc
    except DomainError as exc:  # ended or called off: nothing to show, nothing to refresh
        context["refusal"] = exc.detail
    else:
        seconds_left = max(math.ceil((code.expires_at - now).total_seconds()), 1)
        url = public_url(request, code.url_path)
        context.update(
            code=code.code,
            code_parts=(code.code[:3], code.code[3:]),
            expires_at=code.expires_at,
            seconds_left=seconds_left,
            refresh_seconds=min(seconds_left, REFRESH_MAX_SECONDS),
            checkin_url=url,
            qr_svg=mark_safe(qr_svg(url)),  # noqa: S308 - segno's own markup
            checkin_opens=activity.starts_at - CHECKIN_OPENS_BEFORE,
            checkout_closes=activity.ends_at + CHECKOUT_CLOSES_AFTER,
        )
    return render(request, template, context)


@never_cache
@login_required
def activity_code(request: HttpRequest, pk: int) -> HttpResponse:
    """签到码 on the organiser's phone or laptop: the code, when it changes, and a QR code of the check-in
    page with the code filled in. The page reloads itself when the code changes."""
    return _code_page(request, pk, "web/activity_admin_code.html")


@never_cache
@login_required
def activity_projector(request: HttpRequest, pk: int) -> HttpResponse:
    """The same, full screen, for a projector at the door."""
    return _code_page(request, pk, "web/activity_admin_projector.html")


# ---- attendance ---------------------------------------------------------------------------------------


def _member_choices(request: HttpRequest, activity: Activity) -> dict[str, Member]:
    """Members the organiser may record: those registered in the activity's community that it can see."""
    members = (
        members_visible_to(request.user)
        .filter(registered_community_id=activity.community_id)
        .order_by("user__name", "pk")
    )
    return {str(m.pk): m for m in members}


def _attendance_counts(activity: Activity) -> dict[str, int]:
    confirmed = Q(status=SignupStatus.CONFIRMED)
    return Signup.objects.filter(activity=activity).aggregate(
        confirmed=Count("id", filter=confirmed),
        waitlisted=Count("id", filter=Q(status=SignupStatus.WAITLISTED)),
        cancelled=Count("id", filter=Q(status=SignupStatus.CANCELLED)),
        checked_in=Count("id", filter=confirmed & Q(checked_in_at__isnull=False)),
        forgot_checkout=Count("id", filter=confirmed & Q(attendance=Attendance.CHECKED_IN)),
        absent=Count("id", filter=confirmed & Q(checked_in_at__isnull=True, attendance=Attendance.NONE)),
    )


def _signups(activity: Activity) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(activity=activity)
        .select_related("member__user", "member__unit", "recorded_by")
        .annotate(
            line=Window(
                RowNumber(), partition_by=[F("status")], order_by=[F("created_at").asc(), F("id").asc()]
            )
        )
        .order_by(SIGNUP_ORDER, "created_at", "id")
    )


@login_required
def activity_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """出勤: the sign-ups (places, the waitlist in its order, the cancelled), how each attended, and the
    organiser's forms — attendance by hand (audited), closing after the end, calling off before it."""
    activity = _organised(request, pk)
    members = _member_choices(request, activity)
    choices = [
        (key, _("%(name)s（%(unit)s）") % {"name": m.user.name, "unit": m.unit.name})
        for key, m in members.items()
    ]
    form = AttendanceForm(request.POST or None, members=choices)
    if request.method == "POST" and form.is_valid():
        try:
            signup = services.attendance_record(
                actor=request.user, activity=activity, request=request, **form.record(members)
            )
        except Forbidden as exc:
            raise forbidden(exc) from exc
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("已为%(name)s补录出勤，计 %(hours)s 小时。")
                % {"name": signup.member.user.name, "hours": hours_text(signup.hours or 0)},
            )
            return redirect("web:activity_attendance", activity.pk)
    now = timezone.now()
    published = activity.status == Status.PUBLISHED
    return render(
        request,
        "web/activity_admin_attendance.html",
        {
            "activity": activity,
            "phase": _phase(activity, now),
            "page": paginate(request, _signups(activity)),
            "counts": _attendance_counts(activity),
            "form": form,
            "can_record": activity.status != Status.CANCELLED and activity.starts_at <= now,
            "can_close": published and activity.ends_at <= now,
            "can_call_off": published and activity.ends_at > now,
            "close_form": CloseForm(auto_id="close_%s"),
            "call_off_form": CallOffForm(auto_id="call_off_%s"),
            "show_code": published and activity.ends_at + CHECKOUT_CLOSES_AFTER > now,
        },
    )


@login_required
@require_POST
def activity_close(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(request.user, pk)
    rule = request.POST.get("forgotten_checkout", "")
    with refusals_as_messages(request):
        summary = services.activity_close(actor=request.user, activity=activity, forgotten_checkout=rule)
        settled = _("按活动结束时间结算") if rule == ForgottenCheckout.END_OF_ACTIVITY else _("不计时长")
        messages.success(
            request,
            _(
                "活动已结束：%(attended)d 人已签到签退或补录；%(by_rule)d 人未签退，%(settled)s；"
                "%(no_shows)d 人报名未到，记为缺席。"
            )
            % {
                "attended": summary.attended,
                "by_rule": summary.closed_by_rule,
                "settled": settled,
                "no_shows": summary.no_shows,
            },
        )
    return redirect("web:activity_attendance", activity.pk)


@login_required
@require_POST
def activity_call_off(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(request.user, pk)
    with refusals_as_messages(request):
        services.activity_cancel(actor=request.user, activity=activity, reason=request.POST.get("reason", ""))
        messages.success(
            request, _("已取消“%(title)s”，已报名和候补的党员会收到通知。") % {"title": activity.title}
        )
    return redirect("web:activity_attendance", activity.pk)


# ---- the community: flags and points --------------------------------------------------------------------


@login_required
def attendance_flags(request: HttpRequest, code: str) -> HttpResponse:
    """出勤核查: attendance that deserves a second look, with a 冲销 (reversal) form on each standing record
    for the community's admins."""
    community = _region_for_user(request, code, Level.COMMUNITY)
    return render(
        request,
        "web/attendance_flags.html",
        {
            "community": community,
            "page": paginate(request, selectors.attendance_flags(community)),
            "can_reverse": scope_for(request.user).covers_region(community, Role.COMMUNITY_ADMIN),
            "tab": "flags",
        },
    )


def _points_ranking(members: QuerySet[Member], year: int) -> QuerySet[Member]:
    """Members with their points and net service hours in the year, most points first, ties by name."""
    points = (
        PointEntry.objects.filter(member=OuterRef("pk"), year=year)
        .order_by()
        .values("member")
        .annotate(total=Sum("points"))
        .values("total")
    )
    here = timezone.get_current_timezone()
    start, end = datetime(year, 1, 1, tzinfo=here), datetime(year + 1, 1, 1, tzinfo=here)
    hours = (
        ServiceRecord.objects.filter(member=OuterRef("pk"), served_at__gte=start, served_at__lt=end)
        .order_by()
        .values("member")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))
    return members.annotate(
        points=Coalesce(Subquery(points, output_field=DecimalField(max_digits=12, decimal_places=2)), zero),
        hours=Coalesce(Subquery(hours, output_field=DecimalField(max_digits=12, decimal_places=2)), zero),
    ).order_by("-points", "user__name", "pk")


@login_required
def community_points(request: HttpRequest, code: str) -> HttpResponse:
    """积分排行: the community's registered members by their points in a year."""
    community: Region = _region_for_user(request, code, Level.COMMUNITY)
    form = YearForm(request.GET or None)
    year = form.chosen_year()
    members = members_visible_to(request.user).filter(registered_community=community)
    return render(
        request,
        "web/community_points.html",
        {
            "community": community,
            "form": form,
            "year": year,
            "page": paginate(request, _points_ranking(members, year)),
            "tab": "points",
        },
    )
