"""Writes for learning reports. Keyword-only, typed, atomic; bad input raises ValidationError
by field, and a published report refuses every change with `ReportPublished`.

- Creating a report makes its default sections and queues its assembly after commit.
- Sections are co-authored with the one edit-conflict mechanism (hls/conflicts.py), whose
  counter is the section's `version`: a save names the version it started from (`version=`);
  if someone saved in between, `EditConflict` carries their text, who and when, and nothing is
  written (the view keeps the user's text on the page beside theirs).
- Publishing needs a draft whose assembly is ready; a published report is read-only.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cycles.models import Cycle
from hls.accounts.models import User
from hls.audit.services import audit_record
from hls.conflicts import EditConflict, lock_current, require_current
from hls.tenancy.models import Workspace
from hls.webhooks.services import webhook_emit
from stewardship.models import (
    LearningReport,
    ReportComment,
    ReportCycle,
    ReportExport,
    ReportSection,
)

# The default sections, in order: (key, heading). Each but "next" has assembled evidence.
DEFAULT_SECTIONS: list[tuple[str, Any]] = [
    ("purpose", gettext_lazy("Purpose and principles")),
    ("learnt", gettext_lazy("What we learnt")),
    ("experiments", gettext_lazy("Experiments")),
    ("measures", gettext_lazy("Measures, beside what matters to people")),
    ("barriers", gettext_lazy("Barriers raised and their answers")),
    ("inclusion", gettext_lazy("Who was included, and who was not")),
    ("sessions", gettext_lazy("Sense-making sessions held")),
    ("next", gettext_lazy("What we will do next")),
]

# A section's edit counter (hls/conflicts.py), named `version` in the API.
COUNTER = "version"

PUBLISHED_MESSAGE = gettext_lazy("This report is published; start a new draft to change it.")


class ReportPublished(Exception):
    """The report is published and read-only."""

    def __init__(self) -> None:
        super().__init__(str(PUBLISHED_MESSAGE))


# Reports' name for the one conflict (hls/conflicts.py): `current` is the section as saved.
SectionConflict = EditConflict


def _queue_assembly(report: LearningReport) -> None:
    from hls.jobs import publish_on_commit
    from stewardship.reports.tasks import assemble_report

    publish_on_commit(assemble_report, report.workspace_id, report.pk)


def _queue_export(export: ReportExport) -> None:
    from hls.jobs import publish_on_commit
    from stewardship.reports.tasks import build_export

    publish_on_commit(build_export, export.workspace_id, export.pk)


def _lock(*, workspace: Workspace, report: LearningReport) -> LearningReport:
    return LearningReport.objects.select_for_update().get(workspace=workspace, pk=report.pk)


def _check_draft(report: LearningReport) -> None:
    if report.status == LearningReport.Status.PUBLISHED:
        raise ReportPublished


@transaction.atomic
def report_create(
    *,
    workspace: Workspace,
    created_by: User,
    title: str,
    period_start: _dt.date | None,
    period_end: _dt.date | None,
    cycles: list[Cycle],
    today: _dt.date | None = None,
) -> LearningReport:
    """A draft report for `cycles` over the period, with its default sections; its assembly is
    queued after commit."""
    today = today or timezone.localdate()
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the report a title, e.g. “What we learnt this spring”.")
    if period_start is None:
        errors["period_start"] = _("Say when the period starts.")
    if period_end is None:
        errors["period_end"] = _("Say when the period ends.")
    if period_start and period_end and period_start > period_end:
        errors["period_end"] = _(
            "The period ends before it starts: choose an end on or after %(d)s."
        ) % {"d": period_start.strftime("%d %b %Y")}
    if period_end and period_end > today:
        errors["period_end"] = _(
            "The period cannot end in the future: a report tells what has happened. "
            "Choose today or earlier."
        )
    if period_start and period_start > today and "period_end" not in errors:
        errors["period_start"] = _("The period cannot start in the future.")
    if not cycles:
        errors["cycles"] = _("Choose at least one cycle to report on.")
    elif any(c.workspace_id != workspace.pk for c in cycles):
        errors["cycles"] = _("Choose cycles of this workspace.")
    if errors:
        raise ValidationError(errors)
    assert period_start is not None
    assert period_end is not None
    report = LearningReport.objects.create(
        workspace=workspace,
        title=title,
        period_start=period_start,
        period_end=period_end,
        created_by=created_by,
    )
    ReportCycle.objects.bulk_create(
        ReportCycle(workspace=workspace, report=report, cycle=c) for c in cycles
    )
    ReportSection.objects.bulk_create(
        ReportSection(workspace=workspace, report=report, key=key, heading=str(heading), position=i)
        for i, (key, heading) in enumerate(DEFAULT_SECTIONS)
    )
    audit_record(workspace=workspace, actor=created_by, action="report.created", target=report)
    _queue_assembly(report)
    return report


@transaction.atomic
def report_reassemble(*, workspace: Workspace, report: LearningReport, user: User) -> None:
    """Assemble a draft again (or after a failure): its content is replaced when done."""
    report = _lock(workspace=workspace, report=report)
    _check_draft(report)
    report.assembly = LearningReport.Assembly.PENDING
    report.assembly_progress = 0
    report.save(update_fields=["assembly", "assembly_progress", "updated_at"])
    _queue_assembly(report)


@transaction.atomic
def section_update(
    *,
    workspace: Workspace,
    section: ReportSection,
    body: str,
    version: int | None,
    user: User,
) -> ReportSection:
    """Save a section's narrative if nobody saved it since `version` (its edit counter, the
    `revision=` of every other guarded write); else `EditConflict` with theirs, who and when,
    and nothing is written. `None` compares nothing (internal callers)."""
    report = _lock(workspace=workspace, report=section.report)
    _check_draft(report)
    current = lock_current(
        ReportSection, workspace=workspace, pk=section.pk, related=["updated_by"], of=["self"]
    )
    require_current(
        current, revision=version, fields=["body"], counter=COUNTER, saved_by=current.updated_by
    )
    body = (body or "").strip()
    if len(body) > 50_000:
        raise ValidationError({"body": _("This is too long for one section: split it up.")})
    now = timezone.now()
    ReportSection.objects.filter(pk=current.pk).update(
        body=body, version=F("version") + 1, updated_by=user, updated_at=now
    )
    # The report changed with its section (for `updated_since` readers of the API).
    LearningReport.objects.filter(pk=report.pk).update(updated_at=now)
    current.refresh_from_db()
    return current


@transaction.atomic
def comment_add(
    *, workspace: Workspace, section: ReportSection, author: User, text: str
) -> ReportComment:
    report = _lock(workspace=workspace, report=section.report)
    _check_draft(report)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your comment first.")})
    if len(text) > 5000:
        raise ValidationError({"text": _("Keep a comment under 5,000 characters.")})
    return ReportComment.objects.create(
        workspace=workspace, report=report, section=section, author=author, text=text
    )


@transaction.atomic
def receiver_account_update(
    *, workspace: Workspace, report: LearningReport, text: str, user: User
) -> LearningReport:
    """The receiver's own account (what the funder or board says, in their words)."""
    report = _lock(workspace=workspace, report=report)
    _check_draft(report)
    text = (text or "").strip()
    if len(text) > 50_000:
        raise ValidationError({"receiver_account": _("This is too long: shorten it.")})
    report.receiver_account = text
    if report.content:
        report.content = {**report.content, "receiver_account": text}
    report.save(update_fields=["receiver_account", "content", "updated_at"])
    return report


