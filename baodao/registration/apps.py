from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "baodao.registration"
    verbose_name = "报到"
