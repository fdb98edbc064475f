from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilizationsConfig(AppConfig):
    name = "baodao.mobilizations"
    verbose_name = _("战时应急动员")
