"""The method library (built-ins and the workspace's own templates), a template's page with its
versions, the editor (structured, and the steps as JSON), and the picker for a cycle. Thin:
parse, call one service, render or redirect. Who may do what: the services and
hls/tenancy/permissions.py ("methods.manage" writes templates); the run pages are views.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cycles.access import access_cycle
from cycles.models import Cycle
from cycles.trust import request_trust
from hls.conflicts import EditConflict, rebind
from hls.forms import act, submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.permissions import can
from stewardship.burden import selectors as burden
from stewardship.methods import library, selectors, services
from stewardship.methods.library_forms import (
    JsonTemplateForm,
    LibraryFilterForm,
    PickerStartForm,
    TemplateMetaForm,
    apply,
    assemble,
    blank_definition,
    definition_messages,
    editor,
    meta_initial,
)
from stewardship.methods.services import TemplateFields
from stewardship.models import MethodTemplate

EDIT = "stewardship/methods/template_edit.html"


def _template(request: WorkspaceRequest, template_id: int) -> MethodTemplate:
    found = library.template_for(workspace=request.workspace, template_id=template_id)
    if found is None:
        raise Http404
    return found


@workspace_view()
def method_library(request: WorkspaceRequest) -> HttpResponse:
    form = LibraryFilterForm(request.GET or None)
    phase = scale = ""
    if form.is_bound and form.is_valid():
        phase, scale = form.cleaned_data["phase"], form.cleaned_data["scale"]
    offers = selectors.offers(workspace=request.workspace, phase=phase, scale=scale)
    context = {
        "filter_form": form,
        "filtered": bool(phase or scale),
        "offers": library.previews(offers),
        "archived": list(library.archived_templates(workspace=request.workspace)),
    }
    return render(request, "stewardship/methods/library.html", context)


@require_POST
@workspace_view("methods.manage")
def method_copy(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    copied = act(
        request,
        lambda: services.template_copy(
            workspace=workspace, user=request.user, key=request.POST.get("builtin", "")
        ),
    )
    if copied is None:
        return redirect("methods", workspace.slug)
    messages.success(request, _("Copied. Adapt it to your place, then save."))
    return redirect("method-template-edit", workspace.slug, copied.pk)


@workspace_view()
def template_detail(request: WorkspaceRequest, template_id: int) -> HttpResponse:
    workspace = request.workspace
    template = _template(request, template_id)
    phases, scales = library.labels(template.phases, template.scales)
    context = {
        "template": template,
        "phases": phases,
        "scales": scales,
        "steps": library.parsed(template.definition),
        "versions": library.versions(workspace=workspace, template=template),
        "in_progress": library.runs_in_progress(workspace=workspace, template=template),
        "copied_from": library.builtin_for(template.copied_from),
    }
    return render(request, "stewardship/methods/template_detail.html", context)


@workspace_view()
def template_version(request: WorkspaceRequest, template_id: int, version: int) -> HttpResponse:
    template = _template(request, template_id)
    found = library.version_of(workspace=request.workspace, template=template, version=version)
    if found is None:
        raise Http404
    context = {"template": template, "version": found, "steps": library.parsed(found.definition)}
    return render(request, "stewardship/methods/template_version.html", context)


def _edit_page(
    request: WorkspaceRequest,
    *,
    template: MethodTemplate | None,
    meta: TemplateMetaForm,
    raw: Any,
    problems: list[str] | None = None,
    status: int = 200,
    conflict: EditConflict | None = None,
) -> HttpResponse:
    context = {
        "template": template,
        "meta_form": meta,
        "editor": editor(raw, problems or ()),
        "in_progress": (
            library.runs_in_progress(workspace=request.workspace, template=template)
            if template is not None
            else []
        ),
        "conflict": conflict,
    }
    return render(request, EDIT, context, status=status)


def _fields(data: dict[str, Any], definition: Any) -> TemplateFields:
    return TemplateFields(
        name=data["name"],
        summary=data["summary"],
        source=data["source"],
        phases=data["phases"],
        scales=data["scales"],
        definition=definition,
    )


def _save(
    request: WorkspaceRequest, template: MethodTemplate | None
) -> tuple[MethodTemplate | None, TemplateMetaForm, Any, list[str]]:
    """Save the editor's post: (saved, the form, the definition as posted, the checker's
    messages). EditConflict passes through."""
    workspace = request.workspace
    raw = assemble(request.POST)
    meta = TemplateMetaForm(request.POST)
    problems: list[str] = []

    def call(data: dict[str, Any]) -> MethodTemplate:
        try:
            if template is None:
                return services.template_create(
                    workspace=workspace, user=request.user, fields=_fields(data, raw)
                )
            return services.template_update(
                workspace=workspace,
                template=template,
                user=request.user,
                fields=_fields(data, raw),
                revision=data["revision"],
            )
        except ValidationError as error:
            rest, problems[:] = definition_messages(error)
            raise rest from error

    return submit(meta, call), meta, raw, problems


def _editor_post(request: WorkspaceRequest, template: MethodTemplate | None) -> HttpResponse:
    workspace = request.workspace
    action = request.POST.get("do", "")
    if action:  # a button of the editor: change the steps, show them again, unsaved
        raw = apply(action, assemble(request.POST))
        meta = TemplateMetaForm(initial=meta_initial(request.POST))
        return _edit_page(request, template=template, meta=meta, raw=raw)
    try:
        saved, meta, raw, problems = _save(request, template)
    except EditConflict as error:
        raw = assemble(request.POST)
        conflict = error.with_yours(
            {**request.POST.dict(), "definition": selectors.definition_text(raw)}
        )
        meta = TemplateMetaForm(rebind(request.POST, conflict))
        return _edit_page(
            request, template=template, meta=meta, raw=raw, status=409, conflict=conflict
        )
    if saved is None:
        return _edit_page(
            request,
            template=template,
            meta=meta,
            raw=raw,
            problems=problems,
            status=invalid_status(request),
        )
    _said_saved(request, template, saved)
    return redirect("method-template", workspace.slug, saved.pk)


def _said_saved(
    request: WorkspaceRequest, before: MethodTemplate | None, saved: MethodTemplate
) -> None:
    if before is None:
        messages.success(request, _("Method saved. It is offered in the picker now."))
        return
    if saved.version == before.version:
        messages.success(request, _("Saved."))
        return
    kept = library.runs_in_progress(workspace=request.workspace, template=saved)
    running = sum(row.runs for row in kept)
    text = _("Saved as version %(v)d: new runs use it.") % {"v": saved.version}
    if running:
        text += " " + _("Runs in progress keep the version they started with.")
    messages.success(request, text)


@workspace_view("methods.manage")
def template_new(request: WorkspaceRequest) -> HttpResponse:
    if request.method == "POST":
        return _editor_post(request, None)
    meta = TemplateMetaForm(initial={"revision": 0})
    return _edit_page(request, template=None, meta=meta, raw=blank_definition())


@workspace_view("methods.manage")
def template_edit(request: WorkspaceRequest, template_id: int) -> HttpResponse:
    template = _template(request, template_id)
    if request.method == "POST":
        return _editor_post(request, template)
    meta = TemplateMetaForm(initial=_initial(template))
    return _edit_page(request, template=template, meta=meta, raw=template.definition)


def _initial(template: MethodTemplate) -> dict[str, Any]:
    return {
        "revision": template.revision,
        "name": template.name,
        "summary": template.summary,
        "source": template.source,
        "phases": list(template.phases),
        "scales": list(template.scales),
    }


@workspace_view("methods.manage")
def template_edit_json(request: WorkspaceRequest, template_id: int) -> HttpResponse:
    workspace = request.workspace
    template = _template(request, template_id)
    conflict = None
    status = 200
    if request.method != "POST":
        form = JsonTemplateForm(
            initial={
                **_initial(template),
                "definition": selectors.definition_text(template.definition),
            }
        )
    else:
        form = JsonTemplateForm(request.POST)
        try:
            saved = submit(
                form,
                lambda data: services.template_update(
                    workspace=workspace, template=template, user=request.user,
                    fields=_fields(data, data["definition"]), revision=data["revision"],
                ),
            )  # fmt: skip
        except EditConflict as error:
            conflict = error.with_yours(request.POST.dict())
            form = JsonTemplateForm(rebind(request.POST, conflict))
            saved, status = None, 409
        if saved is not None:
            _said_saved(request, template, saved)
            return redirect("method-template", workspace.slug, saved.pk)
        status = status if conflict else invalid_status(request)
    context = {
        "template": template,
        "form": form,
        "conflict": conflict,
        "in_progress": library.runs_in_progress(workspace=workspace, template=template),
    }
    return render(request, "stewardship/methods/template_json.html", context, status=status)


@require_POST
@workspace_view("methods.manage")
def template_archive(request: WorkspaceRequest, template_id: int) -> HttpResponse:
    workspace = request.workspace
    template = _template(request, template_id)
    archived = request.POST.get("archived") == "1"
    services.template_set_archived(workspace=workspace, template=template, archived=archived)
    if archived:
        messages.success(request, _("Archived: no longer offered for new runs."))
    else:
        messages.success(request, _("Offered for new runs again."))
    return redirect("method-template", workspace.slug, template.pk)


# --- The picker -----------------------------------------------------------------------------------


def _picker(
    request: WorkspaceRequest,
    cycle: Cycle,
    *,
    method: str = "",
    form: PickerStartForm | None = None,
    status: int = 200,
) -> HttpResponse:
    workspace = request.workspace
    # the start form, for those inside the cycle whose role takes part in runs (the services
    # refuse the rest)
    inside = can(request.membership, "methods.run") and request_trust(request).inside(cycle)
    picked = library.offers_for_cycle(workspace=workspace, cycle=cycle)
    chosen = library.find(picked, method) if method else None
    context: dict[str, Any] = {
        "cycle": cycle,
        "inside": inside,
        "picked": picked,
        "scale_label": library.scale_label(picked.scale),
        "fitting": library.previews(picked.fitting),
        "others": library.previews(picked.others),
        "chosen": chosen,
        # a method no longer offered (archived meanwhile, or never): said above the lists
        "unknown": form.errors.get("method") if form is not None and chosen is None else None,
    }
    if chosen is not None and inside:
        choices = library.start_choices(
            workspace=workspace, user=request.user, cycle=cycle, found=chosen
        )
        if form is None:
            form = PickerStartForm(
                initial={"method": chosen.key},
                meetings=choices.meetings,
                candidates=choices.candidates,
            )
        context |= {
            "form": form,
            "ledger": burden.ledger(
                workspace=workspace, membership=request.membership, cycle=cycle
            ),
            "chosen_steps": library.definition_of(chosen),
        }
    return render(request, "stewardship/methods/picker.html", context, status=status)


@workspace_view()
def method_picker(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    if request.method != "POST":
        return _picker(request, cycle, method=request.GET.get("method", ""))
    if not can(request.membership, "methods.run"):
        raise PermissionDenied
    method = request.POST.get("method", "")
    found = library.offer(workspace=workspace, key=method)
    choices = (
        library.start_choices(workspace=workspace, user=request.user, cycle=cycle, found=found)
        if found is not None
        else library.StartChoices([], [])
    )
    form = PickerStartForm(request.POST, meetings=choices.meetings, candidates=choices.candidates)
    run = submit(
        form,
        lambda data: library.run_start_chosen(
            workspace=workspace, user=request.user, cycle=cycle, method=data["method"],
            title=data["title"], why_this_method=data["why_this_method"],
            stop_doing=data["stop_doing"], guests=data["guests"], meeting=data["meeting"],
            draws_from=data.get("draws_from", []),
        ),
    )  # fmt: skip
    if run is None:
        return _picker(request, cycle, method=method, form=form, status=invalid_status(request))
    messages.success(request, _("Started. Invite the others to join from this page."))
    return redirect(reverse("method-run", args=[workspace.slug, run.pk]))
