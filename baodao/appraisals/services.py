"""考评: run a period's appraisal for a region, the five-way evaluation (五评), finalising (one or all), the
appeal and its answer.

A run takes the district's policy in force on the period's last day and keeps its rules (`run.rules`): the
grades and cut-offs, the weights, the 优秀 cap and the minimum of service. Everything after — the proposal,
the cap, a re-run — reads those rules, never today's policy. Up to `INLINE_MAX` members are computed in the
request; a bigger region goes to the task queue (the run stays "running" until done, or "failed" with the
error). A second run for the same region and period recomputes the indicators of its appraisals still open
(finalised ones never change) and adds the members newly in scope.

The score is the weighted mean of the evaluations given (the residents' is the rating × 20, when there are
ratings): Σ weight × score ÷ Σ weight, to the hundredth; the proposal is the best grade whose cut-off the
score reaches. At most the share `excellent_share_max` of a community's appraisals for a period (rounded down)
may be graded 优秀: a finalisation beyond it is refused, and finalising all demotes the lowest scores.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baodao.accounts.models import Role, User
from baodao.accounts.scope import scope_for
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.circulars.selectors import Minimum, minimum_for
from baodao.lib.errors import Conflict, Forbidden
from baodao.lib.inputs import invalid as _invalid
from baodao.lib.inputs import text as _text
from baodao.lib.periods import Period, period_parse
from baodao.notify.services import notify, notify_many
from baodao.org.models import Level, Region
from baodao.policy.models import Policy
from baodao.policy.selectors import policy_in_force

from . import indicators
from .models import Appraisal, AppraisalRun, Evaluator, RunStatus, Status
from .selectors import (
    GIVEN_BY_OTHERS,
    excellent_allowed,
    excellent_share,
    is_community_admin,
    is_own,
    may_give,
    quota,
)

logger = logging.getLogger(__name__)

#: members computed in the request; more go to the task queue
INLINE_MAX = 500
#: members computed (and written) together: a fixed number of queries each
BATCH = 1000
#: a run still "running" this long after it started is taken for failed (its worker died)
STALE_AFTER = timedelta(minutes=30)
SCORE_MIN, SCORE_MAX = 0, 100
TEXT_MAX = 1000
HUNDREDTH = Decimal("0.01")
EVALUATORS = (
    Evaluator.SELF,
    Evaluator.UNIT,
    Evaluator.RESIDENTS,
    Evaluator.COMMUNITY,
    Evaluator.ORGANISATION,
)
#: the indicators a run writes (and a re-run rewrites while open)
INDICATOR_FIELDS = (
    "registered",
    "registered_since",
    "services",
    "hours",
    "points",
    "rating",
    "ratings",
    "posts_held",
    "emergency_calls",
    "emergency_answers",
    "emergency_arrivals",
    "no_shows",
    "minimum_met",
)
RECOMPUTED_FIELDS = (*INDICATOR_FIELDS, "computed_at", "score_residents", "score", "proposed_level")


def _detail_url(appraisal: Appraisal) -> str:
    return reverse("web:appraisal_detail", args=[appraisal.pk])


# ---- the rules a run keeps -------------------------------------------------------------------------------


def rules_of(policy: Policy, period: Period) -> dict[str, Any]:
    """The rules a run applies, as kept on it: grades and cut-offs (best first), weights, the 优秀 cap, the
    minimum described, and the minimum's parameters (so that a re-run judges it the same way)."""
    return {
        "grades": [[name, minimum] for name, minimum in policy.grades()],
        "weights": policy.weights(),
        "excellent_share_max": str(policy.excellent_share_max),
        "minimum": minimum_for(policy, period).describe(),
        "minimum_rule": {
            "min_services": policy.min_services,
            "min_services_period": policy.min_services_period,
            "min_hours_per_year": policy.min_hours_per_year,
        },
    }


def _minimum_of(run: AppraisalRun, period: Period) -> Minimum:
    rule = run.rules.get("minimum_rule") or {}
    return minimum_for(Policy(effective_from=period.end, **rule), period)


def level_for(score: Decimal | None, rules: dict[str, Any]) -> int | None:
    """The best grade (1 = best) whose cut-off `score` reaches; the last grade below every cut-off."""
    if score is None:
        return None
    grades = rules.get("grades") or []
    for level, (_name, minimum) in enumerate(grades, start=1):
        if score >= Decimal(minimum):
            return level
    return len(grades) or None


