"""Experiments: design, start, check in (entries), end; the portfolio. Thin views."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cycles.access import access_cycle, access_experiment
from cycles.experiments import selectors, services
from cycles.experiments.forms import EndForm, ExperimentForm, PortfolioFilterForm, design_data
from cycles.links.selectors import adapted_in
from cycles.models import Cycle, Experiment
from cycles.trust import request_may_steer, require_steer
from hls.conflicts import EditConflict, rebind
from hls.forms import add_service_error, submit
from hls.markdown import to_html
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.permissions import can

PAGE_SIZE = 50


def _optional_url(name: str, *args: Any) -> str:
    """The URL of a page another area may not have built yet: "" until it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _check_in_url(slug: str, experiment: Experiment) -> str:
    """The cycles area's entry form, set to this experiment ("" while it does not exist)."""
    back = reverse("experiment-detail", args=[slug, experiment.pk])
    query = urlencode({"experiment": experiment.pk, "next": back})
    base = _optional_url("entry-create", slug, experiment.cycle_id)
    if not base:
        base = _optional_url("entry-create", slug)
        query = urlencode({"cycle": experiment.cycle_id, "experiment": experiment.pk, "next": back})
    return f"{base}?{query}" if base else ""


def _render_markdown(text: str) -> str:
    return to_html(text)


