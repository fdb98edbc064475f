"""Forms of the pages. They parse and render input only; the rules live in the services."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baodao.lib.errors import DomainError
from baodao.members.models import DayPart, Skill, Weekday
from baodao.org.models import Region
from baodao.registration.models import Status
from baodao.registration.selectors import MEMBER_STATUSES
from baodao.registration.services import REASON_MAX

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_TAG_SEPARATORS = re.compile(r"[,，、;；\s]+")


class Form(forms.Form):
    """Labels without a trailing colon, so that a label reads exactly as the field's name."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def set_choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def add_domain_error(self, exc: DomainError) -> None:
        """Show a service's refusal on the fields it names, or above the form."""
        placed = False
        for name, messages in exc.fields.items():
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
                placed = True
        if not placed:
            self.add_error(None, exc.detail)


class LoginForm(Form):
    phone = forms.CharField(label=_("手机号"), max_length=20)
    password = forms.CharField(label=_("密码"), max_length=128, strip=False, widget=forms.PasswordInput)


# ---- the member's 报到 ------------------------------------------------------------------------------


def _communities_by_street(communities: Iterable[Region]) -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for c in communities:
        groups.setdefault(c.parent.name if c.parent else "", []).append((c.code, c.name))
    return list(groups.items())


class ResidenceForm(Form):
    """Community, grid (grouped by community, so it works without scripts) and building."""

    community = forms.ChoiceField(label=_("社区"))
    grid = forms.ChoiceField(
        label=_("网格"), required=False, help_text=_("可不选；如选择，网格须属于上面所选的社区。")
    )
    address = forms.CharField(
        label=_("楼栋/住址"), max_length=200, required=False, help_text=_("如：3栋2单元501。仅社区可见。")
    )

    def __init__(self, *args: Any, communities: list[Region], grids: list[Region], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._regions = {r.code: r for r in [*communities, *grids]}
        names = {c.pk: c.name for c in communities}
        by_community: dict[str, list[tuple[str, str]]] = {}
        for g in grids:
            by_community.setdefault(names.get(g.parent_id or 0, ""), []).append((g.code, g.name))
        self.set_choices("community", [("", gettext("请选择社区")), *_communities_by_street(communities)])
        self.set_choices("grid", [("", gettext("暂不选择网格")), *by_community.items()])

    def residence(self) -> dict[str, Any]:
        """Keyword arguments for registration_apply / registration_transfer."""
        grid = self.cleaned_data["grid"]
        return {
            "community": self._regions[self.cleaned_data["community"]],
            "grid": self._regions[grid] if grid else None,
            "address": self.cleaned_data["address"],
        }


def _reason_field(label: StrOrPromise) -> forms.CharField:
    return forms.CharField(label=label, max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(ResidenceForm):
    reason = _reason_field(_("转移原因"))
    field_order = ["reason", "community", "grid", "address"]


class ReasonForm(Form):
    reason = _reason_field(_("原因"))


SLOTS = [
    (f"{d}-{p}", format_lazy("{}{}", d_label, p_label))
    for d, d_label in Weekday.choices
    for p, p_label in DayPart.choices
]


def split_tags(value: str) -> list[str]:
    return [t for t in _TAG_SEPARATORS.split(value or "") if t]


class ProfileForm(Form):
    skills = forms.MultipleChoiceField(
        label=_("兴趣特长"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )
    tags = forms.CharField(
        label=_("特长标签"),
        required=False,
        max_length=300,
        help_text=_("自己填写的特长，用逗号分隔，如：书法，摄影。最多 10 个。"),
    )
    preferences = forms.MultipleChoiceField(
        label=_("服务意愿"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )
    availability = forms.MultipleChoiceField(label=_("每周可服务时间"), choices=SLOTS, required=False)
    pledge = forms.CharField(
        label=_("亮承诺"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("公开在社区“亮身份”页面上，最多 500 字。"),
    )

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["tags"] = split_tags(data["tags"])
        return data

    def availability_rows(self) -> list[dict[str, Any]]:
        """The weekday × part-of-day grid of checkboxes, for a table without scripts."""
        chosen = set(self["availability"].value() or [])
        return [
            {
                "label": d_label,
                "slots": [
                    {"value": f"{d}-{p}", "label": p_label, "checked": f"{d}-{p}" in chosen}
                    for p, p_label in DayPart.choices
                ],
            }
            for d, d_label in Weekday.choices
        ]


# ---- filters --------------------------------------------------------------------------------------


class RegistrationFilterForm(Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *Status.choices])


class MemberFilterForm(Form):
    grid = forms.ChoiceField(label=_("网格"), required=False)
    unit = forms.ChoiceField(label=_("单位"), required=False)
    skill = forms.ChoiceField(label=_("特长"), required=False, choices=[("", _("全部")), *Skill.choices])

    def __init__(self, *args: Any, grids: list[tuple[str, str]], units: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.set_choices("grid", [("", gettext("全部")), *grids])
        self.set_choices("unit", [("", gettext("全部")), *units])


class MemberStatusFilterForm(Form):
    status = forms.ChoiceField(
        label=_("报到状态"), required=False, choices=[("", _("全部")), *MEMBER_STATUSES.items()]
    )


# ---- 单位报到 -------------------------------------------------------------------------------------------


class UnitRegistrationForm(Form):
    community = forms.ChoiceField(label=_("共建社区"))
    commitments = forms.CharField(
        label=_("共建承诺"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明本单位为社区提供的资源、服务项目和共建活动。"),
    )

    def __init__(self, *args: Any, communities: list[Region], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._communities = {c.code: c for c in communities}
        self.set_choices("community", [("", gettext("请选择社区")), *_communities_by_street(communities)])

    def community_region(self) -> Region:
        return self._communities[self.cleaned_data["community"]]