def rescore(appraisal: Appraisal, rules: dict[str, Any]) -> None:
    """The residents' score from the rating, the weighted score of the evaluations given and the proposal."""
    rating = appraisal.rating
    residents: int | None = None
    if rating is not None and appraisal.ratings:
        residents = int((Decimal(rating) * 20).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    appraisal.score_residents = residents  # type: ignore[assignment]  # a nullable field
    weights = rules.get("weights") or {}
    total, weight_sum = Decimal(0), 0
    for evaluator in EVALUATORS:
        score = getattr(appraisal, f"score_{evaluator}")
        if score is not None:
            weight = int(weights.get(evaluator, 0))
            total += weight * Decimal(score)
            weight_sum += weight
    appraisal.score = (total / weight_sum).quantize(HUNDREDTH, ROUND_HALF_UP) if weight_sum else None
    appraisal.proposed_level = level_for(appraisal.score, rules)


# ---- runs --------------------------------------------------------------------------------------------------


def _require_runner(actor: Any, region: Region) -> None:
    if region.level not in (Level.DISTRICT, Level.STREET, Level.COMMUNITY):
        raise _invalid("region", _("考评须按区、街道或社区发起，不能按网格发起。"))
    if not scope_for(actor).covers_region(
        region, Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_ADMIN
    ):
        raise Forbidden(_("只有社区管理员（本社区）或街道、区管理员（本辖区）可以发起考评。"))


def _running() -> Conflict:
    return Conflict(_("该区域这一期的考评正在计算，请稍后刷新查看。"), code="run_running")


def _covering_run(region: Region, period: Period) -> AppraisalRun | None:
    """The period's run of the region itself, else of the nearest region above it (its street's, its
    district's): the run a refresh of the region recomputes and adds newcomers to."""
    prefixes = [region.path[: i + 1] for i, ch in enumerate(region.path) if ch == "/"]
    runs = AppraisalRun.objects.filter(period=period.code, region__path__in=prefixes).select_related("region")
    return max(runs, key=lambda r: len(r.region.path), default=None)


def _create_run(actor: Any, region: Region, period: Period) -> AppraisalRun:
    """A new run, "running" from now, keeping the rules of the policy in force on the period's last day. A
    run of the same region and period created at the same moment: 409 (it is running)."""
    policy = policy_in_force(region.district_code, on=period.end)
    try:
        with transaction.atomic():
            return AppraisalRun.objects.create(
                region=region,
                period=period.code,
                period_start=period.start,
                period_end=period.end,
                status=RunStatus.RUNNING,
                started_at=timezone.now(),
                policy=policy if policy.pk else None,
                rules=rules_of(policy, period),
                created_by=actor,
            )
    except IntegrityError:
        if AppraisalRun.objects.filter(region=region, period=period.code).exists():
            raise _running() from None  # the one run per region and period, created by someone else
        raise


def _claim(run: AppraisalRun) -> bool:
    """Mark the run "running" again, unless it is running already (and not stale): one conditional update,
    committed at once, so that the run's row is not held while it computes."""
    now = timezone.now()
    stale = now - STALE_AFTER
    startable = (
        ~Q(status=RunStatus.RUNNING)
        | Q(started_at__lt=stale)
        | Q(started_at__isnull=True, created_at__lt=stale)
    )
    return bool(
        AppraisalRun.objects.filter(startable, pk=run.pk).update(
            status=RunStatus.RUNNING, started_at=now, error="", finished_at=None
        )
    )


def _fail(run_id: int, exc: BaseException) -> None:
    logger.exception("appraisal run %s failed", run_id)
    AppraisalRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED,
        error=str(exc)[:300] or exc.__class__.__name__,
        finished_at=timezone.now(),
    )


