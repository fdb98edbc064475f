"""The datasets one can export: their filters (those of the lists), their columns with Chinese headers, and
their rows — masked, with labels instead of codes — read in chunks from the scoped selectors.

Phone numbers, ID numbers and home addresses are masked for everyone in an export, whatever the
caller may unmask on screen: an unmasked export would be a separate, audited permission (not offered).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from baodao.lib.idnumber import mask_phone
from baodao.members.api import MemberFilter, mask_address
from baodao.members.models import Skill
from baodao.needs.models import Category
from baodao.needs.models import Kind as NeedKind
from baodao.needs.models import Status as NeedStatus
from baodao.needs.selectors import mask_name
from baodao.registration.api import CoverageFilter, RegistrationFilter
from baodao.registration.models import Status
from baodao.registration.selectors import MEMBER_STATUSES, Coverage

from .formats import Cell, Column
from .selectors import coverage_for_export, members_for_export, needs_for_export, registrations_for_export

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: Rows fetched from the database at a time.
FETCH_ROWS = 2000


@dataclass(frozen=True)
class Table:
    """One export, ready to write: its title (sheet and file name), columns, row count and rows. The
    rows are read only when iterated, once."""

    title: str
    columns: Sequence[Column]
    count: int
    rows: Iterable[Sequence[Cell]]


@dataclass(frozen=True)
class Dataset:
    name: str
    title: StrOrPromise
    #: The query parameters it takes (those of the corresponding list).
    filters: type[serializers.Serializer]
    table: Callable[[Any, dict[str, Any]], Table]


# ---- 党员 -----------------------------------------------------------------------------------------------


class MemberExportFilter(MemberFilter):
    """The filters of `/api/v1/members`, and those of the pages that export members."""

    status = serializers.ChoiceField(
        choices=list(MEMBER_STATUSES.items()),
        required=False,
        help_text=gettext_lazy("报到状态：registered 已报到，pending 待确认，unregistered 未报到"),
    )
    registered_in = serializers.CharField(
        required=False, help_text=gettext_lazy("已在该社区报到（社区编码）")
    )
    on_roster = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("true 只要在册党员")
    )


MEMBER_COLUMNS = (
    Column(gettext_lazy("姓名"), 10),
    Column(gettext_lazy("手机号"), 14),
    Column(gettext_lazy("身份证号"), 21),
    Column(gettext_lazy("工作单位"), 24),
    Column(gettext_lazy("党支部"), 16),
    Column(gettext_lazy("居住社区"), 14),
    Column(gettext_lazy("网格"), 12),
    Column(gettext_lazy("楼栋/住址（脱敏）"), 18),
    Column(gettext_lazy("兴趣特长"), 24),
    Column(gettext_lazy("报到状态"), 10),
    Column(gettext_lazy("报到社区"), 14),
    Column(gettext_lazy("回执编号"), 22),
)
_MEMBER_FIELDS = (
    "user__name",
    "user__phone",
    "id_number_masked",
    "unit__name",
    "branch__name",
    "community__name",
    "grid__name",
    "address",
    "skills",
    "registered_community_id",
    "pending",
    "registered_community__name",
    "confirmed__receipt_no",
)


def members_table(user: Any, params: dict[str, Any]) -> Table:
    qs = members_for_export(user, **params)
    return Table(str(DATASETS["members"].title), MEMBER_COLUMNS, qs.count(), _member_rows(qs))


def _member_rows(qs: Any) -> Iterator[tuple[Cell, ...]]:
    skills = {code: str(label) for code, label in Skill.choices}
    statuses = {key: str(label) for key, label in MEMBER_STATUSES.items()}
    separator = _("、")
    for (
        name,
        phone,
        id_number_masked,
        unit,
        branch,
        community,
        grid,
        address,
        codes,
        registered_id,
        pending,
        registered_name,
        receipt_no,
    ) in qs.values_list(*_MEMBER_FIELDS).iterator(chunk_size=FETCH_ROWS):
        status = "registered" if registered_id else "pending" if pending else "unregistered"
        yield (
            name,
            mask_phone(phone),
            id_number_masked,
            unit,
            branch,
            community,
            grid,
            mask_address(address),
            separator.join(skills.get(code, code) for code in codes or ()),
            statuses[status],
            registered_name,
            receipt_no,
        )


# ---- 报到记录 -------------------------------------------------------------------------------------------

REGISTRATION_COLUMNS = (
    Column(gettext_lazy("姓名"), 10),
    Column(gettext_lazy("手机号"), 14),
    Column(gettext_lazy("工作单位"), 24),
    Column(gettext_lazy("报到社区"), 14),
    Column(gettext_lazy("网格"), 12),
    Column(gettext_lazy("状态"), 8),
    Column(gettext_lazy("回执编号"), 22),
    Column(gettext_lazy("申请时间"), 17),
    Column(gettext_lazy("处理时间"), 17),
    Column(gettext_lazy("结束时间"), 17),
    Column(gettext_lazy("驳回/结束原因"), 30),
)
_REGISTRATION_FIELDS = (
    "member__user__name",
    "member__user__phone",
    "member__unit__name",
    "community__name",
    "grid__name",
    "status",
    "receipt_no",
    "applied_at",
    "decided_at",
    "ended_at",
    "reason",
)


def registrations_table(user: Any, params: dict[str, Any]) -> Table:
    qs = registrations_for_export(user, **params)
    return Table(
        str(DATASETS["registrations"].title), REGISTRATION_COLUMNS, qs.count(), _registration_rows(qs)
    )


def _local(moment: datetime | None) -> str | None:
    """Beijing time (the site's time zone), to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else None


def _registration_rows(qs: Any) -> Iterator[tuple[Cell, ...]]:
    labels = {value: str(label) for value, label in Status.choices}
    for (
        name,
        phone,
        unit,
        community,
        grid,
        status,
        receipt_no,
        applied,
        decided,
        ended,
        reason,
    ) in qs.values_list(*_REGISTRATION_FIELDS).iterator(chunk_size=FETCH_ROWS):
        yield (
            name,
            mask_phone(phone),
            unit,
            community,
            grid,
            labels.get(status, status),
            receipt_no,
            _local(applied),
            _local(decided),
            _local(ended),
            reason,
        )


# ---- 报到率 --------------------------------------------------------------------------------------------

_HUNDREDTHS = Decimal("0.01")


def _percent(part: Decimal | int, whole: int = 1) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(_HUNDREDTHS)


def coverage_table(user: Any, params: dict[str, Any]) -> Table:
    by_community = params.get("by") == "community"
    rows = coverage_for_export(user, region=params["region"], by=params.get("by", "unit"))
    title = _("报到率（按社区）") if by_community else _("报到率（按单位）")
    columns = (
        Column(_("社区编码") if by_community else _("单位编码"), 14),
        Column(_("社区") if by_community else _("单位"), 24),
        Column(_("在册党员"), 10),
        Column(_("已报到"), 10),
        Column(_("报到率（%）"), 12),
        Column(_("达标线（%）"), 12),
        Column(_("低于达标线"), 12),
    )
    return Table(f"{title}-{params['region']}", columns, len(rows), _coverage_rows(rows))


def _coverage_rows(rows: list[Coverage]) -> Iterator[tuple[Cell, ...]]:
    yes, no = _("是"), _("否")
    for row in rows:
        yield (
            row.code,
            row.name,
            row.members,
            row.registered,
            _percent(row.registered, row.members) if row.members else None,
            _percent(row.threshold),
            yes if row.below_threshold else no,
        )


# ---- 需求台账 -------------------------------------------------------------------------------------------


class NeedExportFilter(serializers.Serializer):
    """The filters of the community's classified ledger (分类台账) page."""

    community = serializers.CharField(required=False, help_text=gettext_lazy("社区编码"))
    kind = serializers.ChoiceField(choices=NeedKind.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    status = serializers.ChoiceField(choices=NeedStatus.choices, required=False)
    grid = serializers.CharField(required=False, help_text=gettext_lazy("网格编码"))
    since = serializers.DateField(required=False, help_text=gettext_lazy("提交日期从（含）"))
    until = serializers.DateField(required=False, help_text=gettext_lazy("提交日期到（含）"))
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=gettext_lazy("true 只要超时的")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": [_("截止日期不能早于起始日期。")]})
        # Days as ISO text: the filters go into the audit entry and the background job as JSON.
        return {k: v.isoformat() if k in ("since", "until") and v else v for k, v in attrs.items()}


NEED_COLUMNS = (
    Column(gettext_lazy("编号"), 8),
    Column(gettext_lazy("提交时间"), 17),
    Column(gettext_lazy("类型"), 9),
    Column(gettext_lazy("分类"), 10),
    Column(gettext_lazy("标题"), 30),
    Column(gettext_lazy("社区"), 14),
    Column(gettext_lazy("网格"), 12),
    Column(gettext_lazy("状态"), 8),
    Column(gettext_lazy("名额"), 6),
    Column(gettext_lazy("已认领"), 8),
    Column(gettext_lazy("响应时限"), 17),
    Column(gettext_lazy("办结时限"), 17),
    Column(gettext_lazy("是否超时"), 9),
    Column(gettext_lazy("上报街道时间"), 17),
    Column(gettext_lazy("结束时间"), 17),
    Column(gettext_lazy("评价（星）"), 10),
    Column(gettext_lazy("网格员代办"), 10),
    Column(gettext_lazy("联系人（脱敏）"), 10),
    Column(gettext_lazy("联系电话（脱敏）"), 14),
    Column(gettext_lazy("地址（脱敏）"), 18),
    Column(gettext_lazy("未受理原因"), 24),
)
_NEED_FIELDS = (
    "pk",
    "created_at",
    "kind",
    "category",
    "title",
    "community__name",
    "grid__name",
    "status",
    "places",
    "taken",
    "respond_by",
    "resolve_by",
    "overdue",
    "escalated_at",
    "closed_at",
    "rating",
    "on_behalf",
    "contact_name",
    "contact_phone",
    "address",
    "decline_reason",
)


def needs_table(user: Any, params: dict[str, Any]) -> Table:
    qs = needs_for_export(user, **params)
    title = str(DATASETS["needs"].title)
    if params.get("community"):
        title = f"{title}-{params['community']}"
    return Table(title, NEED_COLUMNS, qs.count(), _need_rows(qs))


def _need_rows(qs: Any) -> Iterator[tuple[Cell, ...]]:
    """The resident's name, phone and address masked; the description left out (residents type anything
    there)."""
    kinds = {value: str(label) for value, label in NeedKind.choices}
    categories = {value: str(label) for value, label in Category.choices}
    statuses = {value: str(label) for value, label in NeedStatus.choices}
    yes, no = _("是"), _("否")
    for (
        pk,
        created,
        kind,
        category,
        title,
        community,
        grid,
        status,
        places,
        taken,
        respond_by,
        resolve_by,
        overdue,
        escalated,
        closed,
        rating,
        on_behalf,
        contact_name,
        contact_phone,
        address,
        decline_reason,
    ) in qs.values_list(*_NEED_FIELDS).iterator(chunk_size=FETCH_ROWS):
        yield (
            pk,
            _local(created),
            kinds.get(kind, kind),
            categories.get(category, category),
            title,
            community,
            grid,
            statuses.get(status, status),
            places,
            taken,
            _local(respond_by),
            _local(resolve_by),
            yes if overdue else no,
            _local(escalated),
            _local(closed),
            rating,
            yes if on_behalf else no,
            mask_name(contact_name),
            mask_phone(contact_phone),
            mask_address(address),
            decline_reason,
        )


DATASETS: dict[str, Dataset] = {
    "members": Dataset("members", gettext_lazy("党员名单"), MemberExportFilter, members_table),
    "registrations": Dataset(
        "registrations", gettext_lazy("党员报到记录"), RegistrationFilter, registrations_table
    ),
    "coverage": Dataset("coverage", gettext_lazy("报到率"), CoverageFilter, coverage_table),
    "needs": Dataset("needs", gettext_lazy("需求台账"), NeedExportFilter, needs_table),
}
