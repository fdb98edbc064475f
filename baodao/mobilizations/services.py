"""战时应急: activate, call (in the background), widen, answer, check in and out on site, call the silent
again, stand down.

Activation writes the emergency, its area and the posts it needs, and returns at once: the call itself (one
`Call` per member, an inbox notice each, text messages through the channels) is a task on the queue, so an
emergency calling ten thousand members answers the admin in well under a second. The fan-out locks the
emergency's row and skips members already called (a unique constraint behind it), so a widening run twice,
or two at once, calls nobody twice.

A check-in with the rotating code on site proves arrival and opens a shift; the check-out with the code (or
the stand-down) closes it, and its hours go into the ledger once (a unique constraint there) as verified
service.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for, under
from baodao.activities.codes import (
    CODE_LOCKOUT,
    MAX_CODE_FAILURES,
    CheckinCode,
    code_accepted,
    code_attempt,
    code_now,
)
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.ledger.models import Source
from baodao.ledger.services import record_write
from baodao.lib.errors import Conflict, Forbidden, Invalid, Throttled
from baodao.lib.inputs import invalid as _invalid
from baodao.lib.inputs import text as _text
from baodao.members.models import Member
from baodao.needs.models import Category
from baodao.notify.services import notify_many
from baodao.org.models import Level, Region
from baodao.policy.selectors import policy_in_force
from baodao.posts.models import HolderStatus, Kind, Post, PostHolder
from baodao.stats.services import stats_batch

from .models import Answer, Area, Call, Mobilization, PostNeed, Reason, Shift, ShiftEnd, Status, Type

TITLE_MAX = 80
REASON_MAX = 300
MAX_HEADCOUNT = 10000
#: the longest a report-by time may lie ahead, and an expected arrival
MAX_REPORT_BY = timedelta(days=7)
MAX_ETA = timedelta(hours=48)
#: an expected arrival a little in the past is a slow thumb, not a mistake
ETA_GRACE = timedelta(minutes=5)
#: a shift never counts more than this: a check-out forgotten for days is not days of service
MAX_SHIFT = timedelta(hours=12)
#: "call all the silent again" skips those called (or called again) this recently
RECALL_COOLDOWN = timedelta(minutes=3)
#: calls written per INSERT
FANOUT_BATCH = 1000
#: the roles that may activate, widen and stand down an emergency over the regions they hold
COMMAND_ROLES = (Role.COMMUNITY_ADMIN, Role.STREET_ADMIN, Role.DISTRICT_ADMIN)


# ---- small checks --------------------------------------------------------------------------------------


def mobilization_url(mobilization: Mobilization) -> str:
    return reverse("web:mobilization_detail", args=[mobilization.pk])


def _district_code(mobilization: Mobilization) -> str:
    path = Area.objects.filter(mobilization=mobilization).values_list("path", flat=True).first() or ""
    return path.split("/", 1)[0]


# ---- who may do what -----------------------------------------------------------------------------------


def _commands(user: Any, regions: Iterable[Region]) -> bool:
    scope = scope_for(user)
    regions = list(regions)
    return bool(regions) and all(scope.covers_region(r, *COMMAND_ROLES) for r in regions)


def may_command(user: Any, mobilization: Mobilization) -> bool:
    """Admins holding every region of the area: the community's, the street's, the district's."""
    return _commands(user, [a.region for a in mobilization.areas.select_related("region")])


def _require_commander(user: Any, mobilization: Mobilization) -> None:
    if not may_command(user, mobilization):
        raise Forbidden(_("只有动员区域所属社区或街道的管理员可以指挥这次应急动员。"))


#: the roles that run the site of an emergency over their regions: commanders, and the grid workers
SITE_ROLES = (*COMMAND_ROLES, Role.GRID_WORKER)


