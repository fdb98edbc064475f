"""Forms of first sign-in (activation). They parse and render input only; the rules live in
baodao.activation.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import Form


class TelInput(forms.TextInput):
    input_type = "tel"


def _phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=TelInput(attrs={"inputmode": "numeric", "autocomplete": "username"}),
    )


class ActivateForm(Form):
    phone = _phone_field()
    code = forms.CharField(
        label=_("激活码"),
        max_length=20,
        help_text=_("8 位数字：单位党组织或社区发给您的，或用下面的方式通过短信获取。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password = forms.CharField(
        label=_("新密码"),
        max_length=128,
        strip=False,
        help_text=_("至少 8 位，不能全是数字，也不能是常见密码。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("确认新密码"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, confirm = data.get("password"), data.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("两次输入的密码不一致。"))
        return data


class CodeRequestForm(Form):
    """Shares the page with ActivateForm, hence a prefix: the two phone fields need their own ids."""

    prefix = "sms"
    phone = _phone_field()
