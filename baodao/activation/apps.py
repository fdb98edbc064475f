from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivationConfig(AppConfig):
    name = "baodao.activation"
    verbose_name = _("首次登录激活")