def site_scope(user: Any, mobilization: Mobilization) -> Q | None:
    """What of the emergency the caller looks after on site: None for a commander (all of it); otherwise the
    calls of the members living or registered in the caller's regions that meet the area (a community's
    secretary in a street-wide emergency, a grid worker) — `Q(pk__in=[])` when the caller has none."""
    if may_command(user, mobilization):
        return None
    areas = list(mobilization.areas.values_list("path", flat=True))
    mine = scope_for(user).paths(*SITE_ROLES)
    paths = tuple(p for p in mine if any(a.startswith(p) or p.startswith(a) for a in areas))
    return under("member__residence_path", paths) | under("member__registered_community__path", paths)


def may_run_site(user: Any, mobilization: Mobilization) -> bool:
    """Commanders, and the community admins and grid workers whose regions meet the area: they see the roll
    call of their members, show the check-in code on site and call their silent members again."""
    if may_command(user, mobilization):
        return True
    areas = list(mobilization.areas.values_list("path", flat=True))
    paths = scope_for(user).paths(*SITE_ROLES)
    return any(a.startswith(p) or p.startswith(a) for a in areas for p in paths)


def _require_active(mobilization: Mobilization, message: str | None = None) -> None:
    if mobilization.status != Status.ACTIVE:
        raise Conflict(message or _("应急动员已解除。"), code="illegal_transition")


# ---- activation ------------------------------------------------------------------------------------------


def _normalise_areas(regions: Iterable[Region]) -> list[Region]:
    """Communities and grids, each once; a grid whose whole community is in the area adds nothing."""
    chosen: list[Region] = []
    for region in regions:
        if region.level not in (Level.COMMUNITY, Level.GRID):
            raise _invalid("regions", _("动员区域须为社区或网格：“%(name)s”不是。") % {"name": region.name})
        if region not in chosen:
            chosen.append(region)
    if not chosen:
        raise _invalid("regions", _("请选择动员区域（社区或网格）。"))
    if len({r.path.split("/")[1] for r in chosen}) > 1:
        raise _invalid("regions", _("一次动员的区域须在同一个街道内。"))
    communities = {r.pk for r in chosen if r.level == Level.COMMUNITY}
    return [r for r in chosen if r.level == Level.COMMUNITY or r.parent_id not in communities]


def _communities_of(areas: list[Region]) -> set[int]:
    return {r.pk if r.level == Level.COMMUNITY else r.parent_id for r in areas}  # type: ignore[misc]


def mobilization_activate(
    *,
    actor: Any,
    title: str,
    type: str,
    regions: Iterable[Region],
    description: str = "",
    posts: Iterable[tuple[Post, Any]] = (),
    report_by: datetime | None = None,
    request: Any = None,
    now: datetime | None = None,
) -> Mobilization:
    """启动应急: the emergency, its area and the emergency posts it needs, written at once; the call goes out
    from the task queue. With no post named, every registered member of the area is called."""
    now = now or timezone.now()
    title = _text(title, field="title", label=_("事件名称"), max_length=TITLE_MAX, required=True)
    if type not in Type.values:
        raise _invalid("type", _("请选择事件类型。"))
    description = _text(
        description, field="description", label=_("情况说明"), max_length=2000, required=False
    )
    areas = _normalise_areas(regions)
    if not _commands(actor, areas):
        raise Forbidden(_("只有动员区域所属社区或街道的管理员可以启动应急动员。"))
    if report_by is not None and not now <= report_by <= now + MAX_REPORT_BY:
        raise _invalid("report_by", _("报到时限须在现在到 7 天之内。"))
    communities = _communities_of(areas)
    needs: list[tuple[Post, int]] = []
    for post, headcount in posts:
        if post.kind != Kind.EMERGENCY or not post.active:
            raise _invalid("posts", _("“%(title)s”不是在设的应急岗位。") % {"title": post.title})
        if post.community_id not in communities:
            raise _invalid("posts", _("“%(title)s”不在动员区域的社区内。") % {"title": post.title})
        if any(p.pk == post.pk for p, _n in needs):
            raise _invalid("posts", _("岗位“%(title)s”重复了。") % {"title": post.title})
        try:
            count = int(headcount)
        except (TypeError, ValueError):
            raise _invalid("posts", _("需要人数须为整数。")) from None
        if not 1 <= count <= MAX_HEADCOUNT:
            raise _invalid("posts", _("需要人数须在 1 到 %(max)d 之间。") % {"max": MAX_HEADCOUNT})
        needs.append((post, count))
    reason = Reason.POST if needs else Reason.ALL_REGISTERED
    with transaction.atomic():
        mobilization = Mobilization.objects.create(
            title=title,
            type=type,
            description=description,
            report_by=report_by,
            secret=secrets.token_hex(16),
            created_by=actor,
            widened=[] if needs else [Reason.ALL_REGISTERED.value],
            fanouts_pending=1,
        )
        Area.objects.bulk_create([Area(mobilization=mobilization, region=r, path=r.path) for r in areas])
        PostNeed.objects.bulk_create(
            [PostNeed(mobilization=mobilization, post=p, headcount=n) for p, n in needs]
        )
        audit_record(
            action=Action.MOBILIZATION_ACTIVATED,
            actor=actor,
            target=mobilization,
            detail={"areas": [r.code for r in areas], "posts": {str(p.pk): n for p, n in needs}},
            request=request,
        )
        _enqueue_fanout(mobilization, reason)
    return mobilization


