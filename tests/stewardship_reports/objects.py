"""Objects for the outsider matrix (tests/outsider_objects.py): learning reports' URL keywords."""

from stewardship.models import LearningReport, ReportExport
from tests.factories import (
    CycleFactory,
    LearningReportFactory,
    ReportCycleFactory,
    ReportExportFactory,
    ReportSectionFactory,
)


def _report(workspace, membership) -> LearningReport:
    report = LearningReportFactory(
        workspace=workspace, assembly=LearningReport.Assembly.READY, created_by=membership.user
    )
    ReportCycleFactory(workspace=workspace, report=report, cycle=CycleFactory(workspace=workspace))
    return report


def make_report(workspace, membership) -> int:
    return _report(workspace, membership).pk


def make_section(workspace, membership) -> int:
    return ReportSectionFactory(workspace=workspace, report=_report(workspace, membership)).pk


def make_export(workspace, membership) -> int:
    return ReportExportFactory(
        workspace=workspace,
        report=_report(workspace, membership),
        format=ReportExport.Format.MARKDOWN,
        state=ReportExport.State.READY,
        progress=100,
        content=b"# A report\n",
    ).pk


MAKERS = {"report_id": make_report, "section_id": make_section, "export_id": make_export}
