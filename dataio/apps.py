from django.apps import AppConfig


class DataioConfig(AppConfig):
    name = "dataio"
    label = "dataio"
    verbose_name = "Import and export"

    def ready(self) -> None:
        from dataio.services import files_withdraw
        from systems.people.signals import person_erased

        person_erased.connect(files_withdraw, dispatch_uid="dataio.files_withdraw")