def _enqueue_fanout(mobilization: Mobilization, reason: str) -> None:
    from .tasks import mobilization_fanout_task

    mobilization_id = mobilization.pk
    transaction.on_commit(lambda: mobilization_fanout_task.enqueue(mobilization_id, reason))


# ---- the call ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    member_id: int
    user_id: int
    grid_id: int | None
    post_id: int | None


def _area_members(areas: list[Area]) -> Q:
    """Registered members living in the area: registered in a community of it; in one of its grids where the
    area names grids."""
    communities = [a.region_id for a in areas if a.region.level == Level.COMMUNITY]
    grids = [a.region_id for a in areas if a.region.level == Level.GRID]
    q = Q(registered_community_id__in=communities)
    if grids:
        q |= Q(grid_id__in=grids, registered_community_id__in=[a.region.parent_id for a in areas])
    return q


def _neighbour_grids(areas: list[Area]) -> list[int]:
    grid_areas = [a.region for a in areas if a.region.level == Level.GRID]
    whole = {a.region_id for a in areas if a.region.level == Level.COMMUNITY}
    parents = {g.parent_id for g in grid_areas} - whole
    return list(
        Region.objects.filter(parent_id__in=parents, level=Level.GRID)
        .exclude(pk__in=[g.pk for g in grid_areas])
        .values_list("pk", flat=True)
    )


def _targets(mobilization: Mobilization, reason: str) -> list[Target]:
    areas = list(Area.objects.filter(mobilization=mobilization).select_related("region"))
    rows: Iterable[tuple[Any, ...]]
    if reason == Reason.POST:
        # a whole community: every holder of its posts (registered there, wherever the roster says it
        # lives); some grids: holders living in them, or whose post serves them
        communities = [a.region_id for a in areas if a.region.level == Level.COMMUNITY]
        grid_paths = tuple(a.path for a in areas if a.region.level == Level.GRID)
        post_ids = list(PostNeed.objects.filter(mobilization=mobilization).values_list("post_id", flat=True))
        rows = (
            PostHolder.objects.filter(
                post_id__in=post_ids,
                status=HolderStatus.CONFIRMED,
                # still registered in the post's community: a holder who moved away is not called for it
                member__registered_community=F("post__community"),
            )
            .filter(
                Q(post__community_id__in=communities)
                | under("member__residence_path", grid_paths)
                | under("post__grids__path", grid_paths)
            )
            .order_by("post_id", "id")
            .values_list("member_id", "member__user_id", "member__grid_id", "post_id")
        )
    else:
        if reason == Reason.ALL_REGISTERED:
            where = _area_members(areas)
        else:
            # registered in the community of the grid it lives in, not elsewhere
            where = Q(grid_id__in=_neighbour_grids(areas), registered_community_id=F("grid__parent_id"))
        rows = (
            (pk, user_id, grid_id, None)
            for pk, user_id, grid_id in Member.objects.filter(where)
            .order_by("pk")
            .values_list("pk", "user_id", "grid_id")
        )
    found: dict[int, Target] = {}
    for member_id, user_id, grid_id, post_id in rows:
        if member_id not in found:
            found[member_id] = Target(member_id=member_id, user_id=user_id, grid_id=grid_id, post_id=post_id)
    return list(found.values())


