"""Forms of the community's, the grid's and the street's needs pages. They parse and render input only; the
rules live in the services (baodao.needs.services)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baodao.members.models import Skill
from baodao.needs.models import COMMUNITY_KINDS, Category, Kind, Status
from baodao.needs.services import DESCRIPTION_MAX, MAX_PLACES, TITLE_MAX

from .forms import Form

_ALL = ("", _("全部"))


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _datetime_field(label: Any, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class PeriodForm(Form):
    """From one day to another, both included."""

    since = _date_field(_("起始日期"))
    until = _date_field(_("截止日期"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", gettext("截止日期不能早于起始日期。"))
        return data

    def period(self) -> dict[str, date]:
        """The days given (`since`, `until`) for the selectors; nothing when the form is invalid."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if k in ("since", "until") and v}


class NeedFilterForm(PeriodForm):
    """The filters of the classified ledger (分类台账)."""

    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[_ALL, *Kind.choices])
    category = forms.ChoiceField(label=_("分类"), required=False, choices=[_ALL, *Category.choices])
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[_ALL, *Status.choices])
    grid = forms.ChoiceField(label=_("网格"), required=False)
    overdue = forms.BooleanField(label=_("只看超时"), required=False)
    field_order = ["kind", "category", "status", "grid", "since", "until", "overdue"]

    def __init__(self, *args: Any, grids: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["since"].label = _("提交日期从")
        self.fields["until"].label = _("到")
        self.set_choices("grid", [("", gettext("全部")), *grids])

    def filters(self) -> dict[str, Any]:
        """The filters that were set, as `needs_filter` takes them; nothing when the form is invalid."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class CommunityNeedForm(Form):
    """The community's own 服务清单 or 任务清单 item."""

    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[(k, label) for k, label in Kind.choices if k in COMMUNITY_KINDS],
        widget=forms.RadioSelect(attrs={"class": "checks"}),
        initial=Kind.TASK,
        help_text=_("服务清单：社区长期需要党员帮助的服务；任务清单：有时间、地点和名额的一次性任务。"),
    )
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    category = forms.ChoiceField(label=_("分类"), choices=[("", _("请选择分类")), *Category.choices])
    description = forms.CharField(
        label=_("详细描述"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("要做什么、需要什么条件。认领的党员和单位可以看到。"),
    )
    grid = forms.ChoiceField(label=_("网格"), required=False, help_text=_("可不选：全社区范围。"))
    location = forms.CharField(
        label=_("地点/楼栋"), max_length=200, required=False, help_text=_("如：社区党群服务中心二楼。")
    )
    skills = forms.MultipleChoiceField(
        label=_("所需特长"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        help_text=_("有这些特长的党员会优先看到这项需求。"),
    )
    places = forms.IntegerField(
        label=_("名额"), min_value=1, max_value=MAX_PLACES, initial=1, help_text=_("需要多少人（或单位）。")
    )
    starts_at = _datetime_field(_("开始时间"))
    due_at = _datetime_field(_("截止时间"), _("过了截止时间仍未办结的，会在台账中标为超时。"))
    publish = forms.BooleanField(
        label=_("立即发布"),
        required=False,
        initial=True,
        help_text=_("不勾选则先保存为待审核，稍后在需求页面发布。"),
    )

    def __init__(self, *args: Any, grids: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.set_choices("grid", [("", gettext("全社区")), *grids])

    def submission(self, grids: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments for `need_submit` but actor and community; `grids` maps codes to regions."""
        data = dict(self.cleaned_data)
        data["grid"] = grids.get(data["grid"]) if data["grid"] else None
        return data
