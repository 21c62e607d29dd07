from django.apps import AppConfig


class DataioConfig(AppConfig):
    name = "hls.dataio"
    label = "dataio"
    verbose_name = "Import and export"
