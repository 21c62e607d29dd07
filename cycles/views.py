"""Cycles, entries, the timeline, quick capture, drafts and search. Thin: parse, call one service,
render or redirect. htmx requests get `template#partial` fragments; without JS, full pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cycles import selectors, services
from cycles.access import access_cycle, access_cycle_member, access_entry
from cycles.forms import (
    CycleCreateForm,
    CycleEditForm,
    CycleMemberForm,
    EntryForm,
    PhaseShiftForm,
    SearchForm,
    TimelineFilterForm,
)
from cycles.models import Cycle, CycleMember, Entry, Experiment
from cycles.signifiers import selectors as signifier_selectors
from cycles.trust import request_may_steer, request_trust, require_steer
from hls.accounts.models import User
from hls.conflicts import EditConflict, rebind
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.permissions import can
from systems.models import ShareLevel, System
from systems.people.selectors import people_visible_to
from systems.selectors import request_systems_worked_in

DRAFT_FIELDS = (
    "cycle",
    "kind",
    "text",
    "phase",
    "person",
    "visibility",
    "happened_on",
    "signed",
)


def _safe_next(request: WorkspaceRequest, value: str | None) -> str | None:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def _timeline_url(slug: str, cycle_id: int, **params: Any) -> str:
    url = reverse("cycle-timeline", args=[slug, cycle_id])
    query = {k: v for k, v in params.items() if v}
    return f"{url}?{urlencode(query)}" if query else url


# Cycles --------------------------------------------------------------------------------------


def _systems(request: WorkspaceRequest) -> QuerySet[System]:
    return System.objects.filter(workspace=request.workspace).select_related("scale")


@workspace_view()
def cycle_list(request: WorkspaceRequest) -> HttpResponse:
    return render(
        request,
        "cycles/cycle_list.html",
        {
            "cycles": selectors.cycles_for_list(workspace=request.workspace),
            "can_manage": can(request.membership, "cycles.manage"),
        },
    )


@workspace_view("cycles.manage")
def cycle_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    initial: dict[str, Any] = {}
    if (system_id := request.GET.get("system", "")) and system_id.isdigit():
        initial["system"] = int(system_id)
    form = CycleCreateForm(request.POST or None, systems=_systems(request), initial=initial)
    if request.method == "POST":
        cycle = submit(
            form,
            lambda data: services.cycle_create(
                workspace=workspace, created_by=request.user, **data
            ),
        )
        if cycle is not None:
            messages.success(request, _("Cycle “%(name)s” started.") % {"name": cycle.name})
            return redirect("cycle-detail", workspace.slug, cycle.pk)
    status = invalid_status(request) if request.method == "POST" else 200
    return render(request, "cycles/cycle_form.html", {"form": form}, status=status)


@workspace_view()
def cycle_detail(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    return render(
        request,
        "cycles/cycle_detail.html",
        _detail_context(request, cycle, PhaseShiftForm(initial={"to_phase": cycle.phase})),
    )


def _detail_context(
    request: WorkspaceRequest, cycle: Cycle, phase_form: PhaseShiftForm
) -> dict[str, Any]:
    workspace = request.workspace
    return {
        "cycle": cycle,
        "counts": selectors.phase_counts(
            workspace=workspace,
            user=request.user,
            cycle=cycle,
            worked_in=request_systems_worked_in(request),
        ),
        "shifts": selectors.phase_shifts_of(workspace=workspace, cycle=cycle),
        "members": selectors.cycle_members_of(workspace=workspace, cycle=cycle),
        "phase_form": phase_form,
        # Move phase / Edit: those inside the cycle (cycles.trust), with the capability.
        "may_steer": request_may_steer(request, cycle),
    }


@workspace_view("cycles.manage")
def cycle_edit(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    require_steer(workspace=workspace, user=request.user, cycle=cycle)
    form = CycleEditForm(
        request.POST or None,
        systems=_systems(request),
        initial={
            "system": cycle.system_id,
            "name": cycle.name,
            "purpose": cycle.purpose,
            "learning_questions": cycle.learning_questions,
            "status": cycle.status,
            "revision": cycle.revision,
        },
    )
    conflict: EditConflict | None = None
    if request.method == "POST":
        try:
            saved = submit(
                form,
                lambda data: services.cycle_update(
                    workspace=workspace, cycle=cycle, updated_by=request.user, **data
                ),
            )
        except EditConflict as error:
            conflict = error.with_yours(form.cleaned_data)
            form = CycleEditForm(rebind(request.POST, conflict), systems=_systems(request))
        else:
            if saved is not None:
                messages.success(request, _("Cycle saved."))
                return redirect("cycle-detail", workspace.slug, cycle.pk)
    status = invalid_status(request) if request.method == "POST" else 200
    context = {"form": form, "cycle": cycle, "conflict": conflict}
    return render(request, "cycles/cycle_form.html", context, status=409 if conflict else status)


@workspace_view("cycles.manage")
def cycle_phase(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    require_steer(workspace=workspace, user=request.user, cycle=cycle)
    form = PhaseShiftForm(request.POST or None, initial={"to_phase": cycle.phase})
    if request.method == "POST":
        shift = submit(
            form,
            lambda data: services.cycle_shift_phase(
                workspace=workspace, cycle=cycle, shifted_by=request.user, **data
            ),
        )
        if shift is not None:
            messages.success(
                request,
                _("The cycle is now mostly in “%(phase)s”.")
                % {"phase": shift.get_to_phase_display()},
            )
            return redirect("cycle-detail", workspace.slug, cycle.pk)
    status = invalid_status(request) if request.method == "POST" else 200
    return render(request, "cycles/cycle_phase.html", {"cycle": cycle, "form": form}, status=status)


def _member_candidates(request: WorkspaceRequest, cycle: Cycle) -> QuerySet[User]:
    return (
        User.objects.filter(memberships__workspace=request.workspace)
        .exclude(pk__in=CycleMember.objects.filter(cycle=cycle).values("user_id"))
        .order_by("full_name", "email")
    )


@workspace_view()
def cycle_members(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    cycle = access_cycle(workspace=request.workspace, cycle_id=cycle_id)
    return _members_page(request, cycle, None)


def _members_page(
    request: WorkspaceRequest, cycle: Cycle, form: CycleMemberForm | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "cycles/cycle_members.html",
        {
            "cycle": cycle,
            "members": selectors.cycle_members_of(workspace=request.workspace, cycle=cycle),
            "form": form or CycleMemberForm(users=_member_candidates(request, cycle)),
            "can_manage": can(request.membership, "cycles.manage")
            and selectors.may_change_members(
                trust=request_trust(request), membership=request.membership, cycle=cycle
            ),
        },
        status=status,
    )


@require_POST
@workspace_view("cycles.manage")
def cycle_member_add(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    form = CycleMemberForm(request.POST, users=_member_candidates(request, cycle))
    member = submit(
        form,
        lambda data: services.cycle_member_add(
            workspace=workspace, cycle=cycle, by=request.user, **data
        ),
    )
    if member is not None:
        messages.success(
            request,
            _("%(name)s now takes part in this cycle.") % {"name": member.user.display_name},
        )
        return redirect("cycle-members", workspace.slug, cycle.pk)
    return _members_page(request, cycle, form, status=invalid_status(request))


@require_POST
@workspace_view("cycles.manage")
def cycle_member_remove(request: WorkspaceRequest, cycle_member_id: int) -> HttpResponse:
    workspace = request.workspace
    member = access_cycle_member(workspace=workspace, cycle_member_id=cycle_member_id)
    services.cycle_member_remove(workspace=workspace, member=member, by=request.user)
    messages.success(
        request,
        _("%(name)s no longer takes part in this cycle.") % {"name": member.user.display_name},
    )
    return redirect("cycle-members", workspace.slug, member.cycle_id)


# Timeline ------------------------------------------------------------------------------------


@workspace_view()
def cycle_timeline(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace, user = request.workspace, request.user
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    people = selectors.people_for_cycle_picker(
        workspace=workspace, user=user, cycle=cycle, chosen=[_parse_int(request.GET.get("person"))]
    )
    themes = selectors.themes_for_picker(workspace=workspace)
    filter_form = TimelineFilterForm(
        request.GET or None, themes=themes, people=people, auto_id="filter_%s"
    )
    status = 200
    filters = selectors.TimelineFilter()
    if filter_form.is_bound:
        if filter_form.is_valid():
            filters = selectors.TimelineFilter(**filter_form.cleaned_data)
        else:
            status = 400
    entries = selectors.timeline_entries(
        workspace=workspace,
        user=user,
        cycle=cycle,
        filters=filters,
        worked_in=request_systems_worked_in(request),
    )
    page = selectors.timeline_page(entries, request.GET.get("page"))
    items = page.entries
    newer_than = selectors.entry_timeline_key(items[-1]) if items and page.has_next else None
    shifts = (
        selectors.timeline_shifts(
            workspace=workspace,
            cycle=cycle,
            filters=filters,
            newer_than=newer_than,
            up_to=page.up_to,
        )
        if status == 200
        else []
    )
    timeline = sorted(
        [("entry", selectors.entry_timeline_key(e), e) for e in items]
        + [("shift", selectors.shift_timeline_key(s), s) for s in shifts],
        key=lambda row: row[1],
        reverse=True,
    )
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "cycle": cycle,
        "filter_form": filter_form,
        "filtered": filters != selectors.TimelineFilter(),
        "page": page,
        "timeline": timeline,
        "query": query.urlencode(),
        "can_log": can(request.membership, "entries.create"),
        "deleted": None,
    }
    deleted_id = request.GET.get("deleted", "")
    if deleted_id.isdigit():
        context["deleted"] = selectors.deleted_entry_of_author(
            workspace=workspace, user=user, entry_id=int(deleted_id)
        )
    if context["can_log"]:
        context.update(
            _entry_form_context(
                request, cycle=cycle, experiment=None, key_cycle=True, cycle_people=True
            )
        )
    return render(request, "cycles/timeline.html", context, status=status)


# Entries -------------------------------------------------------------------------------------


def _draft_key(*, cycle: Cycle | None, experiment: Experiment | None, key_cycle: bool) -> str:
    if experiment is not None:
        return f"experiment-{experiment.pk}"
    if key_cycle and cycle is not None:
        return f"cycle-{cycle.pk}"
    return "capture"


def _entry_form(
    request: WorkspaceRequest,
    data: Any = None,
    initial: dict[str, Any] | None = None,
    people_of: Cycle | None = None,
) -> EntryForm:
    """`people_of`: offer the people of that cycle's picker (`people_for_cycle_picker`, with the
    draft's person), not everyone the user may open (what a post is checked against)."""
    workspace = request.workspace
    people = people_visible_to(workspace=workspace, user=request.user)
    if people_of is not None:
        chosen = _parse_int(str((initial or {}).get("person") or ""))
        people = selectors.people_for_cycle_picker(
            workspace=workspace, user=request.user, cycle=people_of, chosen=[chosen]
        )
    return EntryForm(
        data,
        initial=initial,
        cycles=selectors.cycles_for_picker(workspace=workspace),
        people=people,
        themes=selectors.themes_for_picker(workspace=workspace),
        experiments=Experiment.objects.filter(workspace=workspace),
        trust=request_trust(request),
    )


