"""Workspace admins' pages for importing CSV files and exporting the workspace's data.
Thin: parse a form, call one service, render or redirect."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from dataio import exports, selectors, services
from dataio.access import access_export, access_import
from dataio.csvfile import MAX_BYTES
from dataio.forms import MappingForm, UploadForm
from dataio.kinds import FIELDS
from dataio.models import ExportRun, ImportRun
from hls.forms import act, submit
from hls.jobs import waiting_for_worker
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status

CAPABILITY = "integrations.manage"


# Imports -------------------------------------------------------------------------------------


def _import_page(
    request: WorkspaceRequest, form: UploadForm | None = None, *, status: int = 200
) -> HttpResponse:
    context = {
        "imports": selectors.recent_imports(workspace=request.workspace),
        "form": form or UploadForm(),
        "kinds": ImportRun.Kind.choices,
        "max_mb": MAX_BYTES // 2**20,
    }
    return render(request, "dataio/import.html", context, status=status)


@workspace_view(CAPABILITY)
def import_list(request: WorkspaceRequest) -> HttpResponse:
    if request.method != "POST":
        return _import_page(request)
    form = UploadForm(request.POST, request.FILES)

    def upload(data: dict[str, Any]) -> ImportRun:
        file = data["file"]
        return services.import_upload(
            workspace=request.workspace,
            user=request.user,
            kind=data["kind"],
            file_name=file.name or "upload.csv",
            data=file.read(MAX_BYTES + 1),
            size=file.size,  # what was sent, though only MAX_BYTES + 1 were read
        )

    run = submit(form, upload)
    if run is not None:
        return redirect("data-import-detail", request.workspace.slug, run.pk)
    return _import_page(request, form, status=invalid_status(request))


@workspace_view(CAPABILITY)
def import_template(request: WorkspaceRequest) -> HttpResponse:
    kind = request.GET.get("kind", ImportRun.Kind.PEOPLE)
    if kind not in FIELDS:
        kind = ImportRun.Kind.PEOPLE
    header = ",".join(spec.name for spec in FIELDS[kind]) + "\r\n"
    response = HttpResponse(header.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response


def _detail(
    request: WorkspaceRequest,
    run: ImportRun,
    form: MappingForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    done, total = selectors.import_progress(run)
    required = {spec.name for spec in FIELDS[run.kind] if spec.required}
    form = form or MappingForm(run=run)
    context = {
        "run": run,
        "form": form,
        "mapping_fields": [(form[name], name in required) for name in form.fields],
        "editable": run.status in services.EDITABLE,
        "done": done,
        "total": total,
        "percent": selectors.percent(done, total),
        "running": run.status == ImportRun.Status.RUNNING,
        "waiting": waiting_for_worker(
            queued=run.status == ImportRun.Status.RUNNING and done == 0, since=run.started_at
        ),
    }
    if request.GET.get("part") == "progress":
        if request.htmx and run.status != ImportRun.Status.RUNNING:
            return HttpResponseClientRefresh()  # done: reload the page, which shows the outcome
        return render(request, "dataio/import_detail.html#progress", context)
    return render(request, "dataio/import_detail.html", context, status=status)


@workspace_view(CAPABILITY)
def import_detail(request: WorkspaceRequest, import_id: int) -> HttpResponse:
    run = access_import(workspace=request.workspace, import_id=import_id)
    if request.method != "POST":
        return _detail(request, run)
    form = MappingForm(request.POST, run=run)

    def map_and_check(data: dict[str, Any]) -> ImportRun:
        nonlocal run  # mapped even if the check then refuses: the page shows it so
        run = services.import_map(
            workspace=request.workspace, run=run, mapping=data, user=request.user
        )
        return services.import_check(workspace=request.workspace, run=run, user=request.user)

    checked = submit(form, map_and_check)
    if checked is not None:
        return redirect("data-import-detail", request.workspace.slug, checked.pk)
    return _detail(request, run, form, status=invalid_status(request))


@require_POST
@workspace_view(CAPABILITY)
def import_start(request: WorkspaceRequest, import_id: int) -> HttpResponse:
    run = access_import(workspace=request.workspace, import_id=import_id)
    act(
        request,
        lambda: services.import_start(workspace=request.workspace, run=run, user=request.user),
    )
    return redirect("data-import-detail", request.workspace.slug, run.pk)


# Exports -------------------------------------------------------------------------------------


@workspace_view(CAPABILITY)
def export_list(request: WorkspaceRequest) -> HttpResponse:
    if request.method == "POST":
        export = services.export_create(workspace=request.workspace, user=request.user)
        return redirect("data-export-detail", request.workspace.slug, export.pk)
    context = {"exports": selectors.recent_exports(workspace=request.workspace)}
    return render(request, "dataio/export.html", context)


@workspace_view(CAPABILITY)
def export_detail(request: WorkspaceRequest, data_export_id: int) -> HttpResponse:
    export = access_export(workspace=request.workspace, export_id=data_export_id)
    done, total = selectors.export_progress(export)
    building = export.status in (ExportRun.Status.PENDING, ExportRun.Status.RUNNING)
    context = {
        "export": export,
        "building": building,
        "waiting": waiting_for_worker(
            queued=export.status == ExportRun.Status.PENDING, since=export.created_at
        ),
        "done": done,
        "total": total,
        "percent": selectors.percent(done, total),
        "filename": exports.filename(export, request.workspace),
        "not_ready": False,
    }
    if request.GET.get("part") == "progress":
        if request.htmx and not building:
            return HttpResponseClientRefresh()
        return render(request, "dataio/export_detail.html#progress", context)
    return render(request, "dataio/export_detail.html", context)


@workspace_view(CAPABILITY)
def export_download(request: WorkspaceRequest, data_export_id: int) -> HttpResponse:
    export = access_export(workspace=request.workspace, export_id=data_export_id)
    if export.status != ExportRun.Status.DONE:
        messages.error(request, _("This export is not ready to download yet."))
        return redirect("data-export-detail", request.workspace.slug, export.pk)
    data = selectors.export_content(workspace=request.workspace, export=export)
    if not data:
        messages.error(
            request, _("This export's file was withdrawn when a person was erased. Make a new one.")
        )
        return redirect("data-export-detail", request.workspace.slug, export.pk)
    services.export_downloaded(workspace=request.workspace, export=export, user=request.user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(export, request.workspace)}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
