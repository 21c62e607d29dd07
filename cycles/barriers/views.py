"""Barrier relay and enablers: raise a barrier to a cycle above, the receiving cycle's inbox, a
barrier's page with its answers, answering, and recording enablers. Thin: parse, call one
service, render or redirect. Who sees and who answers: cycles/barriers/selectors.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cycles.access import access_cycle, access_entry
from cycles.barriers import selectors, services
from cycles.barriers.forms import AnswerForm, EnablerForm, RaiseForm
from cycles.connections import cycle_ids_below
from cycles.models import BarrierResponse, BarrierRoute, Cycle, Entry
from cycles.trust import request_trust
from hls.conflicts import EditConflict, rebind
from hls.forms import submit
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status


def _forbidden(request: WorkspaceRequest, message: str) -> HttpResponse:
    return render(request, "cycles/barriers/forbidden.html", {"message": message}, status=403)


# Raise ---------------------------------------------------------------------------------------


@workspace_view("entries.create")
def barrier_raise(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    workspace, user = request.workspace, request.user
    entry = access_entry(workspace=workspace, user=user, entry_id=entry_id)
    cycle = entry.cycle
    if entry.author_id != user.pk and not selectors.is_cycle_member(
        workspace=workspace, user=user, cycle=cycle
    ):
        return _forbidden(
            request,
            _("Only its author and those who take part in %(cycle)s can raise this barrier.")
            % {"cycle": cycle.name},
        )
    targets = selectors.raise_targets(workspace=workspace, cycle=cycle)
    form = RaiseForm(request.POST or None, direct=targets.direct, further=targets.further)
    status = 200
    if entry.kind != Entry.Kind.BARRIER:
        status = 400
    elif request.method == "POST":
        try:
            route = submit(
                form,
                lambda data: services.barrier_raise(
                    workspace=workspace,
                    entry=entry,
                    to_cycle=next(c for c in targets.all if c.pk == data["to_cycle"]),
                    raised_by=user,
                ),
            )
        except PermissionDenied as error:
            return _forbidden(request, str(error))
        if route is not None:
            messages.success(
                request,
                _("Raised to %(cycle)s. It is in their inbox; their answers will show here.")
                % {"cycle": route.to_cycle.name},
            )
            return redirect("barrier-detail", workspace.slug, route.pk)
        status = invalid_status(request)
    routes = (
        BarrierRoute.objects.filter(workspace=workspace, entry=entry)
        .select_related("to_cycle")
        .order_by("raised_at", "pk")
    )
    context: dict[str, Any] = {
        "entry": entry,
        "cycle": cycle,
        "form": form,
        "targets": targets,
        "is_barrier": entry.kind == Entry.Kind.BARRIER,
        "shared_upward": entry.is_shared_upward,
        "consent_blocks": entry.consent_blocks_sharing_upward,
        "is_author": entry.author_id == user.pk,
        "routes": routes,
    }
    return render(request, "cycles/barriers/raise.html", context, status=status)


# Inbox ---------------------------------------------------------------------------------------


def _inbox_pages(request: WorkspaceRequest) -> dict[str, int]:
    """`?<state>_page=N` for each state asked for (a state's "Show more"); others are ignored."""
    pages: dict[str, int] = {}
    for state in BarrierRoute.State.values:
        value = request.GET.get(f"{state}_page", "")
        if value.isdigit():
            pages[state] = int(value)
    return pages


@workspace_view()
def barrier_inbox(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    """Each state's newest barriers, a page at a time. "Show more" of a state asks for its next
    page: htmx gets that page's rows (`inbox.html#state-page`); without JS, the whole inbox
    with that state's list longer by a page."""
    workspace, user = request.workspace, request.user
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    if not selectors.is_cycle_member(workspace=workspace, user=user, cycle=cycle):
        return _forbidden(
            request,
            _(
                "Only those who take part in %(cycle)s see the barriers raised to it and how long "
                "they have waited."
            )
            % {"cycle": cycle.name},
        )
    pages = _inbox_pages(request)
    trust = request_trust(request)
    if request.htmx and not request.htmx.boosted and len(pages) == 1:
        ((state, page),) = pages.items()
        section = selectors.inbox_page(
            workspace=workspace, user=user, cycle=cycle, trust=trust, state=state, page=page
        )
        return render(
            request, "cycles/barriers/inbox.html#state-page", {"cycle": cycle, "section": section}
        )
    return render(
        request,
        "cycles/barriers/inbox.html",
        {
            "cycle": cycle,
            "inbox": selectors.inbox(
                workspace=workspace, user=user, cycle=cycle, trust=trust, pages=pages
            ),
            "can_answer": selectors.may_answer(
                workspace=workspace, membership=request.membership, cycle=cycle
            ),
        },
    )


# A barrier's page and its answers ------------------------------------------------------------


def _route_or_404(request: WorkspaceRequest, barrier_route_id: int) -> BarrierRoute:
    route = selectors.route_for_page(
        workspace=request.workspace,
        user=request.user,
        route_id=barrier_route_id,
        trust=request_trust(request),
    )
    if route is None:
        raise Http404
    return route


def _answer_form(request: WorkspaceRequest, route: BarrierRoute, data: Any = None) -> AnswerForm:
    above = selectors.raise_targets(workspace=request.workspace, cycle=route.to_cycle)
    return AnswerForm(data, above=above.all, initial={"revision": route.revision})


def _detail(
    request: WorkspaceRequest,
    route: BarrierRoute,
    form: AnswerForm | None,
    status: int = 200,
    conflict: EditConflict | None = None,
) -> HttpResponse:
    can_answer = selectors.may_answer(
        workspace=request.workspace, membership=request.membership, cycle=route.to_cycle
    )
    if can_answer and form is None:
        form = _answer_form(request, route)
    return render(
        request,
        "cycles/barriers/detail.html",
        {"route": route, "form": form, "can_answer": can_answer, "conflict": conflict},
        status=status,
    )


@workspace_view()
def barrier_detail(request: WorkspaceRequest, barrier_route_id: int) -> HttpResponse:
    return _detail(request, _route_or_404(request, barrier_route_id), None)


@require_POST
@workspace_view()
def barrier_answer(request: WorkspaceRequest, barrier_route_id: int) -> HttpResponse:
    workspace = request.workspace
    route = _route_or_404(request, barrier_route_id)
    if not selectors.may_answer(
        workspace=workspace, membership=request.membership, cycle=route.to_cycle
    ):
        return _forbidden(
            request,
            _(
                "Only managers, stewards and admins who take part in %(cycle)s can answer "
                "barriers raised to it."
            )
            % {"cycle": route.to_cycle.name},
        )
    form = _answer_form(request, route, request.POST)

    def answer(data: dict[str, Any]) -> BarrierResponse:
        pass_to = None
        if data["pass_to"] is not None:
            pass_to = Cycle.objects.filter(workspace=workspace, pk=data["pass_to"]).first()
        return services.barrier_answer(
            workspace=workspace,
            route=route,
            answered_by=request.membership,
            state=data["state"],
            text=data["text"],
            pass_to=pass_to,
            revision=data.get("revision"),
        )

    try:
        answered = submit(form, answer)
    except EditConflict as error:
        # Someone answered since this form was opened: the state now and their answers
        # beside this one, whose text stays in the form (hls/conflicts.py).
        data = form.cleaned_data
        states = dict(BarrierRoute.State.choices)
        conflict = error.with_yours({**data, "state": states.get(data["state"], "")})
        route = _route_or_404(request, barrier_route_id)
        form = _answer_form(request, route, rebind(request.POST, conflict))
        return _detail(request, route, form, status=409, conflict=conflict)
    except PermissionDenied as error:
        return _forbidden(request, str(error))
    if answered is not None:
        messages.success(request, _("Answer saved. The cycle that raised it can see it."))
        return redirect("barrier-detail", workspace.slug, route.pk)
    return _detail(request, route, form, status=invalid_status(request))


# Enablers ------------------------------------------------------------------------------------


@workspace_view("cycles.manage")
def enabler_create(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace, user = request.workspace, request.user
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    if not selectors.is_cycle_member(workspace=workspace, user=user, cycle=cycle):
        return _forbidden(
            request,
            _("Only those who take part in %(cycle)s can record what it does to enable others.")
            % {"cycle": cycle.name},
        )
    routes = list(selectors.open_routes_to(workspace=workspace, cycle=cycle))
    below = list(
        Cycle.objects.filter(
            workspace=workspace, pk__in=cycle_ids_below(workspace=workspace, cycle=cycle)
        )
        .select_related("system__scale")
        .order_by("name", "pk")
    )
    initial: dict[str, Any] = {}
    if (route_id := request.GET.get("route", "")).isdigit():
        initial["barrier_route"] = int(route_id)
    form = EnablerForm(request.POST or None, routes=routes, below=below, initial=initial)
    if request.method == "POST":
        try:
            enabler = submit(
                form,
                lambda data: services.enabler_create(
                    workspace=workspace,
                    cycle=cycle,
                    created_by=request.membership,
                    kind=data["kind"],
                    text=data["text"],
                    barrier_route=next((r for r in routes if r.pk == data["barrier_route"]), None),
                    for_cycles=[c for c in below if c.pk in set(data["for_cycles"])],
                ),
            )
        except PermissionDenied as error:
            return _forbidden(request, str(error))
        if enabler is not None:
            messages.success(request, _("Enabler recorded. It shows in the cycles it is for."))
            return redirect("cycle-detail", workspace.slug, cycle.pk)
    status = invalid_status(request) if request.method == "POST" else 200
    return render(
        request,
        "cycles/barriers/enabler_form.html",
        {"cycle": cycle, "form": form, "has_below": bool(below) or bool(routes)},
        status=status,
    )
