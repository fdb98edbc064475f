"""Forms of the organiser's and the community's activity pages. They parse and render input only; the rules
(who may organise, time windows, places, hours) live in the services (baodao.activities.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baodao.activities.services import MAX_PLACES, REASON_MAX, TITLE_MAX, ForgottenCheckout
from baodao.members.models import Skill
from baodao.needs.models import Category

from .forms import Form

#: how many years back the points ranking can look
RANKING_YEARS = 5


def _datetime_field(label: Any, *, required: bool, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _reason_field(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=REASON_MAX, help_text=help_text)


class ActivityForm(Form):
    """A new activity of the community, or of a co-building unit inside it."""

    title = forms.CharField(label=_("活动名称"), max_length=TITLE_MAX)
    category = forms.ChoiceField(label=_("分类"), choices=[("", _("请选择分类")), *Category.choices])
    description = forms.CharField(
        label=_("活动内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("做什么、要带什么、在哪里集合。报名的党员可以看到。"),
    )
    grid = forms.ChoiceField(label=_("网格"), required=False, help_text=_("可不选：全社区范围。"))
    starts_at = _datetime_field(_("开始时间"), required=True)
    ends_at = _datetime_field(
        _("结束时间"), required=True, help_text=_("服务时长按签到到签退的时间计算，只计活动时段之内。")
    )
    location = forms.CharField(label=_("地点"), max_length=200, help_text=_("如：社区党群服务中心二楼。"))
    lat = forms.DecimalField(
        label=_("纬度"),
        required=False,
        max_digits=9,
        decimal_places=6,
        help_text=_("可不填。填写经纬度和签到范围后，离活动地点太远的签到会被拒绝或标记。"),
    )
    lng = forms.DecimalField(label=_("经度"), required=False, max_digits=9, decimal_places=6)
    radius_m = forms.IntegerField(
        label=_("签到范围（米）"),
        required=False,
        min_value=20,
        max_value=5000,
        help_text=_("可不填：不限制签到位置。"),
    )
    places = forms.IntegerField(
        label=_("名额"),
        min_value=1,
        max_value=MAX_PLACES,
        initial=10,
        help_text=_("名额报满后，再报名的党员进入候补，有人取消时按顺序自动递补。"),
    )
    skills = forms.MultipleChoiceField(
        label=_("所需特长"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )

    def __init__(self, *args: Any, grids: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.set_choices("grid", [("", gettext("全社区")), *grids])

    def submission(self, grids: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments for `activity_create` but actor, community and organiser unit; `grids` maps codes
        to regions."""
        data = dict(self.cleaned_data)
        data["grid"] = grids.get(data["grid"]) if data["grid"] else None
        return data


class AttendanceForm(Form):
    """人工补录: a member's attendance recorded by the organiser, with hours or with arrival and departure."""

    member = forms.ChoiceField(label=_("党员"), help_text=_("在本社区报到的党员。"))
    hours = forms.DecimalField(
        label=_("时长（小时）"),
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=2,
        help_text=_("填写时长，或者填写下面的签到和签退时间。"),
    )
    checked_in_at = _datetime_field(_("签到时间"), required=False)
    checked_out_at = _datetime_field(_("签退时间"), required=False)
    reason = _reason_field(_("补录原因"), _("如：手机没电，现场登记签到。补录会记入审计日志。"))

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.set_choices("member", [("", gettext("请选择党员")), *members])

    def record(self, members: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments for `attendance_record` but actor and activity; `members` maps the choices'
        values to members."""
        data = dict(self.cleaned_data)
        data["member"] = members[data["member"]]
        return data


class CloseForm(Form):
    """结束活动: how the organiser settles those who checked in and never checked out."""

    # Not counting is the default: a check-in without a check-out proves arrival, not the hours after it, and
    # crediting them in full would reward exactly the member who signs in and leaves.
    forgotten_checkout = forms.ChoiceField(
        label=_("未签退人员的时长"),
        choices=[
            (ForgottenCheckout.NO_HOURS, _("不计时长")),
            (ForgottenCheckout.END_OF_ACTIVITY, _("按活动结束时间结算")),
        ],
        widget=forms.RadioSelect(attrs={"class": "checks wide"}),
        initial=ForgottenCheckout.NO_HOURS,
        help_text=_(
            "只签到、没有签退，不能说明服务到了最后，默认不计时长。确实留到结束的人，"
            "结束活动后可以在本页“补录出勤”中逐一补录实际时长（需写明原因，记入审计日志）。"
        ),
    )


class CallOffForm(Form):
    reason = _reason_field(_("取消原因"), _("已报名和候补的党员都会收到通知和原因。"))


class YearForm(Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = [(y, str(y)) for y in range(this_year, this_year - RANKING_YEARS, -1)]
        self.set_choices("year", years)
        self.fields["year"].initial = this_year

    def chosen_year(self) -> int:
        """The year asked for; this year when none (or a wrong one) is given."""
        if self.is_bound and self.is_valid() and self.cleaned_data["year"]:
            return int(self.cleaned_data["year"])
        return timezone.localdate().year