def _entry_form_context(
    request: WorkspaceRequest,
    *,
    cycle: Cycle | None,
    experiment: Experiment | None,
    key_cycle: bool,
    form: EntryForm | None = None,
    draft_key: str = "",
    from_page: bool = False,
    cycle_people: bool = False,
) -> dict[str, Any]:
    """The create form, with the author's unsent draft restored into it (if there is one).
    A new entry is seen by the team unless the author chooses otherwise (no wider than the
    person's consent: EntryForm). `from_page`: the cycle is the page's the capture was opened
    from, and stays chosen over a restored draft's (which the draft notice then names).
    `cycle_people`: the person picker offers the cycle's people (a timeline's inline form)."""
    workspace = request.workspace
    key = draft_key or _draft_key(cycle=cycle, experiment=experiment, key_cycle=key_cycle)
    draft = None
    draft_cycle = None
    if form is None:
        initial: dict[str, Any] = {
            "cycle": cycle.pk if cycle else None,
            "experiment": experiment.pk if experiment else None,
            "visibility": ShareLevel.TEAM,
            "kind": Entry.Kind.STORY,
        }
        draft = selectors.draft_for(workspace=workspace, user=request.user, key=key)
        if draft is not None:
            initial.update({k: v for k, v in draft.data.items() if v not in (None, "")})
            if (key_cycle or from_page) and cycle is not None:
                drafted_in = _parse_int(str(initial.get("cycle") or ""))
                if from_page and drafted_in is not None and drafted_in != cycle.pk:
                    draft_cycle = (
                        Cycle.objects.filter(workspace=workspace, pk=drafted_in)
                        .select_related("system__scale")
                        .first()
                    )
                initial["cycle"] = cycle.pk
        form = _entry_form(
            request, initial=initial, people_of=cycle if cycle_people and cycle else None
        )
    return {
        "entry_form": form,
        "draft": draft,
        "draft_cycle": draft_cycle,
        "draft_key": key,
        "form_cycle": cycle,
        "form_experiment": experiment,
        "key_cycle": key_cycle,
    }


