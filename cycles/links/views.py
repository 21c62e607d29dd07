"""Links between cycles, learning sideways ("learnt nearby", ask a peer, copy a design) and
lineage. Thin: parse, check who may, call one service, render or redirect."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cycles.access import access_cycle, access_entry, access_experiment
from cycles.links import selectors, services
from cycles.links.forms import (
    AdaptForm,
    AskPeerForm,
    CopyDesignForm,
    EndLinkForm,
    LinkForm,
    SourceForm,
)
from cycles.models import Cycle, CycleLink, Entry, EntrySource, Experiment
from cycles.trust import request_trust, require_steer
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status

# Links ---------------------------------------------------------------------------------------


def _link_form(request: WorkspaceRequest, cycle: Cycle, data: Any = None) -> LinkForm:
    cycles = selectors.cycles_for_linking(workspace=request.workspace)
    return LinkForm(data, cycles=cycles, cycle=cycle)


def _links_page(
    request: WorkspaceRequest, cycle: Cycle, form: LinkForm | None, status: int = 200
) -> HttpResponse:
    workspace = request.workspace
    can_link = selectors.may_manage_links(
        workspace=workspace, membership=request.membership, user=request.user, cycle=cycle
    )
    if can_link and form is None:
        form = _link_form(request, cycle)
    context = {
        "cycle": cycle,
        "links": selectors.links_of(workspace=workspace, cycle=cycle),
        "form": form if can_link else None,
        "can_link": can_link,
    }
    return render(request, "cycles/links/links.html", context, status=status)


@workspace_view()
def cycle_links(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(workspace=request.workspace, cycle_id=cycle_id)
    return _links_page(request, cycle, None)


@require_POST
@workspace_view("cycles.manage")
def link_add(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    if not selectors.may_manage_links(
        workspace=workspace, membership=request.membership, user=request.user, cycle=cycle
    ):
        raise PermissionDenied
    form = _link_form(request, cycle, request.POST)
    link = submit(
        form,
        lambda data: services.link_add(
            workspace=workspace, cycle=cycle, created_by=request.user, **data
        ),
    )
    if link is not None:
        messages.success(request, _("Linked with “%(other)s”.") % {"other": link.other.name})
        return redirect("cycle-links", workspace.slug, cycle.pk)
    return _links_page(request, cycle, form, status=invalid_status(request))


def _access_link(request: WorkspaceRequest, cycle_link_id: int) -> CycleLink:
    return get_object_or_404(
        CycleLink.objects.select_related("cycle__system__scale", "other__system__scale"),
        workspace=request.workspace,
        pk=cycle_link_id,
    )


@workspace_view("cycles.manage")
def link_end(request: WorkspaceRequest, cycle_link_id: int) -> HttpResponse:
    workspace = request.workspace
    link = _access_link(request, cycle_link_id)
    if not selectors.may_end_link(
        workspace=workspace, membership=request.membership, user=request.user, link=link
    ):
        raise PermissionDenied
    back = link.cycle_id
    if (from_cycle := request.GET.get("from", "")) and from_cycle == str(link.other_id):
        back = link.other_id
    form = EndLinkForm(request.POST or None)
    if request.method == "POST":
        ended = submit(
            form,
            lambda data: services.link_end(
                workspace=workspace, link=link, ended_by=request.user, **data
            ),
        )
        if ended is not None:
            messages.success(request, _("The link has ended. It stays in the history."))
            return redirect("cycle-links", workspace.slug, back)
    status = invalid_status(request) if request.method == "POST" else 200
    context = {"link": link, "form": form, "back": back}
    return render(request, "cycles/links/end.html", context, status=status)


# Learning sideways ---------------------------------------------------------------------------


def _about(
    request: WorkspaceRequest, cycle: Cycle, entry_id: int | None, experiment_id: int | None
) -> tuple[Entry | None, Experiment | None]:
    """What the question is about: one of the peers' entries or experiments that this panel
    shows (404 for anything else)."""
    workspace = request.workspace
    if entry_id is not None:
        entries = selectors.nearby_entries(workspace=workspace, user=request.user, cycle=cycle)
        return get_object_or_404(entries, pk=entry_id), None
    if experiment_id is not None:
        experiments = selectors.peer_experiments(workspace=workspace, cycle=cycle)
        return None, get_object_or_404(experiments, pk=experiment_id)
    raise Http404


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@workspace_view("entries.create")
def ask_peer(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    source = request.POST if request.method == "POST" else request.GET
    entry_id, experiment_id = _int(source.get("entry")), _int(source.get("experiment"))
    if entry_id is None and experiment_id is None:
        messages.info(request, _("Choose what to ask about under “Learnt nearby”."))
        return redirect("cycle-detail", workspace.slug, cycle.pk)
    entry, experiment = _about(request, cycle, entry_id, experiment_id)
    peer = entry.cycle if entry is not None else experiment.cycle  # type: ignore[union-attr]
    form = AskPeerForm(
        request.POST or None, initial={"entry": entry_id, "experiment": experiment_id}
    )
    if request.method == "POST":
        asked = submit(
            form,
            lambda data: services.ask_peer(
                workspace=workspace,
                asked_from=cycle,
                asked_by=request.user,
                peer=peer,
                text=data["text"],
                about_entry=entry,
                about_experiment=experiment,
            ),
        )
        if asked is not None:
            messages.success(
                request,
                _("Your question went to “%(peer)s”. Their answer will come back to you.")
                % {"peer": peer.name},
            )
            return redirect("cycle-detail", workspace.slug, cycle.pk)
    status = invalid_status(request) if request.method == "POST" else 200
    context = {
        "cycle": cycle,
        "peer": peer,
        "about_entry": entry,
        "about_experiment": experiment,
        "form": form,
    }
    return render(request, "cycles/links/ask_peer.html", context, status=status)


def _copied(request: WorkspaceRequest, source: Experiment, copy: Experiment) -> HttpResponse:
    messages.success(
        request,
        _(
            "Adapted from “%(experiment)s” in %(cycle)s. Change what does not fit here, "
            "and write what you expect to happen before you start."
        )
        % {"experiment": source.title, "cycle": request_trust(request).cycle_name(source.cycle)},
    )
    return redirect("experiment-edit", request.workspace.slug, copy.pk)


@workspace_view("cycles.manage")
def copy_design(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    """Start from another cycle's design into this cycle: only for those inside it."""
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    require_steer(workspace=workspace, user=request.user, cycle=cycle)
    experiments = selectors.experiments_to_copy(workspace=workspace, cycle=cycle)
    initial = {"experiment": _int(request.GET.get("experiment"))}
    form = CopyDesignForm(
        request.POST or None,
        experiments=experiments,
        trust=request_trust(request),
        initial=initial,
    )
    if request.method == "POST":
        copy = submit(
            form,
            lambda data: services.copy_design(
                workspace=workspace, cycle=cycle, source=data["experiment"], copied_by=request.user
            ),
        )
        if copy is not None:
            return _copied(request, form.cleaned_data["experiment"], copy)
    status = invalid_status(request) if request.method == "POST" else 200
    return render(
        request, "cycles/links/copy_design.html", {"cycle": cycle, "form": form}, status=status
    )