@transaction.atomic
def report_publish(*, workspace: Workspace, report: LearningReport, user: User) -> LearningReport:
    report = _lock(workspace=workspace, report=report)
    _check_draft(report)
    if report.assembly != LearningReport.Assembly.READY:
        raise ValidationError(
            _(
                "The evidence is not assembled yet: wait until it is ready (or assemble it "
                "again), then publish."
            )
        )
    report.status = LearningReport.Status.PUBLISHED
    report.published_at = timezone.now()
    report.published_by = user
    report.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    audit_record(workspace=workspace, actor=user, action="report.published", target=report)
    webhook_emit(
        workspace=workspace,
        event="report.published",
        resource="report",
        object_id=report.pk,
        data={"cycles": sorted(report.cycles.values_list("pk", flat=True))},
    )
    return report


@transaction.atomic
def export_create(
    *, workspace: Workspace, report: LearningReport, export_format: str, user: User
) -> ReportExport:
    """An export of the report (drafts and published alike), built by a worker after commit."""
    if export_format not in ReportExport.Format.values:
        raise ValidationError({"format": _("Choose HTML, PDF or Markdown.")})
    report = LearningReport.objects.get(workspace=workspace, pk=report.pk)
    if report.assembly != LearningReport.Assembly.READY:
        raise ValidationError(
            {"format": _("The evidence is not assembled yet: export it once it is ready.")}
        )
    export = ReportExport.objects.create(
        workspace=workspace, report=report, format=export_format, created_by=user
    )
    _queue_export(export)
    return export


@transaction.atomic
def export_downloaded(
    *, workspace: Workspace, export: ReportExport, user: User, via: str = ""
) -> None:
    """Someone took a report's export out of the workspace (a page's download, or the API's
    with the key's prefix as `via`): recorded, by ids and codes, before the file is sent."""
    data: dict[str, object] = {"report_id": export.report_id, "format": export.format}
    if via:
        data["via"] = via
    audit_record(
        workspace=workspace,
        actor=user,
        action="report.export_downloaded",
        target=export,
        **data,
    )
