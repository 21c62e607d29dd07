"""Learning reports: the list, a new report, its page (assembly progress, sections with their
evidence beside the co-authored narrative, comments), editing a section, the receiver's own
account, publishing, and exports. Thin: parse, call one service, render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from cycles.trust import request_trust
from hls.conflicts import EditConflict, rebind
from hls.forms import submit
from hls.jobs import waiting_for_worker
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.permissions import can
from stewardship.models import LearningReport, ReportExport, ReportSection
from stewardship.reports import exports, selectors, services
from stewardship.reports.access import access_export, access_report, access_section
from stewardship.reports.forms import (
    CommentForm,
    ExportForm,
    ReceiverAccountForm,
    ReportCreateForm,
    SectionForm,
)

RUNNING = (LearningReport.Assembly.PENDING, LearningReport.Assembly.RUNNING)
BUILDING = (ReportExport.State.PENDING, ReportExport.State.RUNNING)


def _published(request: WorkspaceRequest, report: LearningReport) -> HttpResponse:
    """A change to a published report: say so plainly (409 Conflict)."""
    return render(
        request,
        "stewardship/reports/published.html",
        {"report": report, "message": services.PUBLISHED_MESSAGE},
        status=409,
    )


# The list and a new report -------------------------------------------------------------------


@workspace_view()
def report_list(request: WorkspaceRequest) -> HttpResponse:
    reports = selectors.reports_for_list(workspace=request.workspace)
    page = Paginator(reports, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stewardship/reports/list.html",
        {"page": page, "can_manage": can(request.membership, "reports.manage")},
    )


@workspace_view("reports.manage")
def report_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    cycles = list(selectors.cycles_for_report_picker(workspace=workspace))
    form = ReportCreateForm(request.POST or None, cycles=cycles, trust=request_trust(request))
    status = 200
    if request.method == "POST":
        report = submit(
            form,
            lambda data: services.report_create(
                workspace=workspace,
                created_by=request.user,
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                cycles=[c for c in cycles if c.pk in set(data["cycles"])],
            ),
        )
        if report is not None:
            messages.success(
                request,
                _("Draft started. Its evidence is being assembled from the cycles."),
            )
            return redirect("report-detail", workspace.slug, report.pk)
        status = invalid_status(request)
    return render(
        request,
        "stewardship/reports/create.html",
        {"form": form, "has_cycles": bool(cycles)},
        status=status,
    )


# A report's page -----------------------------------------------------------------------------


def _progress(report: LearningReport) -> dict[str, Any]:
    return {
        "running": report.assembly in RUNNING,
        "waiting": waiting_for_worker(
            queued=report.assembly == LearningReport.Assembly.PENDING, since=report.updated_at
        ),
    }


def _detail_context(request: WorkspaceRequest, report: LearningReport) -> dict[str, Any]:
    workspace, membership = request.workspace, request.membership
    content = report.content or {}
    sections = selectors.sections_of(workspace=workspace, report=report)
    for section in sections:
        section.evidence_blocks = exports.evidence_blocks(section.key, content)  # type: ignore[attr-defined]
    return {
        "report": report,
        "content": content,
        "cycles": selectors.report_cycles(workspace=workspace, report=report),
        "sections": sections,
        "exports": selectors.exports_of(workspace=workspace, report=report),
        "visible_entries": selectors.visible_entry_ids(
            workspace=workspace,
            user=request.user,
            entry_ids=selectors.story_entry_ids(content),
        ),
        **_progress(report),
        "is_draft": report.status == LearningReport.Status.DRAFT,
        "can_manage": can(membership, "reports.manage"),
        "can_contribute": can(membership, "reports.contribute"),
        "comment_form": CommentForm(),
        "export_form": ExportForm(),
    }


@workspace_view()
def report_detail(request: WorkspaceRequest, report_id: int) -> HttpResponse:
    report = access_report(workspace=request.workspace, report_id=report_id)
    if request.GET.get("part") == "progress":
        # The progress fragment, polled by htmx while the assembly runs. When it is done, the
        # whole page is reloaded so the sections appear.
        if request.htmx and report.assembly not in RUNNING:
            return HttpResponseClientRefresh()
        return render(
            request,
            "stewardship/reports/detail.html#progress",
            {"report": report, **_progress(report)},
        )
    return render(request, "stewardship/reports/detail.html", _detail_context(request, report))


@require_POST
@workspace_view("reports.manage")
def report_assemble(request: WorkspaceRequest, report_id: int) -> HttpResponse:
    report = access_report(workspace=request.workspace, report_id=report_id)
    try:
        services.report_reassemble(workspace=request.workspace, report=report, user=request.user)
    except services.ReportPublished:
        return _published(request, report)
    messages.success(request, _("Assembling the evidence again; the narrative is kept."))
    return redirect("report-detail", request.workspace.slug, report.pk)


# Sections and comments -----------------------------------------------------------------------


@workspace_view("reports.contribute")
def report_section_edit(request: WorkspaceRequest, section_id: int) -> HttpResponse:
    workspace = request.workspace
    section = access_section(workspace=workspace, section_id=section_id)
    report = section.report
    if report.status == LearningReport.Status.PUBLISHED:
        if request.method == "POST":
            return _published(request, report)
        return render(
            request,
            "stewardship/reports/section_edit.html",
            {"section": section, "report": report, "published": True},
        )
    context: dict[str, Any] = {"section": section, "report": report}
    status = 200
    if request.method == "POST":
        form = SectionForm(request.POST)
        status = invalid_status(request)
        try:
            saved = submit(
                form,
                lambda data: services.section_update(
                    workspace=workspace, section=section, user=request.user, **data
                ),
            )
        except EditConflict as conflict:
            # Keep what this user typed; show both versions; the next save (from the
            # current version) is a deliberate merge (hls/conflicts.py).
            context["conflict"] = conflict.with_yours(request.POST)
            form = SectionForm(rebind(request.POST, conflict, counter=services.COUNTER))
            status = 409
        except services.ReportPublished:
            return _published(request, report)
        else:
            if saved is not None:
                messages.success(request, _("Saved. Your co-authors see it now."))
                return redirect(_section_url(workspace.slug, report.pk, section.key))
    else:
        form = SectionForm(initial={"body": section.body, "version": section.version})
    context["form"] = form
    evidence = exports.evidence_blocks(section.key, report.content or {})
    context["evidence_blocks"] = evidence
    return render(request, "stewardship/reports/section_edit.html", context, status=status)


def _section_url(slug: str, report_id: int, key: str) -> str:
    return reverse("report-detail", args=[slug, report_id]) + f"#section-{key}"


@require_POST
@workspace_view("reports.contribute")
def report_comment_add(request: WorkspaceRequest, section_id: int) -> HttpResponse:
    workspace = request.workspace
    section: ReportSection = access_section(workspace=workspace, section_id=section_id)
    report = section.report
    form = CommentForm(request.POST)
    try:
        comment = submit(
            form,
            lambda data: services.comment_add(
                workspace=workspace, section=section, author=request.user, **data
            ),
        )
    except services.ReportPublished:
        return _published(request, report)
    if comment is not None:
        messages.success(request, _("Comment added."))
        return redirect(_section_url(workspace.slug, report.pk, section.key))
    if report.status == LearningReport.Status.PUBLISHED:
        return _published(request, report)
    return render(
        request,
        "stewardship/reports/comment_form.html",
        {"section": section, "report": report, "form": form},
        status=invalid_status(request),
    )


# The receiver's account and publishing -------------------------------------------------------


@workspace_view("reports.manage")
def report_receiver_account(request: WorkspaceRequest, report_id: int) -> HttpResponse:
    workspace = request.workspace
    report = access_report(workspace=workspace, report_id=report_id)
    if report.status == LearningReport.Status.PUBLISHED:
        if request.method == "POST":
            return _published(request, report)
        return render(
            request,
            "stewardship/reports/receiver_account.html",
            {"report": report, "published": True},
        )
    form = ReceiverAccountForm(
        request.POST or None, initial={"receiver_account": report.receiver_account}
    )
    status = 200
    if request.method == "POST":
        try:
            saved = submit(
                form,
                lambda data: services.receiver_account_update(
                    workspace=workspace,
                    report=report,
                    text=data["receiver_account"],
                    user=request.user,
                ),
            )
        except services.ReportPublished:
            return _published(request, report)
        if saved is not None:
            messages.success(request, _("The receiver's account is saved."))
            return redirect(_section_url(workspace.slug, report.pk, "receiver"))
        status = invalid_status(request)
    return render(
        request,
        "stewardship/reports/receiver_account.html",
        {"report": report, "form": form},
        status=status,
    )


@workspace_view("reports.manage")
def report_publish(request: WorkspaceRequest, report_id: int) -> HttpResponse:
    workspace = request.workspace
    report = access_report(workspace=workspace, report_id=report_id)
    if report.status == LearningReport.Status.PUBLISHED:
        if request.method == "POST":
            return _published(request, report)
        return redirect("report-detail", workspace.slug, report.pk)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            services.report_publish(workspace=workspace, report=report, user=request.user)
        except services.ReportPublished:
            return _published(request, report)
        except ValidationError as problem:
            error, status = " ".join(problem.messages), 400
        else:
            messages.success(request, _("Published. The report is now read-only."))
            return redirect("report-detail", workspace.slug, report.pk)
    return render(
        request,
        "stewardship/reports/publish.html",
        {"report": report, "error": error},
        status=status,
    )


# Exports -------------------------------------------------------------------------------------


@require_POST
@workspace_view("reports.contribute")
def report_export_create(request: WorkspaceRequest, report_id: int) -> HttpResponse:
    workspace = request.workspace
    report = access_report(workspace=workspace, report_id=report_id)
    form = ExportForm(request.POST)
    export = submit(
        form,
        lambda data: services.export_create(
            workspace=workspace, report=report, export_format=data["format"], user=request.user
        ),
    )
    if export is not None:
        return redirect("report-export-detail", workspace.slug, export.pk)
    return render(
        request,
        "stewardship/reports/export_form.html",
        {"report": report, "form": form},
        status=invalid_status(request),
    )


@workspace_view()
def report_export_detail(request: WorkspaceRequest, export_id: int) -> HttpResponse:
    export = access_export(workspace=request.workspace, export_id=export_id)
    context = {
        "export": export,
        "report": export.report,
        "building": export.state in BUILDING,
        "waiting": waiting_for_worker(
            queued=export.state == ReportExport.State.PENDING, since=export.created_at
        ),
        "filename": exports.filename(export.report, export.format),
        "can_contribute": can(request.membership, "reports.contribute"),
    }
    if request.GET.get("part") == "progress":
        if request.htmx and export.state not in BUILDING:
            return HttpResponseClientRefresh()
        return render(request, "stewardship/reports/export_detail.html#progress", context)
    return render(request, "stewardship/reports/export_detail.html", context)


@workspace_view()
def report_export_download(request: WorkspaceRequest, export_id: int) -> HttpResponse:
    export = access_export(workspace=request.workspace, export_id=export_id)
    if export.state != ReportExport.State.READY:
        return render(
            request,
            "stewardship/reports/export_detail.html",
            {
                "export": export,
                "report": export.report,
                "building": export.state in BUILDING,
                "not_ready": True,
            },
            status=409,
        )
    services.export_downloaded(workspace=request.workspace, export=export, user=request.user)
    data = ReportExport.objects.filter(pk=export.pk).values_list("content", flat=True).get()
    response = HttpResponse(
        bytes(data or b""), content_type=exports.CONTENT_TYPES[ReportExport.Format(export.format)]
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(export.report, export.format)}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
