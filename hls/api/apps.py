from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hls.api"
    label = "api"
    verbose_name = "Partner API"
