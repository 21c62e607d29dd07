"""Reads for learning reports. Every member of the workspace may read its reports; what a
report holds was chosen at assembly (see assembly.py). Links from a report's stories to their
entries are shown only to those who may see the entry (`entries_visible_to`). Each function
costs a constant number of queries, whatever the number of reports."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from cycles.models import Cycle
from cycles.selectors import entries_visible_to
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from stewardship.models import LearningReport, ReportComment, ReportExport, ReportSection

PAGE_SIZE = 30
EXPORTS_SHOWN = 10
# What naming a cycle needs (`Trust.cycle_name`: a person's life is named after its parent).
CYCLE_NAMING = ("system__scale", "system__parent__scale")


def reports_for_list(*, workspace: Workspace) -> QuerySet[LearningReport]:
    """Drafts and published reports, newest period first, with their cycles' names."""
    return (
        LearningReport.objects.filter(workspace=workspace)
        .defer("content", "receiver_account")
        .prefetch_related(
            Prefetch(
                "cycles",
                queryset=Cycle.objects.select_related(*CYCLE_NAMING).order_by("name", "pk"),
            )
        )
        .order_by("-period_end", "-pk")
    )


def cycles_for_report_picker(*, workspace: Workspace) -> QuerySet[Cycle]:
    """Every cycle, closed ones included: a report may tell the story of a finished cycle."""
    return (
        Cycle.objects.filter(workspace=workspace)
        .select_related(*CYCLE_NAMING)
        .order_by("name", "pk")
    )


def report_cycles(*, workspace: Workspace, report: LearningReport) -> list[Cycle]:
    return list(
        Cycle.objects.filter(workspace=workspace, pk__in=report.cycles.values("pk"))
        .select_related(*CYCLE_NAMING)
        .order_by("name", "pk")
    )


def sections_of(*, workspace: Workspace, report: LearningReport) -> list[ReportSection]:
    """The report's sections in order, each with its comments (oldest first) and authors."""
    return list(
        ReportSection.objects.filter(workspace=workspace, report=report)
        .select_related("updated_by")
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=ReportComment.objects.select_related("author").order_by(
                    "created_at", "pk"
                ),
            )
        )
        .annotate(comment_count=Count("comments"))
        .order_by("position", "pk")
    )


def exports_of(*, workspace: Workspace, report: LearningReport) -> list[ReportExport]:
    return list(
        ReportExport.objects.filter(workspace=workspace, report=report)
        .defer("content")
        .order_by("-created_at", "-pk")[:EXPORTS_SHOWN]
    )


def story_entry_ids(content: dict[str, Any]) -> set[int]:
    learnt = content.get("learnt") or {}
    return {
        story["entry_id"]
        for theme in learnt.get("themes", [])
        for story in theme.get("stories", [])
        if story.get("entry_id")
    }


def visible_entry_ids(*, workspace: Workspace, user: User, entry_ids: Iterable[int]) -> set[int]:
    """Which of these entries the viewer may open (one query)."""
    ids = set(entry_ids)
    if not ids:
        return set()
    return set(
        entries_visible_to(workspace=workspace, user=user)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


def report_drafts_for(*, workspace: Workspace, user: User, every: bool) -> QuerySet[LearningReport]:
    """Draft reports, newest first: every draft of the workspace (`every`: for those who
    steward), else those the user started or wrote a section of."""
    drafts = LearningReport.objects.filter(
        workspace=workspace, status=LearningReport.Status.DRAFT
    ).defer("content", "receiver_account")
    if not every:
        drafts = drafts.filter(
            Q(created_by=user)
            | Q(
                pk__in=ReportSection.objects.filter(workspace=workspace, updated_by=user).values(
                    "report_id"
                )
            )
        )
    return drafts.order_by("-updated_at", "-pk")
