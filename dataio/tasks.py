"""Celery tasks for imports and exports: ids only, idempotent, enqueued after commit.

The tasks keep the names they had when this app lived at `hls/dataio/` (`TASK_PREFIX`): a name
is what the broker's queued messages and beat's schedule (`CELERY_BEAT_SCHEDULE`) carry, so
work queued before the move still finds its task after it."""

from celery import shared_task
from django.db import transaction

from dataio import exports, services
from hls.jobs import publish, queued_before
from hls.tenancy import crossing

TASK_PREFIX = "hls.dataio.tasks."


@shared_task(name=TASK_PREFIX + "run_import", acks_late=True, time_limit=1800)
def run_import(workspace_id: int, import_id: int) -> bool:
    """The real run of a checked import; a run that is done or failed is left as it is."""
    return services.import_execute(workspace_id=workspace_id, import_id=import_id)


@shared_task(name=TASK_PREFIX + "build_export", acks_late=True, time_limit=1800)
def build_export(workspace_id: int, export_id: int) -> bool:
    """Build a workspace export; a finished one is left as it is."""
    return exports.build(workspace_id=workspace_id, export_id=export_id)


@shared_task(name=TASK_PREFIX + "republish_queued")
def republish_queued(older_than_seconds: float | None = None) -> int:
    """The outbox sweep (hls/jobs.py): publish again the exports still waiting and the imports
    started but not running anywhere (their message was lost while the broker was away).

    A running import holds its row's lock for its whole transaction, so `skip_locked` passes
    over the imports a worker is running now. Both tasks are safe to run twice: a duplicate
    import waits for the lock and then finds the run done; a finished export is left alone."""
    before = queued_before(older_than_seconds)
    with transaction.atomic():
        waiting_exports = crossing.ask("pending_exports", before)
        waiting_imports = crossing.ask("stalled_imports", before)
    for workspace_id, pk in waiting_exports:
        publish(build_export, workspace_id, pk)
    for workspace_id, pk in waiting_imports:
        publish(run_import, workspace_id, pk)
    return len(waiting_exports) + len(waiting_imports)
