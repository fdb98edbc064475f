from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosterConfig(AppConfig):
    name = "baodao.roster"
    verbose_name = _("党员名册导入")
