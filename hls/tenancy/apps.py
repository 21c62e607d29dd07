from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "hls.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from hls.outage import database_answers

        # Logging, not domain logic: "PostgreSQL answers again" once after an outage.
        connection_created.connect(database_answers, dispatch_uid="hls.outage.database_answers")
