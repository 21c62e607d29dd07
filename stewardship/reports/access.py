"""Fetch-or-404 helpers for learning reports: a missing object and another workspace's object
look the same. Every member of the workspace may read its reports."""

from django.shortcuts import get_object_or_404

from hls.tenancy.models import Workspace
from stewardship.models import LearningReport, ReportExport, ReportSection


def access_report(*, workspace: Workspace, report_id: int) -> LearningReport:
    return get_object_or_404(
        LearningReport.objects.select_related("created_by", "published_by"),
        workspace=workspace,
        pk=report_id,
    )


def access_section(*, workspace: Workspace, section_id: int) -> ReportSection:
    return get_object_or_404(
        ReportSection.objects.select_related("report", "updated_by"),
        workspace=workspace,
        pk=section_id,
    )


def access_export(*, workspace: Workspace, export_id: int) -> ReportExport:
    return get_object_or_404(
        ReportExport.objects.select_related("report").defer("content"),
        workspace=workspace,
        pk=export_id,
    )
