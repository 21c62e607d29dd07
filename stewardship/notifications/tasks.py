"""Reminder tasks: thin, idempotent, safe to run twice or concurrently; they take no arguments
but dispatch_due's flag (they scan the outbox). Planning every 10 minutes, delivery every
minute (and after each commit that queues a message, and at once again while a backlog lasts),
the daily digest hourly (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from hls.jobs import publish
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from stewardship.notifications import delivery, planning


@shared_task
def plan_reminders() -> int:
    """Plan every workspace's reminders, each workspace in its own transaction."""
    workspaces = list(Workspace.objects.order_by("pk"))  # not a tenant table: no scope needed
    for workspace in workspaces:
        with tenant_scope(workspace_id=workspace.pk):
            planning.plan_workspace(workspace=workspace)
    publish(dispatch_due)  # reminders due now go out at once (beat runs it every minute too)
    return len(workspaces)


# Workers that deliver a backlog together: beat's run asks this many less one to help at once.
DISPATCHERS = 2


@shared_task
def dispatch_due(helping: bool = False) -> int:
    """Deliver every reminder that is due, exactly once (see delivery.py).

    A backlog keeps the workers busy without waiting for beat's next minute: a run that finds
    more due than one run takes (beat's, or the planner's) asks DISPATCHERS - 1 more workers
    to help now, and any run that stops with some still due queues the next run at once (at
    the back of the queue, so other work takes its turn). Each run is like beat's: safe to run
    twice or at once, and the extra ones end at their first look when nothing is left."""
    if not helping and delivery.backlog(more_than=delivery.RUN_MAX):
        for _i in range(DISPATCHERS - 1):
            publish(dispatch_due, True)
    sent, more = delivery.dispatch_run(limit=delivery.RUN_MAX)
    if more:
        publish(dispatch_due, True)
    return sent


@shared_task
def digest_due() -> int:
    """Send the daily digests that are due."""
    return delivery.digest()
