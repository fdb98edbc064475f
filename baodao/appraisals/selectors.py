"""Reads of appraisals and their runs, through the one scope, and who may do what to an appraisal now.

Who sees an appraisal: the admins of its community and the street and district admins above it, the admins of
the member's unit (as computed), and the member itself. Grid workers and residents see none. A run is seen by
the admins of its region (and of the regions under it), and by whoever sees one of its appraisals.

Who acts (五评 and after):
- self-assessment: the member itself; unit evaluation: an admin of the appraisal's unit; community evaluation:
  an admin of its community; organisation evaluation: a district or street admin over its community — all only
  while the appraisal is open;
- finalising: an admin of its community, while open; the appeal: the member, once finalised (only once); the
  answer: an admin of its community, while appealed.

Nobody evaluates (but for the self-assessment), finalises or answers the appeal of its own appraisal, whatever
its grants; and while an appraisal is open, its member sees its indicators and its own self-assessment only —
the other evaluations, the score and the proposal once the grade is set (`sees_evaluations`).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for, under
from baodao.lib.periods import Period
from baodao.org.models import Level, Region
from baodao.policy.models import DEFAULT_EXCELLENT_SHARE_MAX

from .models import Appraisal, AppraisalRun, Evaluator, Status

#: shares are written to three places
THOUSANDTH = Decimal("0.001")

#: region roles that see (and, but for finalising, act on) the appraisals under their regions
ADMIN_ROLES = (Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.COMMUNITY_ADMIN)
#: the evaluations someone other than the member gives, in the order they are offered
GIVEN_BY_OTHERS = (Evaluator.UNIT, Evaluator.COMMUNITY, Evaluator.ORGANISATION)


def appraisals_visible_to(user: Any) -> QuerySet[Appraisal]:
    scope = scope_for(user)
    q: Any = under("community__path", scope.paths(*ADMIN_ROLES))
    units = scope.units(Role.UNIT_ADMIN)
    if units:
        q |= Q(unit_id__in=units)
    if scope.member_id is not None:
        q |= Q(member_id=scope.member_id)
    return Appraisal.objects.filter(q).select_related("run", "member__user", "unit", "community")


def appraisal_get_for_user(user: Any, pk: Any) -> Appraisal:
    try:
        return appraisals_visible_to(user).get(pk=pk)
    except (Appraisal.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该考评。")) from None


def runs_visible_to(user: Any) -> QuerySet[AppraisalRun]:
    scope = scope_for(user)
    q: Any = under("region__path", scope.paths(*ADMIN_ROLES))
    q |= Q(pk__in=appraisals_visible_to(user).values("run"))
    return AppraisalRun.objects.filter(q).select_related("region")


def run_get_for_user(user: Any, pk: Any) -> AppraisalRun:
    try:
        return runs_visible_to(user).get(pk=pk)
    except (AppraisalRun.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该考评批次。")) from None


def regions_for_appraisal(user: Any) -> QuerySet[Region]:
    """The districts, streets and communities the caller may run an appraisal for: a community admin its
    community, a street or district admin every one of those in its region."""
    paths = scope_for(user).paths(*ADMIN_ROLES)
    return (
        Region.objects.filter(under("path", paths))
        .filter(level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY])
        .order_by("path")
    )


# ---- who may do what now ---------------------------------------------------------------------------------


def is_own(user: Any, appraisal: Appraisal) -> bool:
    """Whether the appraisal is the caller's own (whatever admin grants the caller also holds)."""
    member_id = scope_for(user).member_id
    return member_id is not None and member_id == appraisal.member_id


def sees_evaluations(user: Any, appraisal: Appraisal) -> bool:
    """Whether the caller sees every evaluation, the score and the proposal: once the grade is set, whoever
    sees the appraisal; while open, its reviewers (the admins of its unit, of its community and above) — but
    never the member itself, who sees its indicators and its own self-assessment only."""
    if appraisal.status != Status.OPEN:
        return True
    if is_own(user, appraisal):
        return False
    scope = scope_for(user)
    return appraisal.unit_id in scope.units(Role.UNIT_ADMIN) or scope.covers_region(
        appraisal.community, *ADMIN_ROLES
    )


