"""The roster upload form: a file and the import mode. The file itself is judged by the roster services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baodao.roster.models import Mode

from .forms import Form


class RosterUploadForm(Form):
    file = forms.FileField(
        label=_("名册文件（.xlsx 或 .csv）"),
        help_text=_("请用名册模板填写；系统按文件内容识别格式，不看文件名。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=[
            (Mode.ALL_OR_NOTHING.value, _("全部正确才导入（推荐）")),
            (Mode.VALID_ONLY.value, _("只导入正确的行，错误行另存为表格")),
        ],
        initial=Mode.ALL_OR_NOTHING.value,
        widget=forms.RadioSelect(attrs={"class": "checks wide"}),
    )

    def clean_file(self) -> Any:
        upload: UploadedFile = self.cleaned_data["file"]
        # Refused before the upload is read into memory; the services check the content.
        if (upload.size or 0) > settings.ROSTER_MAX_BYTES:
            raise forms.ValidationError(
                gettext("文件太大，上限为 %(max)s MB。") % {"max": f"{settings.ROSTER_MAX_BYTES / 1048576:g}"}
            )
        return upload
