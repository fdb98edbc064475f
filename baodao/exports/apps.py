from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "baodao.exports"
    verbose_name = _("数据导出")
