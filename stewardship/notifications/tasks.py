"""Reminder tasks: thin, no arguments (they scan the outbox), idempotent, safe to run twice or
concurrently. Planning every 10 minutes, delivery every minute (and after each commit that
queues a message), the daily digest hourly (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from hls.jobs import publish
from hls.tenancy.context import all_workspaces, tenant_scope
from hls.tenancy.models import Workspace
from stewardship.notifications import delivery, planning


@shared_task
def plan_reminders() -> int:
    """Plan every workspace's reminders, each workspace in its own transaction."""
    with all_workspaces("reminder planning"):
        workspaces = list(Workspace.objects.order_by("pk"))
    for workspace in workspaces:
        with tenant_scope(workspace_id=workspace.pk):
            planning.plan_workspace(workspace=workspace)
    publish(dispatch_due)  # reminders due now go out at once (beat runs it every minute too)
    return len(workspaces)


@shared_task
def dispatch_due() -> int:
    """Deliver every reminder that is due, exactly once (see delivery.py)."""
    return delivery.dispatch()


@shared_task
def digest_due() -> int:
    """Send the daily digests that are due."""
    return delivery.digest()
