from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "baodao.policy"
    verbose_name = "政策参数"
