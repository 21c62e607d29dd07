"""Reads for imports and exports; always take the workspace."""

from django.db.models import QuerySet

from dataio import progress
from dataio.models import ExportRun, ImportRun
from hls.tenancy.models import Workspace

LIST_SIZE = 30


def recent_imports(*, workspace: Workspace) -> QuerySet[ImportRun]:
    return (
        ImportRun.objects.filter(workspace=workspace)
        .select_related("created_by")
        .defer("file_content", "problems", "header", "mapping")
        .order_by("-created_at", "-pk")[:LIST_SIZE]
    )


def recent_exports(*, workspace: Workspace) -> QuerySet[ExportRun]:
    return (
        ExportRun.objects.filter(workspace=workspace)
        .select_related("created_by")
        .defer("content")
        .order_by("-created_at", "-pk")[:LIST_SIZE]
    )


def import_progress(run: ImportRun) -> tuple[int, int]:
    """(done, total) as the page shows it: from the cache while the worker runs (its one
    transaction is not visible until it ends), from the row before and after."""
    if run.status == ImportRun.Status.RUNNING:
        return progress.read("import", run.pk, run.progress_done), run.progress_total
    return run.progress_done, run.progress_total


def export_progress(export: ExportRun) -> tuple[int, int]:
    if export.status == ExportRun.Status.RUNNING:
        return progress.read("export", export.pk, export.progress_done), export.progress_total
    return export.progress_done, export.progress_total


def percent(done: int, total: int) -> int:
    return int(100 * done / total) if total else 0


def export_content(*, workspace: Workspace, export: ExportRun) -> bytes:
    data = (
        ExportRun.objects.filter(workspace=workspace, pk=export.pk)
        .values_list("content", flat=True)
        .get()
    )
    return bytes(data or b"")
