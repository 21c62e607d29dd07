"""A cycle's burden ledger: the time it gives to learning, what it stopped doing to make room,
and its sessions' time in the next four weeks beside them. Anyone who may see the cycle reads
it; only those inside the cycle change it (the services decide). Thin: parse, call one
service, render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cycles.access import access_cycle
from cycles.models import Cycle
from cycles.trust import request_trust
from hls.conflicts import EditConflict, rebind
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from stewardship.burden import selectors, services
from stewardship.burden.forms import LearningTimeForm, ResumeForm, StopDoingForm
from stewardship.models import StopDoing

TEMPLATE = "stewardship/burden/ledger.html"


def _page(
    request: WorkspaceRequest,
    cycle: Cycle,
    *,
    status: int = 200,
    time_form: LearningTimeForm | None = None,
    stop_form: StopDoingForm | None = None,
    resume: tuple[int, ResumeForm] | None = None,
    conflict: EditConflict | None = None,
) -> HttpResponse:
    ledger = selectors.ledger(
        workspace=request.workspace, membership=request.membership, cycle=cycle
    )
    if time_form is None:
        initial: dict[str, Any] = {"revision": 0}
        if ledger.time is not None:
            initial = {
                "revision": ledger.time.revision,
                "hours": ledger.time.hours,
                "per": ledger.time.per,
                "how": ledger.time.how,
            }
        time_form = LearningTimeForm(initial=initial)
    # a refusal for an item no longer listed (started again meanwhile, from another page)
    refused: list[str] = []
    if resume is not None and not any(item.pk == resume[0] for item in ledger.stopped):
        refused = [str(error) for errors in resume[1].errors.values() for error in errors]
    context = {
        "cycle": cycle,
        "ledger": ledger,
        "may_steer": request_trust(request).may_steer(cycle),
        "time_form": time_form,
        "stop_form": stop_form or StopDoingForm(),
        # each item its own "why" form (its own field ids), the one just sent kept as typed
        "stopped": [
            (item, resume[1] if resume and resume[0] == item.pk else _resume_form(item))
            for item in ledger.stopped
        ],
        "resume_refused": refused,
        "conflict": conflict,
    }
    return render(request, TEMPLATE, context, status=status)


def _resume_form(item: StopDoing, data: Any = None) -> ResumeForm:
    return ResumeForm(data, prefix=f"stop-{item.pk}")


@workspace_view()
def learning_time(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    if request.method != "POST":
        return _page(request, cycle)
    form = LearningTimeForm(request.POST)
    try:
        saved = submit(
            form,
            lambda data: services.learning_time_set(
                workspace=workspace, cycle=cycle, user=request.user, hours=data["hours"],
                per=data["per"], how=data["how"], revision=data["revision"],
            ),
        )  # fmt: skip
    except EditConflict as error:
        conflict = error.with_yours(form.cleaned_data)
        form = LearningTimeForm(rebind(request.POST, conflict))
        return _page(request, cycle, status=409, time_form=form, conflict=conflict)
    if saved is None:
        return _page(request, cycle, status=invalid_status(request), time_form=form)
    messages.success(request, _("Time for learning saved."))
    return redirect("learning-time", workspace.slug, cycle.pk)


@require_POST
@workspace_view()
def stop_doing_add(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    form = StopDoingForm(request.POST)
    added = submit(
        form,
        lambda data: services.stop_doing_add(
            workspace=workspace, cycle=cycle, user=request.user, what=data["what"],
            frees=data["frees"], since=data["since"],
        ),
    )  # fmt: skip
    if added is None:
        return _page(request, cycle, status=invalid_status(request), stop_form=form)
    messages.success(request, _("Added to what you stopped doing."))
    return redirect("learning-time", workspace.slug, cycle.pk)


@require_POST
@workspace_view()
def stop_doing_resume(request: WorkspaceRequest, cycle_id: int, stop_doing_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    item = get_object_or_404(
        StopDoing.objects.select_related("cycle"), workspace=workspace, cycle=cycle,
        pk=stop_doing_id,
    )  # fmt: skip
    form = _resume_form(item, request.POST)
    resumed = submit(
        form,
        lambda data: services.stop_doing_resume(
            workspace=workspace, item=item, user=request.user, why=data["why"]
        ),
    )
    if resumed is None:
        return _page(request, cycle, status=invalid_status(request), resume=(item.pk, form))
    messages.success(request, _("Marked as started again, with why."))
    return redirect("learning-time", workspace.slug, cycle.pk)
