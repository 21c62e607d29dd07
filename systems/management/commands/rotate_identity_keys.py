"""Re-encrypt every person's identity with the first key in IDENTITY_KEYS.

Procedure (docs/people-and-privacy.md): put the new key FIRST in IDENTITY_KEYS, keeping the old
one after it; deploy; run this command; then remove the old key.
"""

from typing import Any

from django.core.management.base import BaseCommand

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from systems.people.services import identity_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt every person's identity (all workspaces) with the first IDENTITY_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for workspace_id in Workspace.objects.order_by("pk").values_list("pk", flat=True):
            # One workspace, one transaction: stopped halfway, a second run finishes the work
            # (the old key still decrypts what it has not reached).
            with tenant_scope(workspace_id=workspace_id):
                count += identity_keys_rotate()
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {count} identit{'y' if count == 1 else 'ies'} with the first key. "
                "You may now remove the old key from IDENTITY_KEYS."
            )
        )
