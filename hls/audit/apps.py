from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "hls.audit"
    label = "audit"
