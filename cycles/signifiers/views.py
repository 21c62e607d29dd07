"""Signifier sets, a cycle's attached set, placing a story, and the placed stories of a cycle.
Thin: parse, call one service or selector, render or redirect.

Who may do what (no new capability): every member reads sets and a cycle's placements (each
placement as widely as its story); writing sets is `themes.manage` (they are the workspace's
shared way of reading stories, like its themes); attaching a set to a cycle is `cycles.manage`
and being inside the cycle (the service); placing a story is `entries.create` and being its
author (the service)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cycles.access import access_cycle, access_entry
from cycles.models import Cycle, Entry, SignifierSet, Theme
from cycles.patterns import selectors as pattern_selectors
from cycles.patterns.selectors import PatternFilter, below_ids
from cycles.services import entry_check_author
from cycles.signifiers import selectors, services, svg
from cycles.signifiers.access import access_signifier_set
from cycles.signifiers.definition import Definition
from cycles.signifiers.forms import (
    EXAMPLE,
    AttachForm,
    PlacementFilterForm,
    PlacementForm,
    SignifierSetForm,
    definition_text,
)
from cycles.trust import request_may_steer
from hls.conflicts import EditConflict, rebind
from hls.forms import act, submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.permissions import can
from systems.selectors import request_systems_worked_in, scales_of

MANAGE = "themes.manage"


def _safe_next(request: WorkspaceRequest, value: str | None) -> str | None:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def story_url(slug: str, entry_id: int, cycle_id: int, happened_on: Any) -> str:
    """A story in its timeline: the day's stories, so it is on the first page."""
    day = happened_on.isoformat()
    query = urlencode({"kind": Entry.Kind.STORY, "date_from": day, "date_to": day})
    return f"{reverse('cycle-timeline', args=[slug, cycle_id])}?{query}#entry-{entry_id}"


# Sets --------------------------------------------------------------------------------------------


