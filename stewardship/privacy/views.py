"""Erasing a person, and the workspace's retention: admins only (`privacy.manage`). Thin: parse,
call one service, render or redirect. Nothing here shows a person's name or words: a person
is their reference, and what goes is counted."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hls.audit.models import RetentionRun
from hls.forms import act, submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from stewardship.privacy import selectors, services
from stewardship.privacy.forms import ErasureForm, FindPersonForm, RetentionForm
from systems.access import access_person
from systems.models import Person

CAPABILITY = services.CAPABILITY


@never_cache
@workspace_view(CAPABILITY)
def person_erase_find(request: WorkspaceRequest) -> HttpResponse:
    """Find the person to erase by their reference (an admin need not work with them)."""
    form = FindPersonForm(request.GET if "reference" in request.GET else None)
    if form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        person = Person.objects.filter(workspace=request.workspace, reference=reference).first()
        if person is not None:
            return redirect("person-erase", request.workspace.slug, person.pk)
        form.add_error(
            "reference",
            _("No one in this workspace has the reference %(reference)s. Check it.")
            % {"reference": reference},
        )
    return render(request, "stewardship/privacy/person_erase_find.html", {"form": form})


@never_cache
@workspace_view(CAPABILITY)
def person_erase(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """What erasing the person removes, counted, and the eraser's choice for their stories."""
    workspace = request.workspace
    person = access_person(workspace=workspace, person_id=person_id)
    form = ErasureForm(request.POST or None, reference=person.reference)
    if request.method == "POST":
        reference = person.reference
        counts = submit(
            form,
            lambda data: services.person_erase(
                workspace=workspace, person=person, actor=request.user, **data
            ),
        )
        if counts is not None:
            messages.success(
                request,
                _(
                    "%(reference)s is erased. What was held about them is gone; the audit log "
                    "keeps that it happened, with counts only."
                )
                % {"reference": reference},
            )
            return redirect("people", workspace.slug)
    rows = selectors.person_rows(workspace=workspace, person=person)
    context = {
        "person": person,
        "form": form,
        "rows": rows,
        "if_deleted": rows.counts(services.Choice.DELETE),
        "if_anonymised": rows.counts(services.Choice.ANONYMISE),
    }
    status = invalid_status(request) if form.is_bound else 200
    return render(request, "stewardship/privacy/person_erase.html", context, status=status)


def _retention_page(
    request: WorkspaceRequest, form: RetentionForm | None = None, status: int = 200
) -> HttpResponse:
    workspace = request.workspace
    if form is None:
        form = RetentionForm(
            initial={
                "retain_identity_days": workspace.retain_identity_days,
                "retain_drafts_days": workspace.retain_drafts_days,
            }
        )
    due = selectors.retention_due(workspace=workspace)
    context = {
        "form": form,
        "due": due,
        "more_references": len(due.identity_people) - len(due.references),
        "runs": selectors.retention_runs(workspace=workspace),
        "has_setting": workspace.retain_identity_days is not None
        or workspace.retain_drafts_days is not None,
    }
    return render(request, "stewardship/privacy/retention.html", context, status=status)


@never_cache
@workspace_view(CAPABILITY)
def retention(request: WorkspaceRequest) -> HttpResponse:
    """The settings, a preview of what would go now, and what went before."""
    if request.method != "POST":
        return _retention_page(request)
    workspace = request.workspace
    form = RetentionForm(request.POST)
    saved = submit(
        form,
        lambda data: services.retention_settings_update(
            workspace=workspace, actor=request.user, **data
        ),
    )
    if saved is None:
        return _retention_page(request, form, status=invalid_status(request))
    messages.success(request, _("Retention saved. Below is what it would remove now."))
    return redirect("retention", workspace.slug)


@never_cache
@require_POST
@workspace_view(CAPABILITY)
def retention_apply(request: WorkspaceRequest) -> HttpResponse:
    """Apply retention now, after the preview."""
    outcome = act(
        request,
        lambda: services.retention_apply(
            workspace=request.workspace,
            trigger=RetentionRun.Trigger.MANUAL,
            started_by=request.user,
        ),
    )
    if outcome is not None and outcome.run is None:
        messages.info(request, _("Nothing was due to go."))
    elif outcome is not None:
        messages.success(
            request,
            _("Retention applied. Identities deleted: %(identities)s. Drafts dropped: %(drafts)s.")
            % {"identities": outcome.identities, "drafts": outcome.drafts},
        )
    return redirect("retention", request.workspace.slug)
