"""Fetch-or-404 helpers: a missing run and another workspace's run look the same."""

from django.shortcuts import get_object_or_404

from dataio.models import ExportRun, ImportRun
from hls.tenancy.models import Workspace


def access_import(*, workspace: Workspace, import_id: int) -> ImportRun:
    return get_object_or_404(
        ImportRun.objects.select_related("created_by").defer("file_content"),
        workspace=workspace,
        pk=import_id,
    )


def access_export(*, workspace: Workspace, export_id: int) -> ExportRun:
    return get_object_or_404(
        ExportRun.objects.select_related("created_by").defer("content"),
        workspace=workspace,
        pk=export_id,
    )
