from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "baodao.members"
    verbose_name = _("在职党员")
