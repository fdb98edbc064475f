"""Setting a district's policy: a new version from a start date, set by the district's own admin.

A version never changes once it is in force, and a start date is never in the past: results computed under
a policy (points, appraisals) keep the policy they were computed with. Setting the same future date again
replaces that upcoming version. Values not given are carried over from the version in force on the start
date, so a change names only what changes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from baodao.accounts.models import Role
from baodao.accounts.scope import scope_for
from baodao.audit.models import Action
from baodao.audit.services import audit_record
from baodao.lib.errors import Conflict, Forbidden, Invalid
from baodao.org.models import Level, Region

from .models import GRADE_NAME_MAX, Period, Policy
from .selectors import policy_in_force

#: whole numbers: field -> (least, greatest)
INT_RANGES: dict[str, tuple[int, int]] = {
    "need_respond_hours": (1, 24 * 30),
    "need_resolve_days": (1, 365),
    "claim_lapse_days": (1, 365),
    "min_services": (0, 100),
    "registration_deadline_days": (1, 365),
    "reconfirm_months": (1, 60),
    "grade_excellent_min": (0, 100),
    "grade_good_min": (0, 100),
    "grade_basic_min": (0, 100),
    "weight_self": (0, 100),
    "weight_unit": (0, 100),
    "weight_residents": (0, 100),
    "weight_community": (0, 100),
    "weight_organisation": (0, 100),
}
#: whole numbers that may be left empty (no such limit): field -> (least, greatest)
OPTIONAL_INT_RANGES: dict[str, tuple[int, int]] = {
    "points_yearly_cap": (1, 1_000_000),
    "min_hours_per_year": (1, 2000),
}
#: decimals: field -> (least, greatest, places); a least of None means "more than 0"
DECIMAL_RANGES: dict[str, tuple[Decimal | None, Decimal, int]] = {
    "coverage_threshold": (None, Decimal(1), 3),
    "hours_rounding": (Decimal("0.01"), Decimal(1), 2),
    "points_per_hour": (Decimal(0), Decimal("9999.99"), 2),
    "points_per_need": (Decimal(0), Decimal("9999.99"), 2),
    "points_rating_bonus": (Decimal(0), Decimal("9999.99"), 2),
    "points_no_show": (Decimal(0), Decimal("9999.99"), 2),
    "excellent_share_max": (None, Decimal(1), 3),
}
GRADE_NAMES = ("grade_excellent_name", "grade_good_name", "grade_basic_name", "grade_poor_name")
CUTOFFS = ("grade_excellent_min", "grade_good_min", "grade_basic_min")
WEIGHTS = ("weight_self", "weight_unit", "weight_residents", "weight_community", "weight_organisation")
#: every value a district sets, in the order pages and the API show them
EDITABLE: tuple[str, ...] = (
    "coverage_threshold",
    "registration_deadline_days",
    "reconfirm_months",
    "min_services",
    "min_services_period",
    "min_hours_per_year",
    "posts_required",
    "need_respond_hours",
    "need_resolve_days",
    "claim_lapse_days",
    "hours_rounding",
    "points_per_hour",
    "points_per_need",
    "points_rating_bonus",
    "points_no_show",
    "points_yearly_cap",
    *GRADE_NAMES,
    *CUTOFFS,
    "excellent_share_max",
    *WEIGHTS,
)


def _label(name: str) -> str:
    field = Policy._meta.get_field(name)
    assert isinstance(field, Field)
    return str(field.verbose_name)


def _int(name: str, value: Any, least: int, greatest: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        if isinstance(value, (bool, float)):
            raise ValueError
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(_("%(label)s须为整数。") % {"label": _label(name)}) from None
    if not least <= number <= greatest:
        raise ValueError(
            _("%(label)s须在 %(min)d 到 %(max)d 之间。")
            % {"label": _label(name), "min": least, "max": greatest}
        )
    return number


def _decimal(name: str, value: Any, least: Decimal | None, greatest: Decimal, places: int) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("%(label)s须为数字。") % {"label": _label(name)})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(_("%(label)s须为数字。") % {"label": _label(name)}) from None
    if not number.is_finite():
        raise ValueError(_("%(label)s须为数字。") % {"label": _label(name)})
    if least is None and not Decimal(0) < number <= greatest:
        raise ValueError(
            _("%(label)s须大于 0，且不超过 %(max)s。") % {"label": _label(name), "max": greatest}
        )
    if least is not None and not least <= number <= greatest:
        raise ValueError(
            _("%(label)s须在 %(min)s 到 %(max)s 之间。")
            % {"label": _label(name), "min": least, "max": greatest}
        )
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(
            _("%(label)s最多保留 %(places)d 位小数。") % {"label": _label(name), "places": places}
        )
    return number


def _grade_name(name: str, value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValueError(_("请填写%(label)s。") % {"label": _label(name)})
    if len(text) > GRADE_NAME_MAX:
        raise ValueError(_("%(label)s最多 %(max)d 字。") % {"label": _label(name), "max": GRADE_NAME_MAX})
    return text


def _one(name: str, value: Any) -> Any:
    """The value parsed and checked on its own; ValueError with a Chinese message when it does not fit."""
    if name in INT_RANGES:
        return _int(name, value, *INT_RANGES[name])
    if name in OPTIONAL_INT_RANGES:
        if value is None or value == "":
            return None
        return _int(name, value, *OPTIONAL_INT_RANGES[name])
    if name in DECIMAL_RANGES:
        return _decimal(name, value, *DECIMAL_RANGES[name])
    if name in GRADE_NAMES:
        return _grade_name(name, value)
    if name == "min_services_period":
        if value not in Period.values:
            raise ValueError(_("统计周期须为每季度（quarter）或每年（year）。"))
        return str(value)
    if name == "posts_required":
        if not isinstance(value, bool):
            raise ValueError(_("%(label)s须为是或否。") % {"label": _label(name)})
        return value
    raise ValueError(_("没有这项政策参数。"))


def _cleaned(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        try:
            cleaned[name] = _one(name, value)
        except ValueError as exc:
            errors[name] = [str(exc)]
    _raise_if(errors)
    return cleaned


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise Invalid(first, fields=errors)


def _check_together(merged: dict[str, Any], given: set[str]) -> None:
    """Rules across fields: cut-offs strictly decreasing, four different grade names, weights summing to 100.
    A message goes on the fields the caller gave (or on all those involved, when none of them was given)."""
    errors: dict[str, list[str]] = {}

    def add(fields: tuple[str, ...], message: str) -> None:
        for name in [f for f in fields if f in given] or list(fields):
            errors.setdefault(name, []).append(message)

    for higher, lower in pairwise(CUTOFFS):
        if merged[lower] >= merged[higher]:
            add(
                (lower, higher),
                _("%(lower)s须低于%(higher)s。") % {"lower": _label(lower), "higher": _label(higher)},
            )
    names = [merged[n] for n in GRADE_NAMES]
    for name in GRADE_NAMES:
        if names.count(merged[name]) > 1 and name in given:
            errors.setdefault(name, []).append(_("四个等次的名称不能相同。"))
    total = sum(merged[w] for w in WEIGHTS)
    if total != 100:
        add(WEIGHTS, _("五评权重合计须为 100（现为 %(total)d）。") % {"total": total})
    _raise_if(errors)


def _start_date(value: Any) -> date:
    try:
        start = value if isinstance(value, date) else parse_date(str(value)) if value else None
    except ValueError:
        start = None
    if start is None:
        message = _("请填写生效日期（如 2026-10-01）。")
        raise Invalid(message, fields={"effective_from": [message]})
    if start < timezone.localdate():
        message = _("生效日期不能早于今天：政策调整只对以后生效，不改变已经得出的结果。")
        raise Invalid(message, fields={"effective_from": [message]})
    return start


def _for_audit(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def may_set_policy(user: Any, district: Region) -> bool:
    return scope_for(user).covers_region(district, Role.DISTRICT_ADMIN)


def policy_set(
    *, actor: Any, district: Region, effective_from: Any, request: Any = None, **values: Any
) -> Policy:
    """A new version of the district's policy from `effective_from` (today or later); setting an upcoming
    date again replaces that version. A change is carried into the versions planned after it that had the
    value it replaces (they inherited it), so an earlier change is never undone by a later plan. Only the
    district's admin may; a new version that changes nothing is refused; every change is audited."""
    if district.level != Level.DISTRICT:
        message = _("政策按区设置。")
        raise Invalid(message, fields={"district": [message]})
    if not may_set_policy(actor, district):
        raise Forbidden(_("只有本区的区委组织部管理员可以修改政策。"))
    start = _start_date(effective_from)
    cleaned = _cleaned(values)
    with transaction.atomic():
        existing = Policy.objects.select_for_update().filter(district=district, effective_from=start).first()
        if existing is not None and start <= timezone.localdate():
            raise Conflict(
                _("从今天起执行的政策已经生效，不能再修改；请设置从明天起生效的新版本。"), code="in_force"
            )
        base = existing or policy_in_force(district.code, on=start)
        merged = {name: getattr(base, name) for name in EDITABLE} | cleaned
        _check_together(merged, set(cleaned))
        changes = {
            name: [_for_audit(getattr(base, name)), _for_audit(merged[name])]
            for name in EDITABLE
            if getattr(base, name) != merged[name]
        }
        if existing is not None and not changes:
            return existing
        if not changes:
            message = _("与 %(date)s 当天执行的政策相同，没有可保存的修改。") % {"date": start.isoformat()}
            raise Invalid(message, fields={"effective_from": [message]})
        policy = _saved(existing, district=district, start=start, values=merged)
        carried = _carry_into_later_versions(district, start, changes)
        audit_record(
            action=Action.POLICY_CHANGED,
            actor=actor,
            target=policy,
            detail={
                "district": district.code,
                "effective_from": start.isoformat(),
                "replaced": existing is not None,
                "changes": changes,
                "carried_to": carried,
            },
            request=request,
        )
    return policy


def _carry_into_later_versions(district: Region, start: date, changes: dict[str, list[Any]]) -> list[str]:
    """Versions planned after `start` hold every value; where one still holds the value this change replaced
    (inherited, not chosen), it takes the new value. Returns the dates of the versions changed."""
    carried: list[str] = []
    for later in Policy.objects.select_for_update().filter(district=district, effective_from__gt=start):
        updated = False
        for name, (old, new) in changes.items():
            if _for_audit(getattr(later, name)) == old:
                field = Policy._meta.get_field(name)
                assert isinstance(field, Field)
                setattr(later, name, field.to_python(new))
                updated = True
        if updated:
            later.save()
            carried.append(later.effective_from.isoformat())
    return carried


def _saved(existing: Policy | None, *, district: Region, start: date, values: dict[str, Any]) -> Policy:
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.created_at = timezone.now()
        existing.save()
        return existing
    try:
        with transaction.atomic():
            return Policy.objects.create(district=district, effective_from=start, **values)
    except IntegrityError:
        raise Conflict(
            _("刚有人设置了同一日期生效的政策，请刷新后再试。"), code="concurrent_change"
        ) from None