@workspace_view("cycles.manage")
def experiment_adapt(request: WorkspaceRequest, experiment_id: int) -> HttpResponse:
    """From an experiment's page: start from its design in one of the cycles the member is
    inside (a pull: never into anyone else's cycle)."""
    workspace = request.workspace
    source = access_experiment(workspace=workspace, experiment_id=experiment_id)
    cycles = selectors.cycles_to_adapt_into(workspace=workspace, user=request.user, source=source)
    form = AdaptForm(request.POST or None, cycles=cycles, trust=request_trust(request))
    if request.method == "POST":
        copy = submit(
            form,
            lambda data: services.copy_design(
                workspace=workspace, source=source, copied_by=request.user, **data
            ),
        )
        if copy is not None:
            return _copied(request, source, copy)
    status = invalid_status(request) if request.method == "POST" else 200
    context = {"experiment": source, "form": form, "has_cycles": cycles.exists()}
    return render(request, "cycles/links/adapt.html", context, status=status)


# Lineage -------------------------------------------------------------------------------------


def _lineage_page(
    request: WorkspaceRequest, entry: Entry, form: SourceForm | None, status: int = 200
) -> HttpResponse:
    workspace, user = request.workspace, request.user
    can_edit = selectors.may_edit_lineage(
        workspace=workspace, membership=request.membership, user=user, entry=entry
    )
    if can_edit and form is None:
        form = _source_form(request, entry)
    context = {
        "entry": entry,
        "came_from": selectors.came_from(workspace=workspace, user=user, entry=entry),
        "went_to": selectors.went_to(workspace=workspace, user=user, entry=entry),
        "can_edit": can_edit,
        "form": form if can_edit else None,
    }
    return render(request, "cycles/links/lineage.html", context, status=status)


def _source_form(request: WorkspaceRequest, entry: Entry, data: Any = None) -> SourceForm:
    workspace = request.workspace
    return SourceForm(
        data,
        entries=selectors.source_entry_candidates(
            workspace=workspace, user=request.user, entry=entry
        ),
        experiments=selectors.source_experiment_candidates(workspace=workspace, entry=entry),
    )


def _access_entry(request: WorkspaceRequest, entry_id: int) -> Entry:
    entry = access_entry(workspace=request.workspace, user=request.user, entry_id=entry_id)
    return entry


@workspace_view()
def entry_lineage(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    entry = _access_entry(request, entry_id)
    return _lineage_page(request, entry, None)


@require_POST
@workspace_view()
def source_add(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    workspace = request.workspace
    entry = _access_entry(request, entry_id)
    if not selectors.may_edit_lineage(
        workspace=workspace, membership=request.membership, user=request.user, entry=entry
    ):
        raise PermissionDenied
    form = _source_form(request, entry, request.POST)

    @transaction.atomic  # both sources, or neither
    def add(data: dict[str, Any]) -> list[EntrySource]:
        return [
            services.source_add(
                workspace=workspace, entry=entry, added_by=request.user, **{name: data[name]}
            )
            for name in ("source_entry", "source_experiment")
            if data.get(name) is not None
        ]

    if submit(form, add) is not None:
        messages.success(request, _("Source added."))
        return redirect("entry-lineage", workspace.slug, entry.pk)
    return _lineage_page(request, entry, form, status=invalid_status(request))


@require_POST
@workspace_view()
def source_remove(request: WorkspaceRequest, entry_source_id: int) -> HttpResponse:
    workspace = request.workspace
    source = get_object_or_404(EntrySource, workspace=workspace, pk=entry_source_id)
    entry = _access_entry(request, source.entry_id)
    if not selectors.may_edit_lineage(
        workspace=workspace, membership=request.membership, user=request.user, entry=entry
    ):
        raise PermissionDenied
    services.source_remove(workspace=workspace, source=source)
    messages.success(request, _("Source removed."))
    return redirect("entry-lineage", workspace.slug, entry.pk)