def mobilization_fanout(*, mobilization_id: int, reason: str) -> int:
    """Call everyone the reason reaches who has not been called yet; tell each once. Returns how many were
    called now. Run by the task queue; safe to run again."""
    with transaction.atomic():
        mobilization = Mobilization.objects.select_for_update().filter(pk=mobilization_id).first()
        if mobilization is None:
            return 0
        if mobilization.status != Status.ACTIVE:
            _fanout_finished(mobilization)
            return 0
        stamp = timezone.now()
        already = dict(Call.objects.filter(mobilization=mobilization).values_list("member_id", "post_id"))
        targets = _targets(mobilization, reason)
        new = [t for t in targets if t.member_id not in already]
        # a widening that ran before the post call: the holders it called are counted on their posts
        for t in targets:
            if t.post_id is not None and t.member_id in already and already[t.member_id] is None:
                widened = Call.objects.filter(mobilization=mobilization, member_id=t.member_id)
                widened.filter(post__isnull=True).update(post_id=t.post_id)
        Call.objects.bulk_create(
            [
                Call(
                    mobilization=mobilization,
                    member_id=t.member_id,
                    post_id=t.post_id,
                    grid_id=t.grid_id,
                    reason=reason,
                    called_at=stamp,
                )
                for t in new
            ],
            batch_size=FANOUT_BATCH,
            ignore_conflicts=True,
        )
        body = _("请尽快在平台上响应：到岗或无法到岗。")
        if mobilization.report_by:
            body = _("请于 %(when)s 前到岗报到，并在平台上响应。") % {
                "when": timezone.localtime(mobilization.report_by).strftime("%m-%d %H:%M")
            }
        notify_many(
            user_ids=[t.user_id for t in new],
            title=_("【应急动员】%(title)s") % {"title": mobilization.title},
            body=body,
            url=mobilization_url(mobilization),
        )
        _fanout_finished(mobilization)
    return len(new)


def _fanout_finished(mobilization: Mobilization) -> None:
    """One queued call-out less; the call is done when none is left (the row is locked by the caller)."""
    pending = max(mobilization.fanouts_pending - 1, 0)
    Mobilization.objects.filter(pk=mobilization.pk).update(
        fanouts_pending=pending, fanout_done_at=timezone.now() if pending == 0 else None
    )


def mobilization_widen(
    *, actor: Any, mobilization: Mobilization, to: str, request: Any = None
) -> Mobilization:
    """扩大动员: call all registered members of the area, or those of the neighbouring grids (the other grids
    of the area's communities). Runs in the background like the first call; members called before are not
    called twice."""
    _require_commander(actor, mobilization)
    if to not in (Reason.ALL_REGISTERED, Reason.NEIGHBOUR_GRIDS):
        raise _invalid("to", _("扩大范围须为区域内全体报到党员或相邻网格。"))
    areas = list(Area.objects.filter(mobilization=mobilization).select_related("region"))
    if to == Reason.NEIGHBOUR_GRIDS and not _neighbour_grids(areas):
        raise Conflict(_("动员区域已覆盖整个社区，没有相邻网格可扩大。"), code="no_neighbours")
    with transaction.atomic():
        locked = Mobilization.objects.select_for_update().get(pk=mobilization.pk)
        _require_active(locked)
        widened = list(locked.widened)
        if to not in widened:
            widened.append(to)
        Mobilization.objects.filter(pk=locked.pk).update(
            widened=widened, fanouts_pending=F("fanouts_pending") + 1, fanout_done_at=None
        )
        audit_record(
            action=Action.MOBILIZATION_WIDENED, actor=actor, target=locked, detail={"to": to}, request=request
        )
        _enqueue_fanout(locked, to)
    mobilization.refresh_from_db()
    return mobilization


