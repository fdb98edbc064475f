from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "baodao.org"
    verbose_name = "行政区域与单位"
