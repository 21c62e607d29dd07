from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush

from hls.tenancy.rls import owner_mode


class Command(DjangoFlush):
    """`flush` truncates every table, which only the owner may do."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        with owner_mode(options.get("database", "default")):
            return super().execute(*args, **options)