def _parse_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@workspace_view("entries.create")
def entry_create(request: WorkspaceRequest) -> HttpResponse:
    """Quick capture (a page of its own) and the inline form of a cycle's timeline."""
    workspace, user = request.workspace, request.user
    source = request.POST if request.method == "POST" else request.GET
    next_url = _safe_next(request, source.get("next"))
    key_cycle = source.get("inline") == "1"
    experiment = None
    if (experiment_id := _parse_int(source.get("experiment"))) is not None:
        experiment = get_object_or_404(
            Experiment.objects.select_related("cycle"), workspace=workspace, pk=experiment_id
        )
    cycle = experiment.cycle if experiment is not None else None
    if cycle is None and (cycle_id := _parse_int(source.get("cycle"))) is not None:
        cycle = Cycle.objects.filter(workspace=workspace, pk=cycle_id).first()
    # "+ Log" opens for the page's cycle (base.html passes it); from a page without one, for
    # the cycle the author last logged in (else one they take part in).
    from_page = cycle is not None
    if cycle is None and request.method == "GET":
        cycle = selectors.most_recent_cycle(workspace=workspace, user=user)
    draft_key = source.get("draft_key", "")[:64]

    if request.method == "POST":
        form = _entry_form(request, data=request.POST)
        entry = submit(
            form,
            lambda data: services.entry_create(
                workspace=workspace,
                author=user,
                draft_key=draft_key,
                # The form is also the edit form: a new entry has no revision to start from.
                **{name: value for name, value in data.items() if name != "revision"},
            ),
        )
        if entry is not None:
            return _entry_created(request, entry, next_url, key_cycle)
        context = _entry_form_context(
            request,
            cycle=cycle,
            experiment=experiment,
            key_cycle=key_cycle,
            form=form,
            draft_key=draft_key,
        )
        context["next"] = next_url or ""
        template = "cycles/entry_capture.html"
        if request.htmx and key_cycle:
            template = "cycles/timeline.html#entry-create-form"
            context["cycle"] = cycle
        return render(request, template, context, status=invalid_status(request))

    context = _entry_form_context(
        request, cycle=cycle, experiment=experiment, key_cycle=False, from_page=from_page
    )
    context["next"] = next_url or ""
    return render(request, "cycles/entry_capture.html", context)


