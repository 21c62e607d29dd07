from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "hls.tenancy"
    label = "tenancy"