def appraisal_run(
    *, actor: Any, region: Region, period: Period, request: Any = None
) -> tuple[AppraisalRun, bool]:
    """Run (or run again) the appraisal of `region` for `period`; the bool tells whether the run is new. Up
    to `INLINE_MAX` members are computed at once (status done); more go to the task queue (status running).

    When the region, or a region above it, has a run for the period already, that run is run again over the
    region: the open appraisals of the region's members are recomputed (each with its own run's rules) and
    the newcomers added to that run — no second, empty run is created. A run "running" for longer than
    `STALE_AFTER` is taken for failed and may be run again."""
    _require_runner(actor, region)
    if period.ends_at > timezone.now():
        raise Conflict(
            _("%(period)s 还没有结束，期满后才能考评。") % {"period": period.label}, code="period_not_ended"
        )
    run = _covering_run(region, period)
    created = run is None
    if run is None:
        run = _create_run(actor, region, period)
    elif not _claim(run):
        raise _running()
    placements = indicators.members_in_scope(region, period)
    queued = len(placements) > INLINE_MAX
    if queued:
        run_id = run.pk
        transaction.on_commit(lambda: _enqueue(run_id))
    else:
        try:
            with transaction.atomic():
                _compute(run, period, placements)
        except Exception as exc:
            _fail(run.pk, exc)
            raise
    run.refresh_from_db()
    audit_record(
        action=Action.APPRAISAL_RUN,
        actor=actor,
        target=run,
        detail={
            "region": region.code,
            "run_region": run.region.code,
            "period": period.code,
            "members": len(placements),
            "again": not created,
            "queued": queued,
        },
        request=request,
    )
    return run, created


def _enqueue(run_id: int) -> None:
    from .tasks import appraisal_run_task

    appraisal_run_task.enqueue(run_id)


def appraisal_compute(*, run_id: int) -> int:
    """The queued part of a run: compute it and mark it done — or failed, with the error. Returns the
    number of appraisals of the run."""
    run = AppraisalRun.objects.select_related("region").get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return run.appraisals_count
    try:
        with transaction.atomic():
            period = period_parse(run.period)
            _compute(run, period, indicators.members_in_scope(run.region, period))
    except Exception as exc:
        _fail(run_id, exc)
        raise
    return AppraisalRun.objects.values_list("appraisals_count", flat=True).get(pk=run_id)


def _compute(run: AppraisalRun, period: Period, placements: dict[int, indicators.Placement]) -> None:
    """Write the appraisals of the members placed: new ones (in `run`) for members not yet appraised for the
    period, fresh indicators for those still open — whichever run they belong to, each with its own run's
    rules; finalised ones untouched. Each batch's appraisals are locked (in one order) before they are read,
    so that an evaluation or a finalisation at the same moment is either seen or waits. A fixed number of
    queries per batch (and per run the batch's appraisals belong to)."""
    now = timezone.now()
    runs: dict[int, AppraisalRun] = {run.pk: run}
    for batch in indicators.batches(placements, BATCH):
        existing = {
            a.member_id: a
            for a in Appraisal.objects.select_for_update(of=("self",))
            .filter(period=period.code, member_id__in=batch)
            .order_by("pk")
        }
        missing = {a.run_id for a in existing.values()} - set(runs)
        runs.update({r.pk: r for r in AppraisalRun.objects.filter(pk__in=missing)})
        by_run: dict[int, dict[int, indicators.Placement]] = {}
        for member_id in batch:
            appraisal = existing.get(member_id)
            if appraisal is None:
                by_run.setdefault(run.pk, {})[member_id] = placements[member_id]
            elif appraisal.status == Status.OPEN:
                by_run.setdefault(appraisal.run_id, {})[member_id] = placements[member_id]
        new: list[Appraisal] = []
        changed: list[Appraisal] = []
        for run_id, wanted in by_run.items():
            rules_run = runs[run_id]
            computed = indicators.compute(wanted, period, _minimum_of(rules_run, period))
            for member_id, values in computed.items():
                appraisal = existing.get(member_id)
                if appraisal is None:
                    placement = wanted[member_id]
                    appraisal = Appraisal(
                        run=run,
                        period=period.code,
                        member_id=member_id,
                        community_id=placement.community_id,
                        unit_id=placement.unit_id,
                    )
                    new.append(appraisal)
                else:
                    appraisal.updated_at = now  # bulk_update does not apply auto_now
                    changed.append(appraisal)
                for field in INDICATOR_FIELDS:
                    setattr(appraisal, field, getattr(values, field))
                appraisal.computed_at = now
                rescore(appraisal, rules_run.rules)
        # a member appraised by another run at the same moment keeps that appraisal
        Appraisal.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
        Appraisal.objects.bulk_update(changed, [*RECOMPUTED_FIELDS, "updated_at"], batch_size=BATCH)
    AppraisalRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        error="",
        finished_at=timezone.now(),
        appraisals_count=Appraisal.objects.filter(run=run).count(),
    )


# ---- 五评 ------------------------------------------------------------------------------------------------


def _score(value: Any) -> int:
    message = _("评分须为 0 到 100 之间的整数。")
    if isinstance(value, bool):
        raise _invalid("score", message)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
        raise _invalid("score", message)
    return value


