"""Forms of the members' activity, service and certificate pages. They parse and render input only; the rules
live in baodao.activities.services and baodao.certificates.services."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baodao.activities.codes import CODE_DIGITS

from .forms import Form

#: what a certificate number may be typed with: letters, digits, and the spaces or dashes people add
_NUMBER_NOISE = re.compile(r"[\s\-_]+")
_NUMBER_SHAPE = re.compile(r"^[A-Z0-9]{1,32}$")


class AttendanceCodeForm(Form):
    """签到 / 签退: the code on the organiser's screen, and the phone's position when it gives one (filled in
    by a small script; without it the form still works and the community sees that no position came)."""

    code = forms.CharField(
        label=_("签到码"),
        min_length=CODE_DIGITS,
        max_length=CODE_DIGITS,
        help_text=_("现场屏幕上的 6 位数字，每隔一会儿更换。"),
        error_messages={
            "required": _("请输入现场屏幕上的 6 位数字。"),
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
    lat = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    lng = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("须为 6 位数字。"))
        return code


class CertificateForm(Form):
    """The period a certificate covers; this calendar year by default."""

    period_start = forms.DateField(
        label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any):
        kwargs.setdefault("initial", {"period_start": date(today.year, 1, 1), "period_end": today})
        super().__init__(*args, **kwargs)


class CertificateLookupForm(Form):
    """The public check: a certificate's number, as printed or read aloud."""

    number = forms.CharField(
        label=_("证明编号"),
        max_length=64,
        help_text=_("证明标题下方以 ZM 开头的 17 位编号，不区分大小写。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_number(self) -> str:
        number = _NUMBER_NOISE.sub("", self.cleaned_data["number"]).upper()
        if not _NUMBER_SHAPE.match(number):
            raise forms.ValidationError(_("编号只含字母和数字，请核对后重新输入。"))
        return number
