"""Forms of the emergency pages (战时应急): a member's answer and its code on site, and the commander's
activation, widening and stand-down. They parse and render input only; the rules live in
baodao.mobilizations.services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baodao.activities.codes import CODE_DIGITS
from baodao.mobilizations.models import Answer, Reason, Type
from baodao.mobilizations.services import MAX_HEADCOUNT, REASON_MAX, TITLE_MAX
from baodao.org.models import Region
from baodao.posts.models import Post

from .forms import Form

#: 预计到达: minutes from now ("0" = already on site)
ETA_CHOICES = [
    ("0", _("已在现场")),
    ("15", _("15 分钟内")),
    ("30", _("30 分钟内")),
    ("60", _("1 小时内")),
    ("120", _("2 小时内")),
]


class RespondForm(Form):
    """到岗 (with when one expects to arrive) or 无法到岗 (with the reason)."""

    answer = forms.ChoiceField(
        label=_("我的响应"),
        choices=[(Answer.YES.value, _("到岗")), (Answer.NO.value, _("无法到岗"))],
        widget=forms.RadioSelect(attrs={"class": "checks"}),
        error_messages={"required": _("请选择到岗或无法到岗。")},
    )
    eta = forms.ChoiceField(
        label=_("预计到达"),
        choices=ETA_CHOICES,
        required=False,
        initial="30",
        help_text=_("选择到岗时填写。"),
    )
    reason = forms.CharField(
        label=_("无法到岗的原因"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("选择无法到岗时必填，如：在外地出差、身体不适。"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == Answer.NO and not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("请填写无法到岗的原因。"))
        return data

    def submission(self, now: datetime) -> dict[str, Any]:
        """Keyword arguments for `call_respond` but actor and mobilization: the expected arrival is computed
        here, from the minutes chosen."""
        data = self.cleaned_data
        if data["answer"] == Answer.YES:
            minutes = int(data.get("eta") or 0)
            return {"answer": Answer.YES, "eta": now + timedelta(minutes=minutes), "now": now}
        return {"answer": Answer.NO, "reason": data["reason"], "now": now}


class SiteCodeForm(Form):
    """签到 / 签退 on site: the code on the commander's screen (the QR code fills it in)."""

    code = forms.CharField(
        label=_("签到码"),
        min_length=CODE_DIGITS,
        max_length=CODE_DIGITS,
        help_text=_("现场指挥人员出示的 6 位数字，每隔一会儿更换。"),
        error_messages={
            "required": _("请输入现场出示的 6 位数字。"),
            "min_length": _("须为 6 位数字。"),
            "max_length": _("须为 6 位数字。"),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]*",
                "class": "code-input",
                "size": CODE_DIGITS,
            }
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("须为 6 位数字。"))
        return code


def _need_name(post: Post) -> str:
    return f"need_{post.pk}"


class MobilizationForm(Form):
    """启动应急: what happened, where (communities, or some of their grids), the emergency posts needed with
    headcounts, and by when to report. One headcount field per emergency post (`need_<id>`)."""

    title = forms.CharField(
        label=_("事件名称"), max_length=TITLE_MAX, help_text=_("如：幸福社区暴雨内涝应急响应。")
    )
    type = forms.ChoiceField(label=_("事件类型"), choices=[("", _("请选择类型")), *Type.choices])
    regions = forms.MultipleChoiceField(
        label=_("动员区域"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择动员区域（社区或网格）。")},
        help_text=_("选社区：全社区；只选网格：只呼叫这些网格。"),
    )
    description = forms.CharField(
        label=_("情况说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("发生了什么、到哪里集合、要带什么。被呼叫的党员可以看到。"),
    )
    report_by = forms.DateTimeField(
        label=_("报到时限"),
        required=False,
        help_text=_("可不填。须在现在到 7 天之内。"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, regions: list[Region], posts: list[Post], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.region_map = {r.code: r for r in regions}
        self.set_choices("regions", [(r.code, r.name) for r in regions])
        self.posts = posts
        for post in posts:
            self.fields[_need_name(post)] = forms.IntegerField(
                label=post.title,
                required=False,
                min_value=0,
                max_value=MAX_HEADCOUNT,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def need_fields(self) -> list[tuple[Post, Any]]:
        """Each emergency post with its bound headcount field, for the page."""
        return [(post, self[_need_name(post)]) for post in self.posts]

    def submission(self) -> dict[str, Any]:
        """Keyword arguments for `mobilization_activate` but actor and request."""
        data = self.cleaned_data
        needs = [(post, data[_need_name(post)]) for post in self.posts if data.get(_need_name(post))]
        return {
            "title": data["title"],
            "type": data["type"],
            "regions": [self.region_map[code] for code in data["regions"]],
            "description": data["description"],
            "posts": needs,
            "report_by": data["report_by"],
        }


class WidenForm(Form):
    to = forms.ChoiceField(
        label=_("扩大范围"),
        choices=[
            (Reason.ALL_REGISTERED.value, _("区域内全体报到党员")),
            (Reason.NEIGHBOUR_GRIDS.value, _("相邻网格的报到党员")),
        ],
    )


class StandDownForm(Form):
    confirm = forms.BooleanField(
        label=_("确认解除应急状态"),
        help_text=_("解除后不再接受响应和签到，在岗人员的值守时长结算到现在。"),
        error_messages={"required": _("请勾选确认后再解除应急。")},
    )
