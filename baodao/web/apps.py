from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "baodao.web"
    verbose_name = "网页"
