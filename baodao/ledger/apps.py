from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "baodao.ledger"
    verbose_name = _("服务台账")
