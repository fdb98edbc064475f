from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "baodao.activities"
    verbose_name = _("志愿服务活动")
