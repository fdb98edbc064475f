from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "baodao.needs"
    verbose_name = _("需求与三单制")