def may_give(user: Any, appraisal: Appraisal, evaluator: str) -> bool:
    """Whether the caller is the person who gives `evaluator`'s evaluation of the appraisal (whatever its
    status): the member its self-assessment, never any other evaluation of its own appraisal."""
    scope = scope_for(user)
    if evaluator == Evaluator.SELF:
        return is_own(user, appraisal)
    if is_own(user, appraisal):
        return False
    if evaluator == Evaluator.UNIT:
        return appraisal.unit_id in scope.units(Role.UNIT_ADMIN)
    if evaluator == Evaluator.COMMUNITY:
        return scope.covers_region(appraisal.community, Role.COMMUNITY_ADMIN)
    if evaluator == Evaluator.ORGANISATION:
        return scope.covers_region(appraisal.community, Role.DISTRICT_ADMIN, Role.STREET_ADMIN)
    return False


def evaluators_for(user: Any, appraisal: Appraisal) -> list[str]:
    """The `evaluator` values the caller may give now ("unit", "community", "organisation"): none unless the
    appraisal is open."""
    if appraisal.status != Status.OPEN:
        return []
    return [str(e) for e in GIVEN_BY_OTHERS if may_give(user, appraisal, e)]


def may_self_assess(user: Any, appraisal: Appraisal) -> bool:
    return appraisal.status == Status.OPEN and may_give(user, appraisal, Evaluator.SELF)


def is_community_admin(user: Any, appraisal: Appraisal) -> bool:
    return scope_for(user).covers_region(appraisal.community, Role.COMMUNITY_ADMIN)


def reviews(user: Any, appraisal: Appraisal) -> bool:
    """Whether the caller finalises the appraisal and answers its appeal: an admin of its community, not
    the member itself."""
    return is_community_admin(user, appraisal) and not is_own(user, appraisal)


def may_finalise(user: Any, appraisal: Appraisal) -> bool:
    return appraisal.status == Status.OPEN and reviews(user, appraisal)


def may_appeal(user: Any, appraisal: Appraisal) -> bool:
    return appraisal.status == Status.FINALISED and may_give(user, appraisal, Evaluator.SELF)


def may_answer(user: Any, appraisal: Appraisal) -> bool:
    return appraisal.status == Status.APPEALED and reviews(user, appraisal)


# ---- the 优秀 cap --------------------------------------------------------------------------------------


def excellent_share(community_id: int, period_code: str) -> Decimal:
    """The largest share of the first grade, as the rules of the period's first run over the community keep
    it."""
    rules = (
        AppraisalRun.objects.filter(appraisals__community_id=community_id, period=period_code)
        .order_by("pk")
        .values_list("rules", flat=True)
        .first()
    )
    return Decimal(str((rules or {}).get("excellent_share_max", DEFAULT_EXCELLENT_SHARE_MAX)))


def share_fraction(share: Decimal) -> Fraction:
    """The share as a fraction: written to three places, a share that is a simple fraction rounded (0.333,
    0.667) stands for that fraction (one third, two thirds); any other is taken exactly (0.25, 0.3)."""
    exact = Fraction(share)
    simple = exact.limit_denominator(20)
    rounded = Decimal(simple.numerator) / Decimal(simple.denominator)
    return simple if rounded.quantize(THOUSANDTH, ROUND_HALF_UP) == share else exact


def excellent_allowed(share: Decimal, total: int) -> int:
    """The most first grades among `total` appraisals: the share of them, rounded down — 0.333 is one third
    (1 of 3, 100 of 300, none of 2), 0.25 of 4,001 is 1,000."""
    return math.floor(total * share_fraction(share))


def quota(community_id: int, period_code: str, *, excluding: int | None = None) -> tuple[int, int, int]:
    """(first grades already given among the non-open appraisals of the community and period, leaving out
    `excluding`; the most allowed; how many appraisals there are)."""
    rows = Appraisal.objects.filter(community_id=community_id, period=period_code)
    total = rows.count()
    given = rows.exclude(status=Status.OPEN).filter(grade_level=1)
    if excluding is not None:
        given = given.exclude(pk=excluding)
    return given.count(), excellent_allowed(excellent_share(community_id, period_code), total), total


def excellent_quota(community: Region, period: Period) -> tuple[int, int]:
    """(优秀 already given among the non-open appraisals of the community and period, the most allowed)."""
    used, allowed, _total = quota(community.pk, period.code)
    return used, allowed