def _portfolio(request: WorkspaceRequest, cycle: Cycle | None, template: str) -> HttpResponse:
    workspace = request.workspace
    form = PortfolioFilterForm(request.GET or None, workspace=workspace, with_cycle=cycle is None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data.get("cycle")
        filters = {
            "cycle_id": chosen.pk if chosen else None,
            "status": form.cleaned_data["status"],
            "outcome": form.cleaned_data["outcome"],
        }
    if cycle is not None:
        filters["cycle_id"] = cycle.pk
    experiments = selectors.experiments_portfolio(workspace=workspace, user=request.user, **filters)
    page = Paginator(experiments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "cycle": cycle,
        "cycle_url": _optional_url("cycle-detail", workspace.slug, cycle.pk) if cycle else "",
        "form": form,
        "page": page,
        "experiments": page.object_list,
        "query": query.urlencode(),
        "can_design": cycle is not None and request_may_steer(request, cycle),
    }
    status = invalid_status(request) if form.errors else 200
    return render(request, template, context, status=status)


@workspace_view()
def experiment_list(request: WorkspaceRequest) -> HttpResponse:
    return _portfolio(request, None, "cycles/experiments/list.html")


@workspace_view()
def cycle_experiments(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(workspace=request.workspace, cycle_id=cycle_id)
    return _portfolio(request, cycle, "cycles/experiments/list.html")


def _form_page(
    request: WorkspaceRequest,
    form: ExperimentForm,
    cycle: Cycle,
    experiment: Experiment | None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "cycle": cycle, "experiment": experiment}
    return render(request, "cycles/experiments/form.html", context, status=status)


@workspace_view("cycles.manage")
def experiment_create(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    require_steer(workspace=workspace, user=request.user, cycle=cycle)
    if request.method != "POST":
        form = ExperimentForm(workspace=workspace, cycle=cycle, user=request.user)
        return _form_page(request, form, cycle, None)
    form = ExperimentForm(request.POST, workspace=workspace, cycle=cycle, user=request.user)

    @transaction.atomic  # "save and start" is all or nothing
    def create(data: dict[str, Any]) -> Experiment:
        experiment = services.experiment_create(
            workspace=workspace, cycle=cycle, created_by=request.user, design=form.design()
        )
        if "start" in request.POST:
            services.experiment_start(
                workspace=workspace, experiment=experiment, started_by=request.user
            )
        return experiment

    experiment = submit(form, create)
    if experiment is not None:
        messages.success(
            request,
            _("Experiment started.") if "start" in request.POST else _("Experiment saved."),
        )
        return redirect(
            "experiment-detail", workspace_slug=workspace.slug, experiment_id=experiment.pk
        )
    return _form_page(request, form, cycle, None, status=invalid_status(request))


@workspace_view()
def experiment_detail(request: WorkspaceRequest, experiment_id: int) -> HttpResponse:
    workspace, user = request.workspace, request.user
    experiment = access_experiment(workspace=workspace, experiment_id=experiment_id)
    versions = selectors.experiment_versions(workspace=workspace, experiment=experiment)
    check_ins = list(
        selectors.experiment_check_ins(workspace=workspace, user=user, experiments=versions)
    )
    for entry in check_ins:
        entry.html = _render_markdown(entry.text)  # type: ignore[attr-defined]
    people, others_involved = selectors.experiment_people_visible_to(
        workspace=workspace, user=user, experiment=experiment
    )
    check_in_url = ""
    if experiment.status == Experiment.Status.RUNNING and can(request.membership, "entries.create"):
        check_in_url = _check_in_url(workspace.slug, experiment)
    context = {
        "experiment": experiment,
        "cycle_url": _optional_url("cycle-detail", workspace.slug, experiment.cycle_id),
        "overdue": selectors.is_overdue_for(experiment=experiment, user=user),
        "versions": versions if len(versions) > 1 else [],
        "newer": next((v for v in versions if v.version > experiment.version), None),
        "check_ins": check_ins,
        "check_in_url": check_in_url,
        "people": people,
        "others_involved": others_involved,
        "actors": selectors.experiment_actors(workspace=workspace, experiment=experiment),
        "can_steer": request_may_steer(request, experiment.cycle),
        "adapted_in": adapted_in(workspace=workspace, experiment=experiment),
        "can_adapt": can(request.membership, "cycles.manage"),
    }
    return render(request, "cycles/experiments/detail.html", context)


@workspace_view("cycles.manage")
def experiment_edit(request: WorkspaceRequest, experiment_id: int) -> HttpResponse:
    workspace = request.workspace
    experiment = access_experiment(workspace=workspace, experiment_id=experiment_id)
    require_steer(workspace=workspace, user=request.user, cycle=experiment.cycle)
    if experiment.status == Experiment.Status.ENDED:
        messages.error(
            request,
            _("This experiment has ended, so its design stays as it was. Design a new one."),
        )
        return redirect(
            "experiment-detail", workspace_slug=workspace.slug, experiment_id=experiment.pk
        )
    if request.method != "POST":
        form = ExperimentForm(
            workspace=workspace, cycle=experiment.cycle, user=request.user, experiment=experiment
        )
        return _form_page(request, form, experiment.cycle, experiment)
    form = ExperimentForm(
        request.POST, workspace=workspace, cycle=experiment.cycle, user=request.user
    )
    was_running = experiment.status == Experiment.Status.RUNNING

    @transaction.atomic  # "save and start" is all or nothing
    def update(data: dict[str, Any]) -> Experiment:
        saved = services.experiment_update(
            workspace=workspace,
            experiment=experiment,
            editor=request.user,
            design=form.design(),
            revision=data["revision"],
        )
        if "start" in request.POST and saved.status == Experiment.Status.PLANNED:
            services.experiment_start(
                workspace=workspace, experiment=saved, started_by=request.user
            )
        return saved

    try:
        saved = submit(form, update)
    except EditConflict as error:
        conflict = error.with_yours(form.cleaned_data)
        form = ExperimentForm(
            rebind(request.POST, conflict),
            workspace=workspace,
            cycle=experiment.cycle,
            user=request.user,
        )
        context = {
            "form": form,
            "cycle": experiment.cycle,
            "experiment": experiment,
            "conflict": conflict,
        }
        return render(request, "cycles/experiments/form.html", context, status=409)
    if saved is not None:
        if was_running and saved.pk != experiment.pk:
            text = _("The design was running, so the change is version %(version)d.") % {
                "version": saved.version
            }
        elif "start" in request.POST:
            text = _("Experiment started.")
        else:
            text = _("Experiment saved.")
        messages.success(request, text)
        return redirect("experiment-detail", workspace_slug=workspace.slug, experiment_id=saved.pk)
    return _form_page(request, form, experiment.cycle, experiment, status=invalid_status(request))


@require_POST
@workspace_view("cycles.manage")
def experiment_start(request: WorkspaceRequest, experiment_id: int) -> HttpResponse:
    """Start from the experiment's page. If something is missing, the design form opens with
    the message beside the field that needs it."""
    workspace = request.workspace
    experiment = access_experiment(workspace=workspace, experiment_id=experiment_id)
    require_steer(workspace=workspace, user=request.user, cycle=experiment.cycle)
    try:
        services.experiment_start(
            workspace=workspace, experiment=experiment, started_by=request.user
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            messages.error(request, " ".join(error.messages))
            return redirect(
                "experiment-detail", workspace_slug=workspace.slug, experiment_id=experiment.pk
            )
        form = ExperimentForm(
            design_data(workspace=workspace, user=request.user, experiment=experiment),
            workspace=workspace,
            cycle=experiment.cycle,
            user=request.user,
        )
        if form.is_valid():
            add_service_error(form, error)
        return _form_page(
            request, form, experiment.cycle, experiment, status=invalid_status(request)
        )
    messages.success(request, _("Experiment started. Its design is now fixed."))
    return redirect("experiment-detail", workspace_slug=workspace.slug, experiment_id=experiment.pk)


@workspace_view("cycles.manage")
def experiment_end(request: WorkspaceRequest, experiment_id: int) -> HttpResponse:
    workspace = request.workspace
    experiment = access_experiment(workspace=workspace, experiment_id=experiment_id)
    require_steer(workspace=workspace, user=request.user, cycle=experiment.cycle)
    if experiment.status != Experiment.Status.RUNNING:
        messages.error(request, _("Only a running experiment can be ended."))
        return redirect(
            "experiment-detail", workspace_slug=workspace.slug, experiment_id=experiment.pk
        )
    form = EndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        ended = submit(
            form,
            lambda data: services.experiment_end(
                workspace=workspace, experiment=experiment, ended_by=request.user, **data
            ),
        )
        if ended is not None:
            messages.success(request, _("Experiment ended. What you learnt is kept with it."))
            return redirect(
                "experiment-detail", workspace_slug=workspace.slug, experiment_id=experiment.pk
            )
    status = invalid_status(request) if form.errors else 200
    return render(
        request,
        "cycles/experiments/end.html",
        {"experiment": experiment, "form": form},
        status=status,
    )
