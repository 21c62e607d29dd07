"""Count a workspace's monthly roll-ups (cycles.models.EntryRollup) again from its entries.

The database keeps them on every write (cycles migration 0013); this is for after something
that went around the triggers (a restore of the entries alone, triggers switched off for a bulk
load) or to check them: it prints how many rows each workspace has."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cycles.patterns.services import rollups_rebuild
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace


class Command(BaseCommand):
    help = "Count the monthly roll-ups of patterns again from the entries (every workspace)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="Only this workspace (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
        for workspace in workspaces:
            with tenant_scope(workspace_id=workspace.pk):
                rows = rollups_rebuild(workspace=workspace)
            self.stdout.write(f"{workspace.slug}: {rows} roll-up rows")
