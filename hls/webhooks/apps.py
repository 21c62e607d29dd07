from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "hls.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
