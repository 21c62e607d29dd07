"""The audit log page for the workspace's admins, and its CSV (docs/people-and-privacy.md)."""

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hls.audit import export, selectors, services
from hls.audit.forms import AuditFilterForm
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status


def _filter_form(request: WorkspaceRequest) -> AuditFilterForm:
    bound = {k: v for k, v in request.GET.items() if k in AuditFilterForm.base_fields}
    return AuditFilterForm(bound or None, workspace=request.workspace)


@never_cache
@require_GET
@workspace_view("audit.read")
def audit_log(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = _filter_form(request)
    f = selectors.AuditFilter()
    valid = not form.is_bound or form.is_valid()
    if form.is_bound and valid:
        f = form.to_filter()
    page = (
        selectors.audit_page(
            workspace=workspace,
            f=f,
            before=request.GET.get("before", ""),
            after=request.GET.get("after", ""),
        )
        if valid
        else None
    )
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": form.is_bound,
    }
    status = 200 if valid else invalid_status(request)
    return render(request, "audit/log.html", context, status=status)


@never_cache
@require_GET
@workspace_view("audit.read")
def audit_log_export(request: WorkspaceRequest) -> HttpResponse:
    """The filtered log as CSV, streamed. The download is itself recorded (`audit.exported`)."""
    workspace = request.workspace
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "page": None, "query": "", "filtered": True}
        return render(request, "audit/log.html", context, status=invalid_status(request))
    f = form.to_filter() if form.is_bound else selectors.AuditFilter()
    services.audit_log_exported(workspace=workspace, actor=request.user, filters=f.as_data())
    response = StreamingHttpResponse(
        export.csv_lines(workspace=workspace, f=f), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{workspace.slug}-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]  # a stream (workspace_view types HttpResponse)
