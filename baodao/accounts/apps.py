from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "baodao.accounts"
    verbose_name = "账户与授权"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (audit of the auth framework's own events)
