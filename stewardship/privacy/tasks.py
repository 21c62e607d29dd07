"""Retention on beat's schedule (settings.CELERY_BEAT_SCHEDULE, daily): thin, idempotent and
safe to run twice or at once (each workspace's run holds its retention lock; the second finds
nothing left and records nothing)."""

from celery import shared_task

from hls.audit.models import RetentionRun
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from stewardship.privacy import services


@shared_task
def apply_retention() -> int:
    """Apply the retention of every workspace that has a setting, each in its own transaction
    under its own workspace (the workspace table is not under row-level security, so finding
    them needs no cross-workspace path). Returns how many workspaces had something go."""
    with_settings = Workspace.objects.exclude(
        retain_identity_days__isnull=True, retain_drafts_days__isnull=True
    )
    applied = 0
    for workspace_id in with_settings.order_by("pk").values_list("pk", flat=True):
        with tenant_scope(workspace_id=workspace_id):
            workspace = Workspace.objects.get(pk=workspace_id)
            outcome = services.retention_apply(
                workspace=workspace, trigger=RetentionRun.Trigger.SCHEDULE
            )
        applied += outcome.run is not None
    return applied
