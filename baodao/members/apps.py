from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "baodao.members"
    verbose_name = "在职党员"