@workspace_view()
def set_list(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    sets = list(selectors.sets_of(workspace=workspace, archived=None))
    return render(
        request,
        "cycles/signifiers/sets.html",
        {
            "current": [s for s in sets if not s.archived],
            "archived": [s for s in sets if s.archived],
            "can_manage": can(request.membership, MANAGE),
        },
    )


def _placed_notes(request: WorkspaceRequest, signifier_set: SignifierSet) -> list[str]:
    placed = selectors.placed_by_version(workspace=request.workspace, signifier_set=signifier_set)
    return [
        ngettext(
            "%(n)s story is placed on version %(v)s; it keeps it.",
            "%(n)s stories are placed on version %(v)s; they keep it.",
            count,
        )
        % {"n": count, "v": version}
        for version, count in sorted(placed.items())
    ]


@workspace_view()
def set_detail(request: WorkspaceRequest, signifier_set_id: int) -> HttpResponse:
    workspace = request.workspace
    signifier_set = access_signifier_set(workspace=workspace, signifier_set_id=signifier_set_id)
    placed = selectors.placed_by_version(workspace=workspace, signifier_set=signifier_set)
    versions = [
        {"version": v, "definition": selectors.definition_of(v), "placed": placed.get(v.version, 0)}
        for v in selectors.versions_of(workspace=workspace, signifier_set=signifier_set)
    ]
    return render(
        request,
        "cycles/signifiers/set_detail.html",
        {
            "set": signifier_set,
            "versions": versions,
            "can_manage": can(request.membership, MANAGE),
        },
    )


@workspace_view(MANAGE)
def set_new(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    form = SignifierSetForm(
        request.POST or None, initial={"revision": 0, "definition": definition_text(EXAMPLE)}
    )
    if request.method == "POST":
        created = submit(
            form,
            lambda data: services.signifier_set_create(
                workspace=workspace,
                user=request.user,
                name=data["name"],
                description=data["description"],
                definition=data["definition"],
            ),
        )
        if created is not None:
            messages.success(request, _("Signifier set saved (version 1)."))
            return redirect("signifier-set", workspace.slug, created.pk)
    status = invalid_status(request) if request.method == "POST" else 200
    return render(
        request, "cycles/signifiers/set_form.html", {"form": form, "set": None}, status=status
    )


@workspace_view(MANAGE)
def set_edit(request: WorkspaceRequest, signifier_set_id: int) -> HttpResponse:
    workspace = request.workspace
    signifier_set = access_signifier_set(workspace=workspace, signifier_set_id=signifier_set_id)
    notes = _placed_notes(request, signifier_set)
    form = SignifierSetForm(
        request.POST or None,
        initial={
            "revision": signifier_set.revision,
            "name": signifier_set.name,
            "description": signifier_set.description,
            "definition": definition_text(signifier_set.definition),
        },
    )
    conflict: EditConflict | None = None
    if request.method == "POST":
        before = signifier_set.version
        try:
            saved = submit(
                form,
                lambda data: services.signifier_set_update(
                    workspace=workspace,
                    signifier_set=signifier_set,
                    user=request.user,
                    name=data["name"],
                    description=data["description"],
                    definition=data["definition"],
                    revision=data["revision"],
                ),
            )
        except EditConflict as error:
            conflict = error.with_yours(
                {**form.cleaned_data, "definition": request.POST.get("definition", "")}
            )
            form = SignifierSetForm(rebind(request.POST, conflict))
        else:
            if saved is not None:
                if saved.version != before:
                    said = _("Saved as version %(v)s.") % {"v": saved.version}
                    messages.success(request, " ".join([said, *notes]))
                else:
                    messages.success(request, _("Saved. The signifiers are unchanged."))
                return redirect("signifier-set", workspace.slug, signifier_set.pk)
    status = 409 if conflict else invalid_status(request) if request.method == "POST" else 200
    return render(
        request,
        "cycles/signifiers/set_form.html",
        {"form": form, "set": signifier_set, "notes": notes, "conflict": conflict},
        status=status,
    )


@require_POST
@workspace_view(MANAGE)
def set_archive(request: WorkspaceRequest, signifier_set_id: int) -> HttpResponse:
    workspace = request.workspace
    signifier_set = access_signifier_set(workspace=workspace, signifier_set_id=signifier_set_id)
    archived = request.POST.get("archived", "1") != "0"
    services.signifier_set_set_archived(
        workspace=workspace, signifier_set=signifier_set, archived=archived
    )
    messages.success(
        request,
        _("Archived: no longer offered to cycles. Its versions and placements stay.")
        if archived
        else _("Offered to cycles again."),
    )
    return redirect("signifier-set", workspace.slug, signifier_set.pk)


# A cycle's set -----------------------------------------------------------------------------------


@workspace_view()
def cycle_signifiers(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    """The set a cycle's story capture offers; those inside the cycle change it (POST)."""
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    attached = selectors.attached_to(workspace=workspace, cycle_id=cycle.pk)
    sets = selectors.sets_of(workspace=workspace)
    form = AttachForm(
        request.POST or None,
        sets=sets,
        initial={"signifier_set": attached.signifier_set_id if attached else None},
    )
    status = 200
    if request.method == "POST":
        if not can(request.membership, "cycles.manage"):
            raise PermissionDenied

        def change(data: dict[str, Any]) -> Cycle | Any:
            chosen = data["signifier_set"]
            if chosen is None:
                return services.cycle_signifiers_detach(
                    workspace=workspace, cycle=cycle, user=request.user
                )
            return services.cycle_signifiers_attach(
                workspace=workspace, cycle=cycle, user=request.user, signifier_set=chosen
            )

        done = submit(form, change)
        if done is not None:
            if form.cleaned_data["signifier_set"] is None:
                messages.success(request, _("Story capture no longer offers signifiers."))
            else:
                messages.success(
                    request,
                    _("When a story is saved in this cycle, its teller is offered “%(name)s”.")
                    % {"name": form.cleaned_data["signifier_set"].name},
                )
            return redirect("cycle-signifiers", workspace.slug, cycle.pk)
        status = invalid_status(request)
    return render(
        request,
        "cycles/signifiers/cycle.html",
        {
            "cycle": cycle,
            "attached": attached,
            "form": form,
            "may_steer": request_may_steer(request, cycle),
        },
        status=status,
    )


# Placing a story -------------------------------------------------------------------------------


@workspace_view("entries.create")
def entry_place(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    """The storyteller places their own story on its cycle's signifiers (after saving it, or
    later). A placed story keeps the version it was placed on."""
    workspace = request.workspace
    entry = access_entry(workspace=workspace, user=request.user, entry_id=entry_id)
    entry_check_author(entry=entry, user=request.user)
    source = request.POST if request.method == "POST" else request.GET
    after = _safe_next(request, source.get("next")) or story_url(
        workspace.slug, entry.pk, entry.cycle_id, entry.happened_on
    )
    placement = selectors.placement_of(workspace=workspace, entry=entry)
    version = services.version_to_place_on(workspace=workspace, entry=entry)
    definition = selectors.definition_of(version) if version is not None else None
    context: dict[str, Any] = {
        "entry": entry,
        "placement": placement,
        "version": version,
        "next": after,
        "shape": svg.triangle(),
    }
    if entry.kind != Entry.Kind.STORY or definition is None:
        return render(request, "cycles/signifiers/place.html", context)
    person = str(entry.person) if entry.person_id else ""
    initial = _initial(definition, placement.data if placement else {})
    initial["revision"] = placement.revision if placement else 0
    if placement is not None:
        initial["with_person"] = placement.with_person
    form = PlacementForm(
        request.POST or None, definition=definition, person=person, initial=initial
    )
    conflict: EditConflict | None = None
    if request.method == "POST":
        if "remove" in request.POST and placement is not None:
            act(
                request,
                lambda: services.placement_remove(
                    workspace=workspace, entry=entry, user=request.user
                ),
            )
            messages.success(request, _("Your placement is taken back; the story stays."))
            return HttpResponseRedirect(after)
        try:
            saved = submit(
                form,
                lambda data: services.placement_save(
                    workspace=workspace,
                    entry=entry,
                    user=request.user,
                    data=data["data"],
                    with_person=data["with_person"],
                    revision=data["revision"] or None,
                ),
                fields=form.service_fields(),
            )
        except EditConflict as error:
            conflict = error.with_yours({"data": form.cleaned_data.get("data", "")})
            form = PlacementForm(
                rebind(request.POST, conflict), definition=definition, person=person
            )
        else:
            if saved is not None:
                messages.success(request, _("Your story is placed."))
                return HttpResponseRedirect(after)
    context.update({"form": form, "groups": form.groups(), "conflict": conflict})
    status = 409 if conflict else invalid_status(request) if request.method == "POST" else 200
    return render(request, "cycles/signifiers/place.html", context, status=status)


def _initial(definition: Definition, data: dict[str, Any]) -> dict[str, Any]:
    """A stored placement as the form's fields."""
    initial: dict[str, Any] = {}
    for s in definition.signifiers:
        value = data.get(s.key)
        if value == "na":
            if s.type == "choice" and not s.multiple:
                initial[s.key] = "na"
            else:
                initial[f"{s.key}__na"] = True
        elif s.type == "triad" and isinstance(value, dict):
            for corner in "abc":
                initial[f"{s.key}__{corner}"] = round(float(value[corner]) * 100, 1)
        elif s.type == "dyad" and isinstance(value, dict):
            initial[f"{s.key}__x"] = round(float(value["x"]) * 100)
        elif value is not None:
            initial[s.key] = value
    return initial


# The placed stories of a cycle -----------------------------------------------------------------


@workspace_view()
def cycle_placements(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    """The stories of this cycle and the cycles below that the viewer may read, where their
    tellers placed them: a ternary plot per triad, a strip per dyad (and a scatter of two), and
    the counts of each choice; a plot of fewer stories than the workspace's threshold is not
    shown. Each dot links to its story."""
    workspace, user = request.workspace, request.user
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    attached = selectors.attached_to(workspace=workspace, cycle_id=cycle.pk)
    context: dict[str, Any] = {
        "cycle": cycle,
        "attached": attached,
        "threshold": workspace.small_count_threshold,
        "may_steer": request_may_steer(request, cycle),
    }
    if attached is None:
        return render(request, "cycles/signifiers/placements.html", context)
    signifier_set = attached.signifier_set
    current = selectors.current_definition(signifier_set)
    below = below_ids(workspace=workspace, cycle=cycle)
    form = PlacementFilterForm(
        request.GET or None,
        systems=pattern_selectors.systems_below_cycle(workspace=workspace, cycle_ids=below),
        scales=scales_of(workspace=workspace),
        themes=Theme.objects.filter(workspace=workspace, merged_into__isnull=True).order_by("name"),
        dyads=list(current.of_type("dyad")) if current else [],
        auto_id="filter_%s",
    )
    context["form"] = form
    if not form.is_bound:
        form.cleaned_data = {}
        start, end = pattern_selectors.default_period()
        f: PatternFilter | None = PatternFilter(date_from=start, date_to=end)
    else:
        f = form.pattern_filter() if form.is_valid() else None
    if f is None or current is None:
        status = invalid_status(request) if f is None else 200
        return render(request, "cycles/signifiers/placements.html", context, status=status)
    if f.system is None:
        ids = {cycle.pk} | below
    else:
        ids = pattern_selectors.scoped_cycle_ids(
            workspace=workspace, cycle_ids=below, system=f.system
        )
    data = form.cleaned_data
    pair = (data["x"], data["y"]) if data.get("x") and data.get("y") else None
    patterns = selectors.placement_patterns(
        workspace=workspace,
        user=user,
        signifier_set=signifier_set,
        cycle_ids=ids,
        f=f,
        dyad_pair=pair,
        worked_in=request_systems_worked_in(request),
    )
    slug = workspace.slug

    def link(dot: selectors.Dot) -> str:
        return story_url(slug, dot.entry_id, dot.cycle_id, dot.happened_on)

    if patterns is not None:
        context.update(
            {
                "patterns": patterns,
                "triads": [svg.triad_plot(p, link) for p in patterns.triads],
                "dyads": [svg.dyad_plot(p, link) for p in patterns.dyads],
                "scatter": svg.scatter_plot(patterns.scatter, link) if patterns.scatter else None,
            }
        )
    return render(request, "cycles/signifiers/placements.html", context)