def _entry_created(
    request: WorkspaceRequest, entry: Entry, next_url: str | None, inline: bool
) -> HttpResponse:
    workspace = request.workspace
    if request.htmx and inline:
        entry = selectors.timeline_entries(
            workspace=workspace,
            user=request.user,
            cycle=entry.cycle,
            filters=selectors.TimelineFilter(),
        ).get(pk=entry.pk)
        context = _entry_form_context(request, cycle=entry.cycle, experiment=None, key_cycle=True)
        context.update({"cycle": entry.cycle, "created": entry, "entry": entry})
        timeline = reverse("cycle-timeline", args=[workspace.slug, entry.cycle_id])
        context["place_url"] = _place_url(request, entry, f"{timeline}#entry-{entry.pk}")
        return render(request, "cycles/timeline.html#entry-created", context)
    messages.success(
        request,
        _("Saved: your %(kind)s is in “%(cycle)s”, visible to: %(who)s.")
        % {
            "kind": entry.get_kind_display().lower(),
            "cycle": entry.cycle.name,
            "who": entry.get_visibility_display(),
        },
    )
    after = next_url or (
        reverse("cycle-timeline", args=[workspace.slug, entry.cycle_id]) + f"#entry-{entry.pk}"
    )
    # A story in a cycle that offers signifiers: its teller places it next (or skips).
    return HttpResponseRedirect(_place_url(request, entry, after) or after)


