from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "baodao.org"
    verbose_name = _("行政区域与单位")
