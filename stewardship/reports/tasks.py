"""Celery tasks for learning reports: ids only, idempotent, enqueued after commit."""

from celery import shared_task

from stewardship.reports import assembly, exports


@shared_task(acks_late=True, time_limit=600)
def assemble_report(workspace_id: int, report_id: int) -> bool:
    """Assemble (again) a report's evidence; its content is replaced whole."""
    return assembly.assemble(workspace_id=workspace_id, report_id=report_id)


@shared_task(acks_late=True, time_limit=600)
def build_export(workspace_id: int, export_id: int) -> bool:
    """Build an HTML, PDF or Markdown export; a ready export is left as it is."""
    return exports.build(workspace_id=workspace_id, export_id=export_id)