def mobilization_recall(
    *,
    actor: Any,
    mobilization: Mobilization,
    member_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> int:
    """再次呼叫 those who have not answered: the members named, or all of them — but not those called (or
    called again) in the last `RECALL_COOLDOWN`, so that a second click does not text thousands twice.
    Commanders call anyone; a community secretary or grid worker on site calls its own members. Returns
    how many were called."""
    if not may_run_site(actor, mobilization):
        raise Forbidden(_("只有应急指挥人员和区域内的社区、网格工作人员可以再次呼叫。"))
    _require_active(mobilization)
    now = now or timezone.now()
    silent = Call.objects.filter(mobilization=mobilization, answer=Answer.NONE)
    within = site_scope(actor, mobilization)
    if within is not None:
        silent = silent.filter(within)
    if member_ids is not None:
        silent = silent.filter(member_id__in=list(member_ids))
    else:
        recent = now - RECALL_COOLDOWN
        silent = silent.filter(called_at__lt=recent).exclude(recalled_at__gte=recent)
    with transaction.atomic():
        rows = list(silent.values_list("pk", "member__user_id"))
        Call.objects.filter(pk__in=[pk for pk, _u in rows]).update(recalled_at=now, recalls=F("recalls") + 1)
        user_ids = [user_id for _pk, user_id in rows]
        notify_many(
            user_ids=user_ids,
            title=_("【再次呼叫】%(title)s") % {"title": mobilization.title},
            body=_("您还没有响应应急动员，请立即响应：到岗或无法到岗。"),
            url=mobilization_url(mobilization),
        )
    return len(user_ids)


# ---- a member's answer ---------------------------------------------------------------------------------


def _own_call(actor: Any, mobilization: Mobilization, *, lock: bool = False) -> Call:
    member_id = scope_for(actor).member_id
    qs: QuerySet[Call] = Call.objects.filter(mobilization=mobilization, member_id=member_id or 0)
    if lock:
        qs = qs.select_for_update()
    call = qs.first()
    if call is None:
        raise Conflict(_("您不在这次应急动员的呼叫名单中。"), code="not_called")
    return call


def call_respond(
    *,
    actor: Any,
    mobilization: Mobilization,
    answer: str,
    eta: datetime | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Call:
    """到岗 (with when it expects to arrive) or 无法到岗 (with a reason). The same answer again changes
    nothing; another answer replaces it until the stand-down. A member on duty now cannot say it cannot
    come."""
    now = now or timezone.now()
    if answer not in (Answer.YES, Answer.NO):
        raise _invalid("answer", _("请选择到岗或无法到岗。"))
    if answer == Answer.YES:
        reason = ""
        if eta is not None and not now - ETA_GRACE <= eta <= now + MAX_ETA:
            raise _invalid("eta", _("预计到达时间须在现在到 48 小时之内。"))
    else:
        eta = None
        reason = _text(
            reason, field="reason", label=_("无法到岗的原因"), max_length=REASON_MAX, required=True
        )
    with transaction.atomic():
        locked = Mobilization.objects.select_for_update().get(pk=mobilization.pk)
        _require_active(locked, _("应急动员已解除，不需要再响应。"))
        call = _own_call(actor, locked, lock=True)
        if (call.answer, call.eta, call.no_reason) == (answer, eta, reason):
            return call
        if answer == Answer.NO and Shift.objects.filter(call=call, ended_at__isnull=True).exists():
            raise Conflict(_("您正在岗上，请先签退。"), code="on_duty")
        Call.objects.filter(pk=call.pk).update(answer=answer, eta=eta, no_reason=reason, answered_at=now)
    call.refresh_from_db()
    return call


# ---- on site -------------------------------------------------------------------------------------------


def checkin_code_for(*, actor: Any, mobilization: Mobilization, now: datetime | None = None) -> CheckinCode:
    """The code to show on site now, for commanders and the area's grid workers."""
    if not may_run_site(actor, mobilization):
        raise Forbidden(_("只有应急指挥人员和区域内的网格员可以查看签到码。"))
    _require_active(mobilization)
    code, expires_at = code_now(mobilization.pk, mobilization.secret, now or timezone.now())
    return CheckinCode(
        code=code,
        expires_at=expires_at,
        url_path=reverse("web:mobilization_checkin", args=[mobilization.pk]) + f"?code={code}",
    )


def _check_code(mobilization: Mobilization, call: Call, code: str, now: datetime) -> None:
    code_attempt(
        Call.objects.filter(pk=call.pk),
        accepted=code_accepted(mobilization.pk, mobilization.secret, code, now),
        now=now,
    )


def _walk_in_member(actor: Any, mobilization: Mobilization) -> Member | None:
    """A registered member of a community of the area who was not called (and so may come anyway)."""
    member_id = scope_for(actor).member_id
    if member_id is None:
        return None
    areas = list(Area.objects.filter(mobilization=mobilization).select_related("region"))
    communities = _communities_of([a.region for a in areas])
    return (
        Member.objects.filter(pk=member_id, registered_community_id__in=communities)
        .select_related("user")
        .first()
    )


def may_walk_in(user: Any, mobilization: Mobilization) -> bool:
    """A registered member of the area who was not called may check in on site anyway."""
    if not mobilization.is_active:
        return False
    member_id = scope_for(user).member_id
    if Call.objects.filter(mobilization=mobilization, member_id=member_id or 0).exists():
        return False
    return _walk_in_member(user, mobilization) is not None


def _check_walk_in_code(mobilization: Mobilization, member: Member, code: str, now: datetime) -> None:
    """A walk-in has no call yet to count wrong codes on: they are counted in the cache (shared by all
    servers when it is Redis), with the same limit and lock-out as everyone else's."""
    key = f"mobilization-walk-in:{mobilization.pk}:{member.pk}"
    tries = cache.get(key, 0)
    if tries >= MAX_CODE_FAILURES:
        raise Throttled(_("签到码输错次数过多，请 5 分钟后再试。"), code="too_many_attempts")
    if code_accepted(mobilization.pk, mobilization.secret, code, now):
        cache.delete(key)
        return
    cache.set(key, tries + 1, timeout=int(CODE_LOCKOUT.total_seconds()))
    message = _("签到码不正确或已过期，请看现场屏幕上的最新签到码。")
    raise Invalid(message, fields={"code": [message]})


def call_checkin(*, actor: Any, mobilization: Mobilization, code: str, now: datetime | None = None) -> Shift:
    """到岗签到 with the code on site: the arrival is recorded and a shift opens (an answer of 到岗 is
    implied). Checking in while on duty returns the open shift. A registered member of the area who was not
    called may come anyway (自行到岗): a call is written for it with the check-in. Nobody is on duty in two
    emergencies at once (the hours would count twice)."""
    now = now or timezone.now()
    _require_active(mobilization)
    member_id = scope_for(actor).member_id
    call = Call.objects.filter(mobilization=mobilization, member_id=member_id or 0).first()
    walk_in: Member | None = None
    if call is None:
        walk_in = _walk_in_member(actor, mobilization)
        if walk_in is None:
            raise Conflict(_("您不在这次应急动员的呼叫名单中。"), code="not_called")
        _check_walk_in_code(mobilization, walk_in, code, now)
    else:
        open_shift = Shift.objects.filter(call=call, ended_at__isnull=True).first()
        if open_shift is not None:
            return open_shift
        _check_code(mobilization, call, code, now)
    with transaction.atomic():
        locked = Mobilization.objects.select_for_update().get(pk=mobilization.pk)
        _require_active(locked)
        # one member's check-ins one at a time, wherever: the check below cannot be raced
        Member.objects.select_for_update().filter(pk=member_id or 0).first()
        if walk_in is not None:
            call, _created = Call.objects.get_or_create(
                mobilization=locked,
                member=walk_in,
                defaults={"grid_id": walk_in.grid_id, "reason": Reason.WALK_IN, "called_at": now},
            )
        assert call is not None
        open_shift = Shift.objects.filter(call=call, ended_at__isnull=True).first()
        if open_shift is not None:
            return open_shift
        elsewhere = (
            Shift.objects.filter(call__member_id=call.member_id, ended_at__isnull=True)
            .select_related("call__mobilization")
            .first()
        )
        if elsewhere is not None:
            raise Conflict(
                _("您正在“%(title)s”值守，请先在那里签退。") % {"title": elsewhere.call.mobilization.title},
                code="on_duty_elsewhere",
            )
        shift = Shift.objects.create(call=call, started_at=now)
        Call.objects.filter(pk=call.pk, arrived_at__isnull=True).update(arrived_at=now)
        Call.objects.filter(pk=call.pk).exclude(answer=Answer.YES).update(
            answer=Answer.YES, eta=None, no_reason="", answered_at=now
        )
    return shift


def _hours(started_at: datetime, ended_at: datetime, step: Decimal) -> Decimal:
    seconds = max((ended_at - started_at).total_seconds(), 0)
    hours = Decimal(seconds) / Decimal(3600)
    return ((hours / step).to_integral_value(rounding=ROUND_FLOOR) * step).quantize(Decimal("0.01"))


class _Settler:
    """Closes shifts of one emergency, looking the district's rounding step and the communities up once
    each (a stand-down may close hundreds)."""

    def __init__(self, mobilization: Mobilization):
        self.mobilization = mobilization
        self.district = _district_code(mobilization)
        self.steps: dict[Any, Decimal] = {}
        self.communities: dict[int, Region] = {}

    def step(self, day: Any) -> Decimal:
        if day not in self.steps:
            self.steps[day] = policy_in_force(self.district, on=day).hours_rounding
        return self.steps[day]

    def community(self, community_id: int) -> Region:
        if community_id not in self.communities:
            self.communities[community_id] = Region.objects.get(pk=community_id)
        return self.communities[community_id]

    def close(self, shift: Shift, *, ended_at: datetime, how: str) -> Shift:
        """End an open shift and credit its hours (capped at `MAX_SHIFT`) to the ledger as verified
        service, once."""
        if ended_at - shift.started_at > MAX_SHIFT:
            ended_at, how = shift.started_at + MAX_SHIFT, ShiftEnd.CAPPED
        hours = _hours(shift.started_at, ended_at, self.step(timezone.localdate(shift.started_at)))
        if not Shift.objects.filter(pk=shift.pk, ended_at__isnull=True).update(
            ended_at=ended_at, ended_how=how, hours=hours
        ):
            shift.refresh_from_db()
            return shift  # closed by a request that got here first
        if hours > 0:
            call = Call.objects.select_related("member", "grid").get(pk=shift.call_id)
            community = self.community(
                call.member.registered_community_id or _first_community_id(self.mobilization)
            )
            in_community = call.grid is not None and call.grid.parent_id == community.pk
            record_write(
                source=Source.EMERGENCY,
                member=call.member,
                unit=None,
                community=community,
                path=call.grid.path if call.grid is not None and in_community else community.path,
                title=self.mobilization.title,
                category=Category.EMERGENCY,
                hours=hours,
                served_at=shift.started_at,
                verified_by=self.mobilization.created_by,
                shift=shift,
            )
        shift.ended_at, shift.ended_how, shift.hours = ended_at, how, hours
        return shift


def _close_shift(mobilization: Mobilization, shift: Shift, *, ended_at: datetime, how: str) -> Shift:
    return _Settler(mobilization).close(shift, ended_at=ended_at, how=how)


def _first_community_id(mobilization: Mobilization) -> int:
    area = Area.objects.filter(mobilization=mobilization).select_related("region").first()
    assert area is not None
    return area.region_id if area.region.level == Level.COMMUNITY else area.region.parent_id  # type: ignore[return-value]


def call_checkout(*, actor: Any, mobilization: Mobilization, code: str, now: datetime | None = None) -> Shift:
    """下岗签退 with the code on site: the shift's hours go into the ledger."""
    now = now or timezone.now()
    call = _own_call(actor, mobilization)
    _require_active(mobilization, _("应急动员已解除，值守时长已在解除时结算。"))
    shift = Shift.objects.filter(call=call, ended_at__isnull=True).first()
    if shift is None:
        raise Conflict(_("您不在岗上，不能签退。"), code="not_on_duty")
    _check_code(mobilization, call, code, now)
    with transaction.atomic():
        locked = Mobilization.objects.select_for_update().get(pk=mobilization.pk)
        _require_active(locked, _("应急动员已解除，值守时长已在解除时结算。"))
        return _close_shift(locked, shift, ended_at=now, how=ShiftEnd.CHECKOUT)


# ---- stand-down ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandDown:
    mobilization: Mobilization
    #: open shifts closed and credited by the stand-down itself
    shifts_closed: int
    #: open shifts left to the task queue (a stand-down with very many on duty)
    shifts_pending: int = 0


#: open shifts a stand-down closes itself; the rest are closed from the task queue, in batches
SETTLE_INLINE = 100
SETTLE_BATCH = 200


def mobilization_stand_down(
    *, actor: Any, mobilization: Mobilization, request: Any = None, now: datetime | None = None
) -> StandDown:
    """解除应急: no more answers or check-ins; every open shift ends now and its hours are credited (up to
    `SETTLE_INLINE` at once, the rest from the task queue at the same end time); those who came or said
    they would are told."""
    _require_commander(actor, mobilization)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Mobilization.objects.select_for_update().get(pk=mobilization.pk)
        _require_active(locked, _("应急动员已经解除。"))
        Mobilization.objects.filter(pk=locked.pk).update(
            status=Status.STOOD_DOWN, stood_down_at=now, stood_down_by=actor
        )
        open_shifts = Shift.objects.filter(call__mobilization=locked, ended_at__isnull=True)
        total = open_shifts.count()
        settler = _Settler(locked)
        # the records' aggregates are applied in one global order at the end: no deadlock between batches
        with stats_batch():
            closed = [
                settler.close(shift, ended_at=now, how=ShiftEnd.STAND_DOWN)
                for shift in open_shifts.order_by("pk")[:SETTLE_INLINE]
            ]
        pending = total - len(closed)
        if pending:
            from .tasks import mobilization_settle_task

            mobilization_id = locked.pk
            transaction.on_commit(lambda: mobilization_settle_task.enqueue(mobilization_id))
        coming = Call.objects.filter(mobilization=locked).filter(
            Q(answer=Answer.YES) | Q(arrived_at__isnull=False)
        )
        notify_many(
            user_ids=coming.values_list("member__user_id", flat=True),
            title=_("【应急解除】%(title)s") % {"title": locked.title},
            body=_("应急状态已解除，感谢您的付出！值守时长已记入服务台账。"),
            url=mobilization_url(locked),
        )
        audit_record(
            action=Action.MOBILIZATION_STOOD_DOWN,
            actor=actor,
            target=locked,
            detail={"shifts_closed": len(closed), "shifts_pending": pending},
            request=request,
        )
    mobilization.refresh_from_db()
    return StandDown(mobilization=mobilization, shifts_closed=len(closed), shifts_pending=pending)


def mobilization_settle(*, mobilization_id: int) -> int:
    """Close the shifts a stand-down left open, at the stand-down's time, a batch per transaction. Run by
    the task queue; safe to run again. Returns how many it closed."""
    mobilization = Mobilization.objects.filter(pk=mobilization_id, status=Status.STOOD_DOWN).first()
    if mobilization is None or mobilization.stood_down_at is None:
        return 0
    settler = _Settler(mobilization)
    closed = 0
    while True:
        with transaction.atomic():
            batch = list(
                Shift.objects.filter(call__mobilization=mobilization, ended_at__isnull=True).order_by("pk")[
                    :SETTLE_BATCH
                ]
            )
            with stats_batch():
                for shift in batch:
                    settler.close(shift, ended_at=mobilization.stood_down_at, how=ShiftEnd.STAND_DOWN)
        closed += len(batch)
        if len(batch) < SETTLE_BATCH:
            return closed


__all__ = [
    "call_checkin",
    "call_checkout",
    "call_respond",
    "checkin_code_for",
    "may_command",
    "may_run_site",
    "mobilization_activate",
    "mobilization_fanout",
    "mobilization_recall",
    "mobilization_settle",
    "mobilization_stand_down",
    "mobilization_widen",
]
