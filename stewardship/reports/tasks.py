"""Celery tasks for learning reports: ids only, idempotent, enqueued after commit."""

from celery import shared_task

from hls.jobs import publish, queued_before
from hls.tenancy import crossing
from stewardship.reports import assembly, exports


@shared_task(acks_late=True, time_limit=600)
def assemble_report(workspace_id: int, report_id: int) -> bool:
    """Assemble (again) a report's evidence; its content is replaced whole."""
    return assembly.assemble(workspace_id=workspace_id, report_id=report_id)


@shared_task(acks_late=True, time_limit=600)
def build_export(workspace_id: int, export_id: int) -> bool:
    """Build an HTML, PDF or Markdown export; a ready export is left as it is."""
    return exports.build(workspace_id=workspace_id, export_id=export_id)


@shared_task
def republish_queued(older_than_seconds: float | None = None) -> int:
    """The outbox sweep (hls/jobs.py): publish again the assemblies and exports still waiting
    (their message was lost while the broker was away). Both tasks are safe to run twice."""
    before = queued_before(older_than_seconds)
    reports = crossing.ask("pending_reports", before)
    report_exports = crossing.ask("pending_report_exports", before)
    for workspace_id, pk in reports:
        publish(assemble_report, workspace_id, pk)
    for workspace_id, pk in report_exports:
        publish(build_export, workspace_id, pk)
    return len(reports) + len(report_exports)
