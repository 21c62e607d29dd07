"""Scales, systems of interest and their maps: thin views over systems.services/selectors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hls.conflicts import EditConflict, rebind
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.permissions import can
from systems import selectors, services
from systems.access import (
    access_actor,
    access_factor,
    access_relationship,
    access_scale,
    access_snapshot,
    access_system,
)
from systems.forms import (
    ActorEditForm,
    ActorForm,
    FactorEditForm,
    FactorForm,
    RelationshipEditForm,
    RelationshipForm,
    ScaleForm,
    SnapshotForm,
    SystemForm,
    relationship_initial,
    system_initial,
)
from systems.models import MapSnapshot, Relationship, System


def _context(request: WorkspaceRequest, **extra: Any) -> dict[str, Any]:
    return {
        "section": "systems",
        "can_manage_systems": can(request.membership, "systems.manage"),
        "can_manage_scales": can(request.membership, "scales.manage"),
        **extra,
    }


# Scales ----------------------------------------------------------------------------------------


def _scales_page(
    request: WorkspaceRequest,
    *,
    add_form: ScaleForm | None = None,
    failed: tuple[int, ScaleForm] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    workspace = request.workspace
    services.scales_ensure_defaults(workspace=workspace)
    scales = list(selectors.scales_of(workspace=workspace))
    rows = [
        (
            scale,
            failed[1]
            if failed and failed[0] == scale.pk
            else ScaleForm(initial={"name": scale.name}, prefix=f"scale-{scale.pk}"),
        )
        for scale in scales
    ]
    context = _context(
        request,
        rows=rows,
        in_use=selectors.scales_in_use(workspace=workspace),
        add_form=add_form or ScaleForm(prefix="new"),
        error=error,
    )
    return render(request, "systems/scales.html", context, status=status)


@workspace_view()
def scales(request: WorkspaceRequest) -> HttpResponse:
    return _scales_page(request)


@require_POST
@workspace_view("scales.manage")
def scale_add(request: WorkspaceRequest) -> HttpResponse:
    form = ScaleForm(request.POST, prefix="new")
    scale = submit(form, lambda data: services.scale_create(workspace=request.workspace, **data))
    if scale is not None:
        messages.success(request, _("“%(name)s” was added.") % {"name": scale.name})
        return redirect("scales", workspace_slug=request.workspace.slug)
    return _scales_page(request, add_form=form, status=invalid_status(request))


@require_POST
@workspace_view("scales.manage")
def scale_rename(request: WorkspaceRequest, scale_id: int) -> HttpResponse:
    scale = access_scale(workspace=request.workspace, scale_id=scale_id)
    form = ScaleForm(request.POST, prefix=f"scale-{scale.pk}")
    renamed = submit(
        form,
        lambda data: services.scale_rename(workspace=request.workspace, scale=scale, **data),
    )
    if renamed is not None:
        messages.success(request, _("Renamed to “%(name)s”.") % {"name": scale.name})
        return redirect("scales", workspace_slug=request.workspace.slug)
    return _scales_page(request, failed=(scale.pk, form), status=invalid_status(request))


@require_POST
@workspace_view("scales.manage")
def scale_move(request: WorkspaceRequest, scale_id: int) -> HttpResponse:
    scale = access_scale(workspace=request.workspace, scale_id=scale_id)
    up = request.POST.get("direction") == "up"
    services.scale_move(workspace=request.workspace, scale=scale, direction="up" if up else "down")
    return redirect(reverse("scales", args=[request.workspace.slug]) + f"#scale-{scale.pk}")


@require_POST
@workspace_view("scales.manage")
def scale_delete(request: WorkspaceRequest, scale_id: int) -> HttpResponse:
    scale = access_scale(workspace=request.workspace, scale_id=scale_id)
    try:
        services.scale_delete(workspace=request.workspace, scale=scale)
    except ValidationError as error:
        return _scales_page(request, error=" ".join(error.messages), status=invalid_status(request))
    messages.success(request, _("“%(name)s” was removed.") % {"name": scale.name})
    return redirect("scales", workspace_slug=request.workspace.slug)


# Systems ---------------------------------------------------------------------------------------


@workspace_view()
def systems(request: WorkspaceRequest) -> HttpResponse:
    services.scales_ensure_defaults(workspace=request.workspace)
    tree = selectors.systems_tree(workspace=request.workspace)
    return render(request, "systems/system_list.html", _context(request, tree=tree))


@workspace_view("systems.manage")
def system_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    services.scales_ensure_defaults(workspace=workspace)
    form = SystemForm(request.POST or None, workspace=workspace)
    if request.method == "POST":
        system = submit(
            form,
            lambda data: services.system_create(
                workspace=workspace, created_by=request.user, data=form.to_input()
            ),
        )
        if system is not None:
            messages.success(request, _("“%(name)s” was created.") % {"name": system.name})
            return redirect("system-detail", workspace.slug, system.pk)
        return render(
            request,
            "systems/system_form.html",
            _context(request, form=form),
            status=invalid_status(request),
        )
    return render(request, "systems/system_form.html", _context(request, form=form))


@workspace_view()
def system_detail(request: WorkspaceRequest, system_id: int) -> HttpResponse:
    workspace = request.workspace
    access_system(workspace=workspace, system_id=system_id)
    system = selectors.system_with_people(workspace=workspace, system_id=system_id)
    worked_in = selectors.request_systems_worked_in(request)
    names_shown = selectors.system_name_for(system, worked_in=worked_in) == system.name
    context = _context(
        request,
        system=system,
        history=selectors.system_history_lines(
            workspace=workspace, system=system, names_shown=names_shown
        ),
    )
    return render(request, "systems/system_detail.html", context)


@workspace_view("systems.manage")
def system_edit(request: WorkspaceRequest, system_id: int) -> HttpResponse:
    workspace = request.workspace
    access_system(workspace=workspace, system_id=system_id)
    system = selectors.system_with_people(workspace=workspace, system_id=system_id)
    form = SystemForm(
        request.POST or None, workspace=workspace, system=system, initial=system_initial(system)
    )
    if request.method == "POST":

        def save(data: dict[str, Any]) -> str:
            change = services.system_update(
                workspace=workspace,
                system=system,
                changed_by=request.user,
                data=form.to_input(),
                reason=data.get("reason", ""),
                revision=data.get("revision"),
            )
            return _("Saved.") if change else _("Nothing had changed: nothing was saved.")

        try:
            said = submit(form, save)
        except EditConflict as error:
            conflict = error.with_yours(form.cleaned_data)
            form = SystemForm(rebind(request.POST, conflict), workspace=workspace, system=system)
            context = _context(request, form=form, system=system, conflict=conflict)
            return render(request, "systems/system_form.html", context, status=409)
        if said is not None:
            messages.success(request, said)
            return redirect("system-detail", workspace.slug, system.pk)
        return render(
            request,
            "systems/system_form.html",
            _context(request, form=form, system=system),
            status=invalid_status(request),
        )
    return render(request, "systems/system_form.html", _context(request, form=form, system=system))


# The map ---------------------------------------------------------------------------------------

MAP_PAGES = {"list": "systems/map_list.html", "draw": "systems/map_draw.html"}


def _map_page(
    request: WorkspaceRequest,
    system: System,
    *,
    page: str = "list",
    forms: dict[str, Any] | None = None,
    status: int = 200,
    note: str = "",
) -> HttpResponse:
    workspace = request.workspace
    the_map = selectors.system_map(workspace=workspace, system=system)
    forms = forms or {}
    context = _context(
        request,
        system=system,
        map=the_map,
        map_data=selectors.map_as_data(the_map),
        actor_form=forms.get("actor") or ActorForm(prefix="actor"),
        factor_form=forms.get("factor") or FactorForm(prefix="factor"),
        link_form=forms.get("link")
        or RelationshipForm(prefix="link", actors=the_map.actors, factors=the_map.factors),
        page=page,
        note=note,
    )
    template = MAP_PAGES.get(page, MAP_PAGES["list"])
    if request.htmx and page == "draw":
        template += "#map-panel"
    return render(request, template, context, status=status)


def _page(request: WorkspaceRequest) -> str:
    return "draw" if request.POST.get("page") == "draw" else "list"


def _done(request: WorkspaceRequest, system: System, text: str) -> HttpResponse:
    page = _page(request)
    if request.htmx and page == "draw":
        return _map_page(request, system, page=page, note=text)
    messages.success(request, text)
    name = "system-map-draw" if page == "draw" else "system-map"
    return redirect(name, request.workspace.slug, system.pk)


@workspace_view()
def system_map(request: WorkspaceRequest, system_id: int) -> HttpResponse:
    system = access_system(workspace=request.workspace, system_id=system_id)
    return _map_page(request, system)


@workspace_view()
def system_map_draw(request: WorkspaceRequest, system_id: int) -> HttpResponse:
    system = access_system(workspace=request.workspace, system_id=system_id)
    return _map_page(request, system, page="draw")


@require_POST
@workspace_view("systems.manage")
def actor_add(request: WorkspaceRequest, system_id: int) -> HttpResponse:
    system = access_system(workspace=request.workspace, system_id=system_id)
    form = ActorForm(request.POST, prefix="actor")
    actor = submit(
        form,
        lambda data: services.actor_create(workspace=request.workspace, system=system, **data),
    )
    if actor is not None:
        return _done(request, system, _("“%(name)s” was added.") % {"name": actor.name})
    return _map_page(
        request, system, page=_page(request), forms={"actor": form}, status=invalid_status(request)
    )


@require_POST
@workspace_view("systems.manage")
def factor_add(request: WorkspaceRequest, system_id: int) -> HttpResponse:
    system = access_system(workspace=request.workspace, system_id=system_id)
    form = FactorForm(request.POST, prefix="factor")
    factor = submit(
        form,
        lambda data: services.factor_create(workspace=request.workspace, system=system, **data),
    )
    if factor is not None:
        return _done(request, system, _("“%(name)s” was added.") % {"name": factor.name})
    return _map_page(
        request, system, page=_page(request), forms={"factor": form}, status=invalid_status(request)
    )


def _link_form(
    request: WorkspaceRequest,
    system: System,
    *,
    prefix: str = "link",
    data: QueryDict | None = None,
    form_class: type[RelationshipForm] = RelationshipForm,
    **kwargs: Any,
) -> RelationshipForm:
    the_map = selectors.system_map(workspace=request.workspace, system=system)
    if data is None and request.method == "POST":
        data = request.POST
    return form_class(
        data,
        prefix=prefix,
        actors=the_map.actors,
        factors=the_map.factors,
        **kwargs,
    )


def _nodes(form: RelationshipForm) -> dict[str, Any]:
    source = services.parse_node(form.cleaned_data["source"])
    target = services.parse_node(form.cleaned_data["target"])
    assert source is not None
    assert target is not None
    return {
        "source": source,
        "target": target,
        "sign": form.cleaned_data["sign"],
        "label": form.cleaned_data["label"],
    }


@require_POST
@workspace_view("systems.manage")
def relationship_add(request: WorkspaceRequest, system_id: int) -> HttpResponse:
    system = access_system(workspace=request.workspace, system_id=system_id)
    form = _link_form(request, system)
    link = submit(
        form,
        lambda data: services.relationship_create(
            workspace=request.workspace, system=system, **_nodes(form)
        ),
    )
    if link is not None:
        return _done(request, system, _("The link was added."))
    return _map_page(
        request, system, page=_page(request), forms={"link": form}, status=invalid_status(request)
    )


def _edit_page(
    request: WorkspaceRequest,
    system: System,
    form: Any,
    title: str,
    status: int = 200,
    conflict: EditConflict | None = None,
) -> HttpResponse:
    context = _context(request, system=system, form=form, title=title, conflict=conflict)
    return render(request, "systems/node_edit.html", context, status=status)


def _save_node(
    request: WorkspaceRequest,
    system: System,
    form: Any,
    title: str,
    update: Callable[[dict[str, Any]], object],
    rebuild: Callable[[QueryDict], Any] | None = None,
    shown: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> HttpResponse:
    """The edit page of a map node or link: a POST is submitted to `update` (hls/forms.py),
    then back to the map; otherwise the form again, with the service's errors beside the
    fields. On a stale save, `rebuild` makes the form again from the kept data and `shown`
    words this editor's values as the page shows theirs (by default the form's class and its
    cleaned data)."""
    if request.method == "POST":
        try:
            saved = submit(form, update)
        except EditConflict as error:
            # Theirs beside this editor's, who keeps their text (hls/conflicts.py).
            data = form.cleaned_data
            conflict = error.with_yours(shown(data) if shown else data)
            kept = rebind(request.POST, conflict)
            form = rebuild(kept) if rebuild else type(form)(kept)
            return _edit_page(request, system, form, title, status=409, conflict=conflict)
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("system-map", request.workspace.slug, system.pk)
        return _edit_page(request, system, form, title, status=invalid_status(request))
    return _edit_page(request, system, form, title)


@workspace_view("systems.manage")
def actor_edit(request: WorkspaceRequest, actor_id: int) -> HttpResponse:
    workspace = request.workspace
    actor = access_actor(workspace=workspace, actor_id=actor_id)
    system = access_system(workspace=workspace, system_id=actor.system_id)
    fields = ("name", "kind", "role", "participation", "revision")
    initial = {f: getattr(actor, f) for f in fields}
    form = ActorEditForm(request.POST or None, initial=initial)
    title = _("Edit actor “%(name)s”") % {"name": actor.name}
    return _save_node(
        request,
        system,
        form,
        title,
        lambda data: services.actor_update(workspace=workspace, actor=actor, **data),
    )


@workspace_view("systems.manage")
def factor_edit(request: WorkspaceRequest, factor_id: int) -> HttpResponse:
    workspace = request.workspace
    factor = access_factor(workspace=workspace, factor_id=factor_id)
    system = access_system(workspace=workspace, system_id=factor.system_id)
    initial = {"name": factor.name, "description": factor.description, "revision": factor.revision}
    form = FactorEditForm(request.POST or None, initial=initial)
    title = _("Edit factor “%(name)s”") % {"name": factor.name}
    return _save_node(
        request,
        system,
        form,
        title,
        lambda data: services.factor_update(workspace=workspace, factor=factor, **data),
    )


@workspace_view("systems.manage")
def relationship_edit(request: WorkspaceRequest, relationship_id: int) -> HttpResponse:
    workspace = request.workspace
    relationship = access_relationship(workspace=workspace, relationship_id=relationship_id)
    system = access_system(workspace=workspace, system_id=relationship.system_id)
    form = _link_form(
        request,
        system,
        prefix="",
        form_class=RelationshipEditForm,
        initial=relationship_initial(relationship),
    )
    title = _("Edit link")

    def shown(data: dict[str, Any]) -> dict[str, Any]:
        """The ends by name and the sign in words, as the conflict shows theirs."""
        names = dict(form.node_choices())
        signs = dict(Relationship.Sign.choices)
        return {
            **data,
            "source": names.get(data["source"], ""),
            "target": names.get(data["target"], ""),
            "sign": signs.get(data["sign"], ""),
        }

    return _save_node(
        request,
        system,
        form,
        title,
        lambda data: services.relationship_update(
            workspace=workspace,
            relationship=relationship,
            revision=data.get("revision"),
            **_nodes(form),
        ),
        rebuild=lambda kept: _link_form(
            request, system, prefix="", data=kept, form_class=RelationshipEditForm
        ),
        shown=shown,
    )


@require_POST
@workspace_view("systems.manage")
def actor_delete(request: WorkspaceRequest, actor_id: int) -> HttpResponse:
    actor = access_actor(workspace=request.workspace, actor_id=actor_id)
    system = access_system(workspace=request.workspace, system_id=actor.system_id)
    services.actor_delete(workspace=request.workspace, actor=actor)
    return _done(
        request, system, _("“%(name)s” and its links were removed.") % {"name": actor.name}
    )


@require_POST
@workspace_view("systems.manage")
def factor_delete(request: WorkspaceRequest, factor_id: int) -> HttpResponse:
    factor = access_factor(workspace=request.workspace, factor_id=factor_id)
    system = access_system(workspace=request.workspace, system_id=factor.system_id)
    services.factor_delete(workspace=request.workspace, factor=factor)
    return _done(
        request, system, _("“%(name)s” and its links were removed.") % {"name": factor.name}
    )


@require_POST
@workspace_view("systems.manage")
def relationship_delete(request: WorkspaceRequest, relationship_id: int) -> HttpResponse:
    relationship = access_relationship(workspace=request.workspace, relationship_id=relationship_id)
    system = access_system(workspace=request.workspace, system_id=relationship.system_id)
    services.relationship_delete(workspace=request.workspace, relationship=relationship)
    return _done(request, system, _("The link was removed."))


# Snapshots -------------------------------------------------------------------------------------


def _snapshots_page(
    request: WorkspaceRequest, system: System, form: SnapshotForm | None = None, status: int = 200
) -> HttpResponse:
    context = _context(
        request,
        system=system,
        snapshots=selectors.snapshots_of(workspace=request.workspace, system=system),
        form=form or SnapshotForm(),
    )
    return render(request, "systems/snapshots.html", context, status=status)


@workspace_view()
def snapshots(request: WorkspaceRequest, system_id: int) -> HttpResponse:
    system = access_system(workspace=request.workspace, system_id=system_id)
    return _snapshots_page(request, system)


@require_POST
@workspace_view("systems.manage")
def snapshot_take(request: WorkspaceRequest, system_id: int) -> HttpResponse:
    system = access_system(workspace=request.workspace, system_id=system_id)
    form = SnapshotForm(request.POST)
    snapshot = submit(
        form,
        lambda data: services.snapshot_take(
            workspace=request.workspace, system=system, taken_by=request.user, **data
        ),
    )
    if snapshot is not None:
        messages.success(request, _("Snapshot taken."))
        return redirect("snapshots", request.workspace.slug, system.pk)
    return _snapshots_page(request, system, form, status=invalid_status(request))


@workspace_view()
def snapshot_compare(request: WorkspaceRequest, snapshot_id: int) -> HttpResponse:
    """A snapshot against the map now, or (?with=<id>) against a later snapshot."""
    workspace = request.workspace
    snapshot = access_snapshot(workspace=workspace, snapshot_id=snapshot_id)
    system = access_system(workspace=workspace, system_id=snapshot.system_id)
    other: MapSnapshot | None = None
    other_id = request.GET.get("with", "")
    if other_id.isdigit():
        other = (
            MapSnapshot.objects.filter(workspace=workspace, system=system, pk=int(other_id))
            .select_related("taken_by")
            .first()
        )
    after = other.data if other else selectors.map_data(workspace=workspace, system=system)
    context = _context(
        request,
        system=system,
        snapshot=snapshot,
        other=other,
        diff=selectors.map_diff(snapshot.data, after),
        choices=selectors.snapshots_of(workspace=workspace, system=system).exclude(pk=snapshot.pk),
    )
    return render(request, "systems/snapshot_compare.html", context)
