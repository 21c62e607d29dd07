"""Celery tasks for imports and exports: ids only, idempotent, enqueued after commit."""

from celery import shared_task

from hls.dataio import exports, services


@shared_task(acks_late=True, time_limit=1800)
def run_import(workspace_id: int, import_id: int) -> bool:
    """The real run of a checked import; a run that is done or failed is left as it is."""
    return services.import_execute(workspace_id=workspace_id, import_id=import_id)


@shared_task(acks_late=True, time_limit=1800)
def build_export(workspace_id: int, export_id: int) -> bool:
    """Build a workspace export; a finished one is left as it is."""
    return exports.build(workspace_id=workspace_id, export_id=export_id)
