from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate

from hls.tenancy.rls import ensure_app_role, grant_app_role, owner_mode


class Command(DjangoMigrate):
    """`migrate` as the database owner, then grant the application role access to the tables."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        with owner_mode(options.get("database", "default")) as connection:
            ensure_app_role(connection)
            output = super().execute(*args, **options)
            grant_app_role(connection)
        return output
