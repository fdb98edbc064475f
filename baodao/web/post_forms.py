"""Forms of the posts, teams and lead-member pages. They parse and render input only; the rules (who may set a
post, headcounts, who may join a team or lead a grid) live in baodao.posts.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baodao.members.models import Skill
from baodao.posts.models import Kind, TeamKind
from baodao.posts.services import MAX_HEADCOUNT, TITLE_MAX

from .forms import Form


class PostForm(Form):
    """按需设岗: a new regular or emergency post of the community."""

    kind = forms.ChoiceField(
        label=_("岗位类型"),
        choices=Kind.choices,
        initial=Kind.REGULAR,
        widget=forms.RadioSelect(attrs={"class": "checks"}),
        help_text=_("应急岗位的在岗党员在启动应急动员时最先被召集。"),
    )
    title = forms.CharField(
        label=_("岗位名称"), max_length=TITLE_MAX, help_text=_("如：政策宣传、物资配送。")
    )
    headcount = forms.IntegerField(label=_("人数"), min_value=1, max_value=MAX_HEADCOUNT, initial=5)
    duties = forms.CharField(
        label=_("岗位职责"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("做什么、在哪里、要注意什么。认领的党员可以看到。"),
    )
    skills = forms.MultipleChoiceField(
        label=_("所需特长"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )
    schedule = forms.CharField(
        label=_("服务时间"), max_length=100, required=False, help_text=_("如：每周六上午；应急时随叫随到。")
    )
    grids = forms.MultipleChoiceField(
        label=_("服务网格"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        help_text=_("可不选：服务全社区。"),
    )

    def __init__(self, *args: Any, grids: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.set_choices("grids", grids)

    def submission(self, grids: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments for `post_create` but actor and community; `grids` maps codes to regions."""
        data = dict(self.cleaned_data)
        data["grids"] = [grids[code] for code in data["grids"]]
        return data


class TeamForm(Form):
    """A new functional party branch or volunteer team of the community."""

    kind = forms.ChoiceField(
        label=_("类型"),
        choices=TeamKind.choices,
        initial=TeamKind.TEAM,
        widget=forms.RadioSelect(attrs={"class": "checks"}),
    )
    name = forms.CharField(label=_("名称"), max_length=60, help_text=_("如：幸福社区应急志愿服务队。"))
    description = forms.CharField(
        label=_("简介"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MemberSearchForm(Form):
    """Find a registered member of the community to add: part of the name, or the last four digits of the
    phone number (the digits every admin sees on the masked number)."""

    q = forms.CharField(
        label=_("姓名或手机尾号"), max_length=20, help_text=_("输入姓名中的字，或手机号后四位。")
    )


class GridLeadForm(Form):
    """带头人: a registered member living in the grid, with what it leads."""

    member = forms.ChoiceField(label=_("党员"), help_text=_("居住在本网格、已在本社区报到的党员。"))
    note = forms.CharField(
        label=_("分工"), max_length=100, required=False, help_text=_("如：3栋至5栋；防汛巡查。")
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.set_choices("member", [("", gettext("请选择党员")), *members])
