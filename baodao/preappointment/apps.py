from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreappointmentConfig(AppConfig):
    name = "baodao.preappointment"
    verbose_name = _("任前考察")
