"""Forms of the 三单制 pages. They parse and render input only; the rules live in baodao.needs.services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baodao.members.models import Skill
from baodao.needs.models import RESIDENT_KINDS, Category, Kind
from baodao.needs.services import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    MAX_HOURS,
    MAX_PLACES,
    NOTE_MAX,
    PHOTO_MAX_BYTES,
    PHOTOS_PER_STAGE,
    TITLE_MAX,
)
from baodao.org.models import Region

from .forms import Form

PHOTO_FIELDS = tuple(f"photo{i}" for i in range(1, PHOTOS_PER_STAGE + 1))
CONTACT_FIELDS = ("contact_name", "contact_phone", "address")
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _photo_field(number: int) -> forms.FileField:
    """One picture per input. No `capture`: that would open the camera only, and an elderly resident whose
    grandchild took the picture must be able to pick it from the phone's album."""
    return forms.FileField(
        label=format_lazy(_("照片 {}"), number),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )


class PhotosForm(Form):
    """A form that ends with up to three optional photos, handed to need_photo_add as bytes."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for number, name in enumerate(PHOTO_FIELDS, start=1):
            self.fields[name] = _photo_field(number)

    def photo_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PHOTO_FIELDS]

    def photo_contents(self) -> list[bytes]:
        """The chosen files' bytes, read up to one byte past the limit (the service refuses more)."""
        files: list[UploadedFile] = [self.cleaned_data[n] for n in PHOTO_FIELDS if self.cleaned_data.get(n)]
        return [f.read(PHOTO_MAX_BYTES + 1) for f in files]


class NeedKindFilterForm(Form):
    """身边需求's filter: the kind, and — for a member who is also a unit admin — whose needs to look at."""

    role = forms.ChoiceField(
        label=_("以何身份查看"),
        required=False,
        choices=[("member", _("党员本人")), ("unit", _("所在单位（共建需求）"))],
    )
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *Kind.choices])

    def __init__(self, *args: Any, both: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not both:
            del self.fields["role"]


class NeedForm(PhotosForm):
    """点单: a resident's wish or request, or one a grid worker or the community takes down for a resident. A
    resident gives a phone (its account's, unless it says otherwise) and its address for the claimer; one
    taking a need down for a resident gives the resident's name too."""

    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[(k.value, k.label) for k in RESIDENT_KINDS],
        initial=Kind.WISH,
        widget=forms.RadioSelect(attrs={"class": "checks"}),
        help_text=_(
            "微心愿：需要有人帮一把的小事（如修水龙头、陪老人就医）；诉求：需要社区解决的问题（如楼道灯坏了）。"
        ),
    )
    community = forms.ChoiceField(label=_("社区"))
    category = forms.ChoiceField(label=_("分类"), choices=[("", _("请选择分类")), *Category.choices])
    title = forms.CharField(
        label=_("标题"), max_length=TITLE_MAX, help_text=_("一句话说清楚，如：3 栋楼道灯坏了。")
    )
    description = forms.CharField(
        label=_("详细描述"),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    grid = forms.ChoiceField(label=_("网格"), required=False)
    location = forms.CharField(
        label=_("地点/楼栋"), max_length=200, required=False, help_text=_("如：3 栋 2 单元楼道。")
    )
    contact_name = forms.CharField(label=_("居民姓名"), max_length=50)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("详细地址"),
        max_length=200,
        required=False,
        help_text=_("楼栋和门牌号，如：5栋1单元301。仅认领人和您本人可见。"),
    )

    def __init__(
        self,
        *args: Any,
        communities: list[Region],
        grids: list[Region],
        fixed_grid: Region | None = None,
        on_behalf: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self._regions = {r.code: r for r in [*communities, *grids]}
        self.fixed_grid = fixed_grid
        if len(communities) == 1:
            # one community: nothing to choose
            del self.fields["community"]
            self.only_community: Region | None = communities[0]
        else:
            self.only_community = None
            self.set_choices(
                "community", [("", gettext("请选择社区")), *[(c.code, c.name) for c in communities]]
            )
        if fixed_grid is not None:
            del self.fields["grid"]
        else:
            names = {c.pk: c.name for c in communities}
            by_community: dict[str, list[tuple[str, str]]] = {}
            for g in grids:
                by_community.setdefault(names.get(g.parent_id or 0, ""), []).append((g.code, g.name))
            choices: list[Any] = [("", gettext("不清楚 / 不选择网格"))]
            choices += (
                list(by_community.items()) if len(communities) > 1 else [(g.code, g.name) for g in grids]
            )
            self.set_choices("grid", choices)
        if not on_behalf:
            # the resident's own name is its account's
            del self.fields["contact_name"]
            self.fields["contact_phone"].help_text = _("默认是您登录用的手机号，可改为更方便联系的号码。")

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in (*CONTACT_FIELDS, *PHOTO_FIELDS)]

    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CONTACT_FIELDS if name in self.fields]

    def submission(self) -> dict[str, Any]:
        """Keyword arguments for need_submit (without the actor)."""
        data = self.cleaned_data
        grid_code = data.get("grid")
        grid = self.fixed_grid or (self._regions[grid_code] if grid_code else None)
        community = self.only_community or self._regions[data["community"]]
        result = {
            "kind": data["kind"],
            "category": data["category"],
            "title": data["title"],
            "description": data["description"],
            "community": community,
            "grid": grid,
            "location": data["location"],
        }
        for name in CONTACT_FIELDS:
            if name in self.fields:
                result[name] = data[name]
        return result


class PublishForm(Form):
    """下单: the community opens a need for claims, with places, skills and a deadline."""

    places = forms.IntegerField(label=_("名额"), min_value=1, max_value=MAX_PLACES)
    skills = forms.MultipleChoiceField(
        label=_("所需特长"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )
    due_at = forms.DateTimeField(
        label=_("截止时间"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("可不填。"),
    )


class CompleteForm(PhotosForm):
    """办结: what was done and how long it took; photos to look at, never proof."""

    note = forms.CharField(
        label=_("办结说明"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明做了什么、结果如何。"),
    )
    hours = forms.DecimalField(
        label=_("服务时长（小时）"),
        min_value=Decimal("0.1"),
        max_value=MAX_HOURS,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


STARS = [
    (5, _("5 星 · 非常满意")),
    (4, _("4 星 · 满意")),
    (3, _("3 星 · 基本满意")),
    (2, _("2 星 · 不太满意")),
    (1, _("1 星 · 不满意")),
]


class ConfirmForm(Form):
    """确认办结并评价: 1–5 stars, each a radio button with its words. The community confirming its own service
    or task may also set the hours it vouches for (`with_hours`)."""

    claim = forms.IntegerField(widget=forms.HiddenInput, required=False)
    rating = forms.TypedChoiceField(
        label=_("评分"), choices=STARS, coerce=int, widget=forms.RadioSelect(attrs={"class": "checks wide"})
    )
    comment = forms.CharField(
        label=_("评价（可选）"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    hours = forms.DecimalField(
        label=_("核定服务时长（小时）"),
        min_value=Decimal("0.1"),
        max_value=MAX_HOURS,
        decimal_places=1,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
        help_text=_("默认是认领方报告的时长；记入服务台账的是这里核定的时长。"),
    )

    def __init__(self, *args: Any, with_hours: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not with_hours:
            del self.fields["hours"]


def first_error(form: forms.Form) -> str:
    """The form's first error, with the field's label, for a message on the page the action returns to."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        if label:
            return gettext("%(label)s：%(error)s") % {"label": label, "error": errors[0]}
        return str(errors[0])
    return gettext("请检查填写的内容。")
