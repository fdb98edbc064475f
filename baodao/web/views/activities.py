"""Members' pages of volunteer activities, their service and their certificates: the activities of the
community one is registered in, an activity with sign-up, cancellation, 签到 and 签退 (the page the check-in
QR code opens), 我的服务 (the district's minimum, points, certificates), the points history, certificates as
PDF, and the public verification of a certificate's number.

Every action is one POST that calls one service inside `refusals_as_messages` and returns to the activity's
page: a refusal (400/409) comes back as a message, a 403 as the 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from baodao.accounts.scope import scope_for
from baodao.activities import services
from baodao.activities.models import HOLDING, Activity, Attendance, Signup, SignupStatus, Status
from baodao.activities.selectors import (
    activities_visible_to,
    activity_get_for_user,
    signups_of_member,
    upcoming_for_member,
    waitlist_position,
)
from baodao.certificates.responses import certificate_pdf_response
from baodao.certificates.selectors import certificate_get_for_user, certificates_of_member
from baodao.certificates.services import certificate_issue
from baodao.certificates.services import certificate_verify as verify_number
from baodao.ledger.models import ServiceRecord
from baodao.ledger.points import points_balance
from baodao.ledger.selectors import records_of_member
from baodao.ledger.summary import point_entries_of_member, service_summary
from baodao.lib.errors import DomainError
from baodao.lib.numbers import hours_text
from baodao.lib.urls import public_url
from baodao.members.models import Member, Skill
from baodao.members.selectors import member_get_for_user
from baodao.org.selectors import communities_administered_by

from ..activity_forms import AttendanceCodeForm, CertificateForm, CertificateLookupForm
from ..need_forms import first_error
from .common import paginate, refusals_as_messages

#: the member's current sign-ups shown at once (a member holds a handful at most)
SIGNUPS_LIMIT = 20
RECENT_RECORDS = 10
RECENT_CERTIFICATES = 5
SKILL_LABELS = dict(Skill.choices)


# ---- who is looking ---------------------------------------------------------------------------------


def _member(request: HttpRequest) -> Member | None:
    member_id = scope_for(request.user).member_id
    return member_get_for_user(request.user, member_id) if member_id else None


def _own_member(request: HttpRequest) -> Member:
    member = _member(request)
    if member is None:
        raise Http404(_("您还没有党员档案，请联系本单位党组织。"))
    return member


def _with_counts(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """Each with its places left (`free`) and the length of its waitlist (`waiting`)."""
    return activities.annotate(
        free=F("places") - F("taken"),
        waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)),
    )


def _skill_tags(codes: list[str], mine: list[str]) -> list[dict[str, Any]]:
    return [{"label": SKILL_LABELS.get(code, code), "match": code in mine} for code in codes or []]


def _current_signups(member: Member) -> list[Signup]:
    """The member's places and places in line for activities not yet over (check-out stays open a while after
    the end) and not yet settled, soonest first, each with its place in line."""
    since = timezone.now() - services.CHECKOUT_CLOSES_AFTER
    signups = list(
        signups_of_member(member.pk)
        .filter(status__in=HOLDING, activity__status=Status.PUBLISHED, activity__ends_at__gte=since)
        .filter(hours__isnull=True)
        .order_by("activity__starts_at", "activity_id")[:SIGNUPS_LIMIT]
    )
    for signup in signups:
        signup.position = waitlist_position(signup)  # type: ignore[attr-defined]
    return signups


# ---- 志愿活动 -----------------------------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    """A member: the coming activities of the community it is registered in, and its own sign-ups. Admins of
    regions and units: the activities they can see, leading to the organisers' pages. Someone who is both
    chooses with `?view=manage`."""
    member = _member(request)
    scope = scope_for(request.user)
    if member is None and not scope.is_admin:
        raise Http404(_("只有在职党员和管理员可以查看志愿活动。"))
    manage = scope.is_admin and (member is None or request.GET.get("view") == "manage")
    ctx: dict[str, Any] = {"member": member, "manage": manage, "both": member is not None and scope.is_admin}
    if manage:
        past = request.GET.get("when") == "past"
        now = timezone.now()
        visible = _with_counts(activities_visible_to(request.user))
        visible = (
            visible.filter(ends_at__lt=now).order_by("-starts_at", "-id")
            if past
            else visible.filter(ends_at__gte=now).order_by("starts_at", "id")
        )
        page = paginate(request, visible)
        ctx.update(
            page=page,
            past=past,
            organised={a.pk for a in page if services.may_organise(request.user, a)},
            communities=list(communities_administered_by(request.user).order_by("path")),
        )
    elif member is not None and member.registered_community_id:
        page = paginate(request, _with_counts(upcoming_for_member(member)))
        signups = _current_signups(member)
        held = {s.activity_id: s for s in signups}
        ctx.update(
            page=page,
            signups=signups,
            cards=[
                {"activity": a, "skill_tags": _skill_tags(a.skills, member.skills), "mine": held.get(a.pk)}
                for a in page
            ],
        )
    return render(request, "web/activity_list.html", ctx)


def _latest_signup(member: Member | None, activity: Activity) -> Signup | None:
    """The member's sign-up for the activity: the one holding a place or a place in line, else the last one
    it cancelled."""
    if member is None:
        return None
    return signups_of_member(member.pk).filter(activity=activity).order_by("-created_at", "-id").first()


def _credit_reversed(signup: Signup | None) -> bool:
    """Whether the community reversed the sign-up's latest credit in the ledger (and nobody credited it
    again since). One query, for a confirmed sign-up only."""
    if signup is None or signup.status != SignupStatus.CONFIRMED:
        return False
    latest = (
        ServiceRecord.objects.filter(signup=signup, reverses__isnull=True)
        .order_by("-id")
        .values_list("reversed_by", flat=True)[:1]
    )
    return any(reversal is not None for reversal in latest)


def _detail_context(request: HttpRequest, activity: Activity, *, code: str = "") -> dict[str, Any]:
    """The activity as the viewer sees it, and exactly the forms open to it now. `code` (from the QR code)
    fills in the 签到 form only: the 签退 form always asks for the code on site now, so that scanning the
    QR code a second time never checks one out with a single tap."""
    now = timezone.now()
    member = _member(request)
    signup = _latest_signup(member, activity)
    holding = signup is not None and signup.status in HOLDING
    confirmed = signup is not None and signup.status == SignupStatus.CONFIRMED
    published = activity.status == Status.PUBLISHED
    started = activity.starts_at <= now
    checkin_opens = activity.starts_at - services.CHECKIN_OPENS_BEFORE
    checkout_closes = activity.ends_at + services.CHECKOUT_CLOSES_AFTER
    # attendance recorded by hand, closed by rule or a no-show is settled: neither form any more
    attendance = signup.attendance if confirmed and signup is not None else None
    not_in = attendance == Attendance.NONE
    can_check_in = published and not_in and checkin_opens <= now <= activity.ends_at
    can_check_out = published and attendance == Attendance.CHECKED_IN and now <= checkout_closes
    initial = {"code": code} if code.isdigit() and len(code) <= 6 else {}
    checkin_form = AttendanceCodeForm(initial=initial, auto_id="checkin-%s") if can_check_in else None
    checkout_form = AttendanceCodeForm(auto_id="checkout-%s") if can_check_out else None
    credited = signup.hours if signup is not None else None
    waiting = activity.signups.filter(status=SignupStatus.WAITLISTED).count()
    return {
        "activity": activity,
        "member": member,
        "signup": signup,
        "holding": holding,
        "position": waitlist_position(signup) if signup is not None and holding else None,
        "waiting": waiting,
        "free": max(activity.places - activity.taken, 0),
        "skill_tags": _skill_tags(activity.skills, member.skills if member else []),
        "started": started,
        "ended": activity.ends_at <= now,
        "in_community": member is not None and member.registered_community_id == activity.community_id,
        "can_signup": member is not None
        and member.registered_community_id == activity.community_id
        and published
        and not started
        and not holding,
        "can_cancel": holding and published and not started,
        "checkin_opens": checkin_opens,
        "checkin_later": published and not_in and now < checkin_opens,
        "checkin_missed": published and not_in and now > activity.ends_at,
        "checkin_form": checkin_form,
        "checkout_form": checkout_form,
        "checkout_closes": checkout_closes,
        #: the small script that adds the phone's position to the form
        "locate": activity.geofenced and (can_check_in or can_check_out),
        "hours_credited": hours_text(credited) if credited is not None else "",
        "credit_reversed": _credit_reversed(signup),
        "organiser": services.may_organise(request.user, activity),
    }


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_get_for_user(request.user, pk)
    return render(request, "web/activity_detail.html", _detail_context(request, activity))


# ---- the actions ----------------------------------------------------------------------------------


@login_required
@require_POST
def activity_signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_get_for_user(request.user, pk)
    with refusals_as_messages(request):
        signup = services.activity_signup(actor=request.user, activity=activity)
        if signup.status == SignupStatus.CONFIRMED:
            messages.success(
                request,
                _("报名成功：“%(title)s”。请准时到场，用现场的签到码签到。") % {"title": activity.title},
            )
        else:
            messages.success(
                request,
                _("名额已满，您已进入候补，排第 %(n)d 位；有人取消时按顺序递补，递补后会通知您。")
                % {"n": waitlist_position(signup) or 1},
            )
    return redirect("web:activity_detail", activity.pk)


@login_required
@require_POST
def activity_cancel_signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_get_for_user(request.user, pk)
    with refusals_as_messages(request):
        services.activity_cancel_signup(actor=request.user, activity=activity)
        messages.success(request, _("已取消报名“%(title)s”。") % {"title": activity.title})
    return redirect("web:activity_detail", activity.pk)


def _local_time(when: datetime | None) -> str:
    return timezone.localtime(when).strftime("%H:%M") if when else ""


def _attend(
    request: HttpRequest, activity: Activity, action: Callable[..., Signup], done: Callable[[Signup], str]
) -> HttpResponse:
    """签到 or 签退 with the code typed or scanned: to the activity's page when it passes, back to the
    check-in page (the code pad) with the reason when it does not."""
    form = AttendanceCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("web:activity_checkin", activity.pk)
    data = form.cleaned_data
    with refusals_as_messages(request):
        signup = action(
            actor=request.user, activity=activity, code=data["code"], lat=data["lat"], lng=data["lng"]
        )
        messages.success(request, done(signup))
        return redirect("web:activity_detail", activity.pk)
    return redirect("web:activity_checkin", activity.pk)


@login_required
@require_http_methods(["GET", "POST"])
def activity_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the page the check-in QR code opens — the 签到 form with the code filled in, or, for one already
    checked in, the 签退 form asking for the code on site now. POST: 签到."""
    activity = activity_get_for_user(request.user, pk)
    if request.method == "GET":
        ctx = _detail_context(request, activity, code=request.GET.get("code", "").strip())
        return render(request, "web/activity_checkin.html", ctx)
    started_at = timezone.now()

    def done(signup: Signup) -> str:
        if signup.checked_in_at is not None and signup.checked_in_at < started_at:
            return _("您已在 %(time)s 签到过了。") % {"time": _local_time(signup.checked_in_at)}
        message = _("签到成功（%(time)s）。离开时请用现场的签到码签退，服务时长按签到到签退计算。") % {
            "time": _local_time(signup.checked_in_at)
        }
        if activity.geofenced and signup.checkin_distance_m is None:
            message += _("这次签到没有获取到您的位置，社区会核对。")
        return message

    return _attend(request, activity, services.activity_checkin, done)