def _comment(value: str | None) -> str:
    return _text(value, field="comment", label=_("评语"), max_length=TEXT_MAX, required=False)


def _locked(appraisal: Appraisal) -> Appraisal:
    return (
        # `of`: lock the appraisal alone — not its run, community or member, which a run again reads
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("run", "community", "member__user")
        .get(pk=appraisal.pk)
    )


def _own() -> Forbidden:
    return Forbidden(_("不能评价或确定本人的考评。"))


def _not_open() -> Conflict:
    return Conflict(_("该考评已确定等次，不能再评价。"), code="not_open")


def _save_scored(appraisal: Appraisal, fields: list[str]) -> None:
    rescore(appraisal, appraisal.run.rules)
    appraisal.save(update_fields=[*fields, "score_residents", "score", "proposed_level", "updated_at"])


def appraisal_self_assess(
    *, actor: Any, appraisal: Appraisal, score: Any, comment: str | None, request: Any = None
) -> Appraisal:
    """The member's self-assessment (党员自评): a score 0–100 and a summary, while the appraisal is open."""
    if not may_give(actor, appraisal, Evaluator.SELF):
        raise Forbidden(_("只有党员本人可以自评。"))
    value, text = _score(score), _comment(comment)
    with transaction.atomic():
        locked = _locked(appraisal)
        if locked.status != Status.OPEN:
            raise _not_open()
        locked.score_self, locked.comment_self = value, text
        _save_scored(locked, ["score_self", "comment_self"])
    return locked


def appraisal_evaluate(
    *,
    actor: Any,
    appraisal: Appraisal,
    evaluator: str,
    score: Any,
    comment: str | None,
    request: Any = None,
) -> Appraisal:
    """The unit's, the community's or the organisation's evaluation: a score 0–100 and a comment, while the
    appraisal is open; given again, it replaces the earlier one."""
    if evaluator not in GIVEN_BY_OTHERS:
        raise _invalid("as", _("评价方须为单位、社区或组织；自评由党员本人提交，群众评价来自服务评分。"))
    if is_own(actor, appraisal):
        raise _own()
    if not may_give(actor, appraisal, evaluator):
        reasons = {
            Evaluator.UNIT: _("只有党员所在单位的管理员可以给出单位评价。"),
            Evaluator.COMMUNITY: _("只有党员报到社区的管理员可以给出社区评价。"),
            Evaluator.ORGANISATION: _("只有区或街道的管理员可以给出组织评价。"),
        }
        raise Forbidden(reasons[Evaluator(evaluator)])
    value, text = _score(score), _comment(comment)
    with transaction.atomic():
        locked = _locked(appraisal)
        if locked.status != Status.OPEN:
            raise _not_open()
        setattr(locked, f"score_{evaluator}", value)
        setattr(locked, f"comment_{evaluator}", text)
        setattr(locked, f"{evaluator}_by", actor)
        _save_scored(locked, [f"score_{evaluator}", f"comment_{evaluator}", f"{evaluator}_by"])
    return locked


# ---- finalising ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinaliseAll:
    finalised: int
    demoted: int
    skipped: int


def _grade(value: Any, rules: dict[str, Any]) -> int | None:
    if value is None or value == "":
        return None
    count = len(rules.get("grades") or []) or 4
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= count:
        raise _invalid("grade", _("等次须为 1 到 %(n)d（1 为最好）。") % {"n": count})
    return value


def _require_community_admin(actor: Any, appraisal: Appraisal) -> None:
    if not is_community_admin(actor, appraisal):
        raise Forbidden(_("只有党员报到社区的管理员可以确定等次和答复申诉。"))
    if is_own(actor, appraisal):
        raise _own()