def _place_url(request: WorkspaceRequest, entry: Entry, after: str) -> str | None:
    """Where the teller of a new story places it, when its cycle offers signifiers
    (cycles/signifiers/); None otherwise (one query, for stories only)."""
    if entry.kind != Entry.Kind.STORY or not signifier_selectors.attached_to(
        workspace=request.workspace, cycle_id=entry.cycle_id
    ):
        return None
    place = reverse("entry-place", args=[request.workspace.slug, entry.pk])
    return f"{place}?{urlencode({'next': after})}"


def _entry_to_change(request: WorkspaceRequest, entry_id: int) -> Entry:
    """An entry the user may see, for its edit or delete form: the service says whether they
    may change it (its author only), so the form is refused as its saving would be."""
    entry = access_entry(workspace=request.workspace, user=request.user, entry_id=entry_id)
    services.entry_check_author(entry=entry, user=request.user)
    return entry


def _entry_for_row(request: WorkspaceRequest, entry: Entry) -> Entry:
    return selectors.timeline_entries(
        workspace=request.workspace,
        user=request.user,
        cycle=entry.cycle,
        filters=selectors.TimelineFilter(),
    ).get(pk=entry.pk)


@workspace_view("entries.create")
def entry_edit(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    workspace = request.workspace
    entry = _entry_to_change(request, entry_id)
    key = f"entry-{entry.pk}"
    draft = None
    conflict: EditConflict | None = None
    if request.method == "POST":
        form = EntryForm(
            request.POST,
            auto_id=f"id_entry{entry.pk}_%s",  # unique beside the "Log a step" form
            cycles=None,
            people=people_visible_to(workspace=workspace, user=request.user),
            themes=selectors.themes_for_picker(workspace=workspace),
        )
        try:
            saved = submit(
                form,
                lambda data: services.entry_update(
                    workspace=workspace,
                    entry=entry,
                    editor=request.user,
                    draft_key=key,
                    **{**data, "phase": data["phase"] or entry.phase},
                ),
            )
        except EditConflict as error:
            conflict = error.with_yours(form.cleaned_data)
            form = EntryForm(
                rebind(request.POST, conflict),
                auto_id=f"id_entry{entry.pk}_%s",
                cycles=None,
                people=people_visible_to(workspace=workspace, user=request.user),
                themes=selectors.themes_for_picker(workspace=workspace),
            )
        else:
            if saved is not None:
                if request.htmx:
                    return render(
                        request,
                        "cycles/timeline.html#entry-row",
                        {"entry": _entry_for_row(request, entry), "updated": True},
                    )
                messages.success(request, _("Entry saved. The earlier version is kept."))
                return HttpResponseRedirect(
                    reverse("cycle-timeline", args=[workspace.slug, entry.cycle_id])
                    + f"#entry-{entry.pk}"
                )
        status = 409 if conflict else invalid_status(request)
    else:
        initial = {
            "revision": entry.revision,
            "kind": entry.kind,
            "phase": entry.phase,
            "text": entry.text,
            "person": entry.person_id,
            "themes": [t.pk for t in entry.themes.all()],
            "visibility": entry.visibility,
            "happened_on": entry.happened_on,
            "signed": entry.signed,
        }
        draft = selectors.draft_for(workspace=workspace, user=request.user, key=key)
        if draft is not None:
            initial.update({k: v for k, v in draft.data.items() if v not in (None, "")})
        form = EntryForm(
            initial=initial,
            auto_id=f"id_entry{entry.pk}_%s",
            cycles=None,
            people=people_visible_to(workspace=workspace, user=request.user),
            themes=selectors.themes_for_picker(workspace=workspace),
        )
        status = 200
    context = {
        "entry": entry,
        "entry_form": form,
        "draft": draft,
        "draft_key": key,
        "conflict": conflict,
    }
    template = "cycles/entry_edit.html"
    if request.htmx:
        template += "#entry-edit-form"
    return render(request, template, context, status=status)


@workspace_view("entries.create")
def entry_row(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    """One entry as it appears in the timeline (htmx: "cancel" on an inline edit)."""
    entry = access_entry(workspace=request.workspace, user=request.user, entry_id=entry_id)
    if not request.htmx:
        return HttpResponseRedirect(
            reverse("cycle-timeline", args=[request.workspace.slug, entry.cycle_id])
            + f"#entry-{entry.pk}"
        )
    row = _entry_for_row(request, entry)
    return render(request, "cycles/timeline.html#entry-row", {"entry": row})


@workspace_view("entries.create")
def entry_delete(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    workspace = request.workspace
    entry = _entry_to_change(request, entry_id)
    if request.method == "POST":
        services.entry_delete(workspace=workspace, entry=entry, user=request.user)
        if request.htmx:
            return render(request, "cycles/timeline.html#entry-deleted", {"deleted": entry})
        return HttpResponseRedirect(
            _timeline_url(workspace.slug, entry.cycle_id, deleted=entry.pk) + "#undo"
        )
    return render(request, "cycles/entry_delete.html", {"entry": entry})


@require_POST
@workspace_view("entries.create")
def entry_restore(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    workspace = request.workspace
    entry = selectors.deleted_entry_of_author(
        workspace=workspace, user=request.user, entry_id=entry_id
    )
    if entry is None:
        raise Http404
    services.entry_restore(workspace=workspace, entry=entry, user=request.user)
    if request.htmx:
        return render(
            request,
            "cycles/timeline.html#entry-row",
            {"entry": _entry_for_row(request, entry), "restored": True},
        )
    messages.success(request, _("Entry restored."))
    return HttpResponseRedirect(
        reverse("cycle-timeline", args=[workspace.slug, entry.cycle_id]) + f"#entry-{entry.pk}"
    )


@workspace_view()
def entry_history(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    workspace = request.workspace
    entry = access_entry(workspace=workspace, user=request.user, entry_id=entry_id)
    return render(
        request,
        "cycles/entry_history.html",
        {
            "entry": _entry_for_row(request, entry),
            "revisions": selectors.entry_revisions(workspace=workspace, entry=entry),
        },
    )


# Drafts --------------------------------------------------------------------------------------


@require_POST
@workspace_view("entries.create")
def draft_save(request: WorkspaceRequest) -> HttpResponse:
    """Autosave (capture.js): keep whatever is typed, for the signed-in author only."""
    data: dict[str, Any] = {field: request.POST.get(field, "") for field in DRAFT_FIELDS}
    data["themes"] = request.POST.getlist("themes")
    try:
        draft = services.draft_save(
            workspace=request.workspace,
            author=request.user,
            key=request.POST.get("draft_key", ""),
            data=data,
        )
    except ValidationError as error:
        return JsonResponse({"saved": False, "error": " ".join(error.messages)}, status=400)
    return JsonResponse({"saved": True, "updated_at": draft.updated_at.isoformat()})


@require_POST
@workspace_view("entries.create")
def draft_discard(request: WorkspaceRequest) -> HttpResponse:
    services.draft_discard(
        workspace=request.workspace, author=request.user, key=request.POST.get("draft_key", "")
    )
    if request.htmx:
        return HttpResponse(status=204)
    messages.success(request, _("Draft discarded."))
    next_url = _safe_next(request, request.POST.get("next"))
    return HttpResponseRedirect(next_url or reverse("entry-create", args=[request.workspace.slug]))


# Search --------------------------------------------------------------------------------------


@require_GET
@workspace_view()
def search(request: WorkspaceRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    results = selectors.search(workspace=request.workspace, user=request.user, q=q)
    return render(
        request,
        "cycles/search.html",
        {"form": form, "q": q, "results": results},
        status=200 if form.is_valid() else 400,
    )