@login_required
@require_POST
def activity_checkout(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_get_for_user(request.user, pk)

    def done(signup: Signup) -> str:
        if signup.hours:
            return _("签退成功（%(time)s），记入服务时长 %(hours)s 小时。") % {
                "time": _local_time(signup.checked_out_at),
                "hours": hours_text(signup.hours),
            }
        return _("签退成功（%(time)s）。在活动时段内的时间不足计时单位，这次没有记入服务时长。") % {
            "time": _local_time(signup.checked_out_at)
        }

    return _attend(request, activity, services.activity_checkout, done)


# ---- 我的服务, points, certificates -----------------------------------------------------------------------


@login_required
def my_service(request: HttpRequest) -> HttpResponse:
    """我的服务: coming sign-ups, the latest verified records, hours and services this quarter and this year
    against the district's minimum, points and certificates."""
    member = _own_member(request)
    records = (
        records_of_member(member.pk)
        .select_related("reverses", "reversed_by")
        .order_by("-served_at", "-created_at", "-id")[:RECENT_RECORDS]
    )
    return render(
        request,
        "web/my_service.html",
        {
            "member": member,
            "summary": service_summary(member, timezone.localdate()),
            "signups": _current_signups(member),
            "records": list(records),
            "balance": points_balance(member.pk),
            "certificates": list(certificates_of_member(member.pk)[:RECENT_CERTIFICATES]),
            "tab": "service",
        },
    )


@login_required
def my_points(request: HttpRequest) -> HttpResponse:
    """积分: the balance and every entry, with its rule, rate and what it came from."""
    member = _own_member(request)
    page = paginate(request, point_entries_of_member(member.pk).select_related("policy", "record__reverses"))
    return render(request, "web/my_points.html", {"page": page, "balance": points_balance(member.pk)})


@login_required
@require_http_methods(["GET", "POST"])
def my_certificates(request: HttpRequest) -> HttpResponse:
    """志愿服务证明: those issued, and a new one for a period (this year by default)."""
    member = _own_member(request)
    form = CertificateForm(request.POST or None, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            cert = certificate_issue(
                actor=request.user,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                request=request,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("已开具志愿服务证明，编号 %(number)s。") % {"number": cert.number})
            return redirect(f"{reverse('web:my_certificates')}?new={cert.number}")
    certificates = certificates_of_member(member.pk).order_by("-issued_at", "-id")
    page = paginate(request, certificates)
    new = request.GET.get("new", "")
    return render(
        request,
        "web/my_certificates.html",
        {"form": form, "page": page, "new": next((c for c in page if c.number == new), None)},
    )


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, number: str) -> FileResponse:
    """The certificate as a PDF, for the member it certifies and the region admins over its issuing
    community."""
    cert = certificate_get_for_user(request.user, number)
    verify_url = public_url(request, reverse("web:certificate_verify", args=[cert.number]))
    return certificate_pdf_response(cert, verify_url)


# ---- public: is this certificate genuine? ------------------------------------------------------------


@require_GET
def certificate_lookup(request: HttpRequest) -> HttpResponse:
    """核验: type a certificate's number. No sign-in."""
    form = CertificateLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("web:certificate_verify", form.cleaned_data["number"])
    return render(request, "web/certificate_lookup.html", {"form": form})


@require_GET
def certificate_verify(request: HttpRequest, number: str) -> HttpResponse:
    """What the QR code on a certificate opens, for anyone: a genuine certificate's minimal facts, or — for a
    number malformed, unknown or whose facts were altered — a plain "not a genuine certificate" (404)."""
    try:
        verification = verify_number(number)
    except Http404:
        return render(
            request,
            "web/certificate_verify.html",
            {"number": number[:40], "verification": None, "form": CertificateLookupForm()},
            status=404,
        )
    return render(
        request,
        "web/certificate_verify.html",
        {
            "number": verification.certificate.number,
            "verification": verification,
            "cert": verification.certificate,
        },
    )
