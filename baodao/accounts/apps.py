from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "baodao.accounts"
    verbose_name = _("账户与授权")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (audit of the auth framework's own events)