def _lock_group(appraisal: Appraisal) -> None:
    """Lock every appraisal of the community and period, in one order: the 优秀 cap counts them all."""
    list(
        Appraisal.objects.select_for_update()
        .filter(community_id=appraisal.community_id, period=appraisal.period)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _check_cap(appraisal: Appraisal, *, excluding: int | None = None) -> None:
    used, allowed, total = quota(appraisal.community_id, appraisal.period, excluding=excluding)
    if used + 1 <= allowed:
        return
    name = appraisal.run.grade_name(1)
    share = excellent_share(appraisal.community_id, appraisal.period)
    numbers = {"total": total, "name": name, "share": f"{share:.1%}", "allowed": allowed, "used": used}
    if allowed == 0:
        message = (
            _(
                "本社区本期共 %(total)d 人参加考评，按“%(name)s”比例上限 %(share)s 计算"
                "（人数乘以比例后向下取整）为 0 人，不能评定“%(name)s”。"
            )
            % numbers
        )
    else:
        message = (
            _(
                "本社区本期共 %(total)d 人参加考评，“%(name)s”最多 %(allowed)d 人（比例上限 %(share)s），"
                "已确定 %(used)d 人，不能再评定“%(name)s”。"
            )
            % numbers
        )
    raise Conflict(message, code="excellent_cap", fields={"grade": [message]})


def _notify_grade(appraisal: Appraisal) -> None:
    notify(
        users=[appraisal.member.user],
        title=_("您的%(period)s考评等次已确定：%(grade)s")
        % {"period": period_parse(appraisal.period).label, "grade": appraisal.grade},
        body=_("如对结果有异议，可以在考评页面提出一次申诉。"),
        url=_detail_url(appraisal),
    )


def _audit_finalised(actor: Any, appraisal: Appraisal, request: Any, **extra: Any) -> None:
    audit_record(
        action=Action.APPRAISAL_FINALISED,
        actor=actor,
        target=appraisal,
        detail={
            "period": appraisal.period,
            "member": appraisal.member_id,
            "grade": appraisal.grade_level,
            "proposed": appraisal.proposed_level,
            "score": str(appraisal.score) if appraisal.score is not None else None,
            **extra,
        },
        request=request,
    )


def appraisal_finalise(
    *, actor: Any, appraisal: Appraisal, grade: int | None = None, request: Any = None
) -> Appraisal:
    """The community admin sets the grade (`grade`, 1 = best, or the proposal): open → finalised; the member
    is told. 优秀 beyond the cap is refused (409 `excellent_cap`)."""
    _require_community_admin(actor, appraisal)
    level = _grade(grade, appraisal.run.rules)
    with transaction.atomic():
        _lock_group(appraisal)
        locked = _locked(appraisal)
        if locked.status != Status.OPEN:
            raise Conflict(_("该考评已经确定等次。"), code="not_open")
        level = level or locked.proposed_level
        if level is None:
            raise _invalid("grade", _("还没有任何评价，无法给出建议等次，请选择等次。"))
        if level == 1:
            _check_cap(locked)
        locked.grade_level, locked.status = level, Status.FINALISED
        locked.finalised_at, locked.finalised_by = timezone.now(), actor
        locked.save(update_fields=["grade_level", "status", "finalised_at", "finalised_by", "updated_at"])
        _audit_finalised(actor, locked, request)
        _notify_grade(locked)
    return locked


def appraisal_finalise_all(
    *, actor: Any, community: Region, period: Period, request: Any = None
) -> FinaliseAll:
    """一键确定: every open appraisal of the community and period that has a proposal takes it, the highest
    scores first; 优秀 beyond the cap becomes the second grade (`demoted`); appraisals without any evaluation,
    and the actor's own appraisal (nobody finalises its own), are left open (`skipped`)."""
    if (
        not scope_for(actor).covers_region(community, Role.COMMUNITY_ADMIN)
        or community.level != Level.COMMUNITY
    ):
        raise Forbidden(_("只有社区管理员可以确定本社区的考评等次。"))
    with transaction.atomic():
        rows = list(
            Appraisal.objects.select_for_update()
            .filter(community=community, period=period.code)
            .order_by("pk")
        )
        share = excellent_share(community.pk, period.code)
        allowed = excellent_allowed(share, len(rows))
        used = sum(1 for a in rows if a.status != Status.OPEN and a.grade_level == 1)
        open_rows = [a for a in rows if a.status == Status.OPEN]
        own = scope_for(actor).member_id
        ready = sorted(
            (a for a in open_rows if a.proposed_level is not None and a.member_id != own),
            key=lambda a: (-(a.score or Decimal(0)), a.pk),
        )
        now, demoted = timezone.now(), 0
        for appraisal in ready:
            level = appraisal.proposed_level
            if level == 1:
                if used + 1 > allowed:
                    level, demoted = 2, demoted + 1
                else:
                    used += 1
            appraisal.grade_level, appraisal.status = level, Status.FINALISED
            appraisal.finalised_at, appraisal.finalised_by = now, actor
            appraisal.updated_at = now  # bulk_update does not apply auto_now
        Appraisal.objects.bulk_update(
            ready, ["grade_level", "status", "finalised_at", "finalised_by", "updated_at"], batch_size=BATCH
        )
        result = FinaliseAll(finalised=len(ready), demoted=demoted, skipped=len(open_rows) - len(ready))
        runs = {r.pk: r for r in AppraisalRun.objects.filter(pk__in={a.run_id for a in ready})}
        by_grade: dict[str, list[int]] = {}
        for appraisal in ready:
            appraisal.run = runs[appraisal.run_id]
            _audit_finalised(actor, appraisal, request, all=True)
            by_grade.setdefault(appraisal.grade, []).append(appraisal.member_id)
        audit_record(
            action=Action.APPRAISAL_FINALISED,
            actor=actor,
            target=community,
            detail={"period": period.code, "all": True, **result.__dict__},
            request=request,
        )
        users = dict(
            Appraisal.objects.filter(pk__in=[a.pk for a in ready]).values_list("member_id", "member__user_id")
        )
        for grade, member_ids in by_grade.items():
            notify_many(
                user_ids=[users[m] for m in member_ids],
                title=_("您的%(period)s考评等次已确定：%(grade)s") % {"period": period.label, "grade": grade},
                body=_("如对结果有异议，可以在考评页面提出一次申诉。"),
                url=reverse("web:me_appraisals"),
            )
    return result


# ---- appeal and answer -----------------------------------------------------------------------------------


def _community_admins(community_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, grants__role=Role.COMMUNITY_ADMIN, grants__region_id=community_id
        ).distinct()
    )


