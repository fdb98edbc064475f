"""The form of the district's policy page. It parses and renders input only; the rules (who may set policy,
start dates, ranges, cut-offs, weights) live in the service (baodao.policy.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Field
from django.utils.translation import gettext_lazy as _

from baodao.policy.models import Policy
from baodao.policy.services import EDITABLE

from .forms import Form

#: help under the fields whose units are not obvious from their names
HELP = {
    "coverage_threshold": _("填小数，如 0.9 表示 90%。单位报到率低于此线即为未达标。"),
    "min_services": _("在统计周期内至少完成的经核实服务次数；填 0 表示不按次数要求。"),
    "min_hours_per_year": _("可不填：不按时长要求。如“每年至少 50 小时”填 50。"),
    "hours_rounding": _("活动时长按此单位向下取整，如 0.5 表示半小时。"),
    "points_yearly_cap": _("可不填：不设上限。"),
    "grade_excellent_min": _("考核得分（0–100）达到此分即评为第一等次；以下各等次的最低分须依次降低。"),
    "excellent_share_max": _("填小数，如 0.333 表示不超过三分之一。"),
    "weight_self": _("五项权重合计须为 100。"),
}


class PolicyForm(Form):
    """A new version of the district's policy from a start date, prefilled with the values in force."""

    effective_from = forms.DateField(
        label=_("生效日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("今天或以后。已生效的政策不会改变；同一日期再次设置会替换尚未生效的版本。"),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in EDITABLE:
            model_field = Policy._meta.get_field(name)
            assert isinstance(model_field, Field)
            field = model_field.formfield()
            assert field is not None
            if name in HELP:
                field.help_text = HELP[name]
            self.fields[name] = field

    @staticmethod
    def initial_from(policy: Policy) -> dict[str, Any]:
        return {name: getattr(policy, name) for name in EDITABLE}