def appraisal_appeal(
    *, actor: Any, appraisal: Appraisal, reason: str | None, request: Any = None
) -> Appraisal:
    """The member appeals its grade once, with a reason: finalised → appealed; the community's admins are
    told."""
    if not may_give(actor, appraisal, Evaluator.SELF):
        raise Forbidden(_("只有党员本人可以对考评结果提出申诉。"))
    text = _text(reason, field="reason", label=_("申诉理由"), max_length=TEXT_MAX, required=True)
    with transaction.atomic():
        locked = _locked(appraisal)
        if locked.status == Status.OPEN:
            raise Conflict(_("考评等次确定后才能申诉。"), code="not_finalised")
        if locked.status != Status.FINALISED:
            raise Conflict(_("每次考评只能申诉一次，您已经申诉过了。"), code="already_appealed")
        locked.status, locked.appeal_reason, locked.appealed_at = Status.APPEALED, text, timezone.now()
        locked.save(update_fields=["status", "appeal_reason", "appealed_at", "updated_at"])
        audit_record(
            action=Action.APPRAISAL_APPEALED,
            actor=actor,
            target=locked,
            detail={"period": locked.period, "member": locked.member_id, "grade": locked.grade_level},
            request=request,
        )
        notify(
            users=_community_admins(locked.community_id),
            title=_("%(name)s对%(period)s考评结果提出申诉")
            % {"name": locked.member.user.name, "period": period_parse(locked.period).label},
            body=text,
            url=_detail_url(locked),
        )
    return locked


def appraisal_answer(
    *, actor: Any, appraisal: Appraisal, answer: str | None, grade: int | None = None, request: Any = None
) -> Appraisal:
    """The community answers an appeal (appealed → answered), optionally with a new grade (the 优秀 cap
    counted without this appraisal); the member is told."""
    _require_community_admin(actor, appraisal)
    text = _text(answer, field="answer", label=_("答复意见"), max_length=TEXT_MAX, required=True)
    level = _grade(grade, appraisal.run.rules)
    with transaction.atomic():
        _lock_group(appraisal)
        locked = _locked(appraisal)
        if locked.status != Status.APPEALED:
            raise Conflict(_("只有申诉中的考评可以答复。"), code="not_appealed")
        before = locked.grade_level
        if level == 1 and before != 1:
            _check_cap(locked, excluding=locked.pk)
        if level is not None:
            locked.grade_level = level
        locked.status, locked.answer = Status.ANSWERED, text
        locked.answered_at, locked.answered_by = timezone.now(), actor
        locked.save(
            update_fields=["status", "answer", "answered_at", "answered_by", "grade_level", "updated_at"]
        )
        audit_record(
            action=Action.APPRAISAL_ANSWERED,
            actor=actor,
            target=locked,
            detail={"period": locked.period, "member": locked.member_id, "grade": before, "new": level},
            request=request,
        )
        notify(
            users=[locked.member.user],
            title=_("您的%(period)s考评申诉已答复，等次：%(grade)s")
            % {"period": period_parse(locked.period).label, "grade": locked.grade},
            body=text,
            url=_detail_url(locked),
        )
    return locked
