"""Running a method together, live: a run's page (the steps so far, the current step with its
prompt, timer and answer form, what the viewer may see of others' answers), the fragment its
page polls every few seconds, joining, answering, and the facilitator's moves; a cycle's runs;
and the same run page for guests at /join/<code>/, outside any workspace.

Thin: parse, call one service, render or redirect. Who may do what: rules.py and the services;
what a participant sees: selectors.step_views. Everything works without JavaScript (plain
forms that redirect, a reload shows what changed); with it, the live region polls
(`method-run-live`) and answers 204 when nothing changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cycles.access import access_cycle
from cycles.trust import request_trust, steer_refused_message
from hls.accounts.models import User
from hls.conflicts import EditConflict, rebind
from hls.forms import act, submit
from hls.tenancy.context import tenant_scope
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from hls.tenancy.models import Workspace
from stewardship.methods import guests, presenting, rules, selectors, services
from stewardship.methods.definition import Definition, Step, parse
from stewardship.methods.forms import (
    AnswerForm,
    GuestCodeForm,
    GuestJoinForm,
    MoveForm,
    StepForm,
)
from stewardship.methods.selectors import Item, StepView
from stewardship.methods.services import MovedMeanwhile
from stewardship.models import MethodRun, RunOutput, RunParticipant

TEMPLATE = "stewardship/methods/run.html"
POLL_SECONDS = 3


# --- Finding the run and who is looking ----------------------------------------------------------


def _run(request: WorkspaceRequest, run_id: int) -> MethodRun:
    return get_object_or_404(
        guests.with_live(MethodRun.objects.select_related("cycle", "occurrence__session")),
        workspace=request.workspace,
        pk=run_id,
    )


def live_version(run: MethodRun) -> str:
    at = getattr(run, "last_answer_at", None)
    return f"{run.revision}.{at.timestamp() if at else 0}.{getattr(run, 'people', 0) or 0}"


def _place(run: MethodRun) -> str:
    """Where the group is: a change means the page must show another step."""
    return f"{run.status}.{run.round}.{run.step}"


@dataclass
class Viewer:
    participant: RunParticipant | None
    user: User | None = None
    facilitates: bool = False
    may_join: bool = False

    @property
    def guest(self) -> bool:
        return self.user is None


def _member(request: WorkspaceRequest, run: MethodRun, *, controls: bool = True) -> Viewer:
    """The signed-in member as the run sees them; 403 for a member who may not see the run
    (rules.may_see: taking part, or may join). `controls`: also whether they facilitate."""
    workspace, user = request.workspace, request.user
    participant = selectors.participant_for(workspace=workspace, run=run, user=user)
    if participant is not None and not controls:
        return Viewer(participant, user)
    facilitates = rules.may_facilitate(workspace=workspace, run=run, user=user)
    joinable = participant is None and (
        facilitates or rules.in_meeting(workspace=workspace, run=run, user=user)
    )
    if participant is None and not joinable:
        raise PermissionDenied(_("Only those taking part in this run, or in its cycle, see it."))
    return Viewer(participant, user, facilitates, joinable)


@dataclass
class RunUrls:
    page: str
    live: str
    answer: str
    join: str = ""
    move: str = ""
    reveal: str = ""
    again: str = ""
    complete: str = ""
    guest_link: str = ""


def _member_urls(request: HttpRequest, slug: str, run: MethodRun) -> RunUrls:
    def url(name: str) -> str:
        return reverse(name, args=[slug, run.pk])

    guest_link = ""
    if run.guest_code:
        guest_link = request.build_absolute_uri(reverse("method-guest", args=[run.guest_code]))
    return RunUrls(
        page=url("method-run"),
        live=url("method-run-live"),
        answer=url("method-run-answer"),
        join=url("method-run-join"),
        move=url("method-run-move"),
        reveal=url("method-run-reveal"),
        again=url("method-run-again"),
        complete=url("method-run-complete"),
        guest_link=guest_link,
    )


def _guest_urls(code: str) -> RunUrls:
    return RunUrls(
        page=reverse("method-guest", args=[code]),
        live=reverse("method-guest-live", args=[code]),
        answer=reverse("method-guest-answer", args=[code]),
    )


# --- What the page shows ---------------------------------------------------------------------


@dataclass
class Shown:
    by: str
    mine: bool
    shared: bool
    lines: list[presenting.Line]


@dataclass
class StepPage:
    view: StepView
    current: bool
    answers: list[Shown] = field(default_factory=list)
    group: list[presenting.Line] = field(default_factory=list)
    spread: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)
    form: AnswerForm | None = None
    hidden_count: int = 0  # others' answers not shown (private, not revealed)

    @property
    def step(self) -> Step:
        return self.view.step


def _items(workspace: Workspace, run: MethodRun, step: Step) -> dict[str, list[Item]]:
    return {
        f.key: selectors.items(workspace=workspace, run=run, source=f.source)
        for f in step.fields
        if f.type in ("select", "rank")
    }


def _may_answer(step: Step, viewer: Viewer) -> bool:
    if viewer.participant is None:
        return False
    return step.who != "facilitator" or viewer.facilitates


def _form(step: Step, view: StepView, items: dict[str, list[Item]]) -> AnswerForm:
    group = step.who != "each"
    answer = view.group if group else view.mine
    initial = AnswerForm.initial_from(
        step, answer.data if answer else None, items, shared=bool(answer and answer.shared)
    )
    if group:
        initial["revision"] = answer.revision if answer else 0
    return AnswerForm(step=step, items=items, group=group, initial=initial, prefix=None)


def _step_page(
    view: StepView,
    *,
    current: bool,
    items: dict[str, list[Item]],
    words: dict[str, str],
    viewer: Viewer,
    forms_open: bool,
    bound: AnswerForm | None,
) -> StepPage:
    step = view.step
    page = StepPage(view=view, current=current)
    for seen in view.answers:
        said = presenting.lines(step, seen.answer.data, words)
        page.answers.append(Shown(seen.by, seen.mine, seen.answer.shared, said))
    page.hidden_count = view.answered - len(view.answers)
    if view.group is not None:
        page.group = presenting.lines(step, view.group.data, words)
    page.spread = [
        (step.field(key).label if step.field(key) else key, values)  # type: ignore[union-attr]
        for key, values in view.spread.items()
    ]
    if forms_open and _may_answer(step, viewer):
        page.form = bound if bound is not None and bound.the_step.key == step.key else None
        page.form = page.form or _form(step, view, items)
    return page


def _timer(run: MethodRun, step: Step) -> dict[str, Any] | None:
    if not step.minutes or run.step_started_at is None:
        return None
    elapsed = (timezone.now() - run.step_started_at).total_seconds()
    ends = run.step_started_at + dt.timedelta(minutes=step.minutes)
    return {
        "minutes": step.minutes,
        "left": presenting.minutes_left(step.minutes, elapsed),
        "ends_at": ends.isoformat(),
    }


def _live_context(
    workspace: Workspace, run: MethodRun, viewer: Viewer, urls: RunUrls
) -> dict[str, Any]:
    """What the live region shows: the current step's answers as the viewer may see them, the
    group's answer, and who takes part. Also the whole page's steps (the region is the page's
    current step; the rest of the page reads the same views)."""
    definition = parse(run.definition)
    views = selectors.step_views(workspace=workspace, run=run, participant=viewer.participant)
    is_open = run.status == MethodRun.Status.OPEN
    current = views[run.step] if is_open and run.step < len(views) else None
    items = _items(workspace, run, current.step) if current else {}
    page = None
    if current is not None:
        page = _step_page(
            current,
            current=True,
            items=items,
            words=presenting.item_words(items),
            viewer=viewer,
            forms_open=False,
            bound=None,
        )
    return {
        "run": run,
        "definition": definition,
        "views": views,
        "current": page,
        "items": items,
        "people": selectors.participants(workspace=workspace, run=run),
        "viewer": viewer,
        "urls": urls,
        "poll": f"{urls.live}?v={live_version(run)}&at={_place(run)}",
    }


def _field_label(step: Step | None, key: str) -> str:
    found = step.field(key) if step is not None else None
    return found.label if found is not None else key


def _context(
    workspace: Workspace,
    run: MethodRun,
    viewer: Viewer,
    urls: RunUrls,
    *,
    bound: AnswerForm | None = None,
    conflict: EditConflict | None = None,
) -> dict[str, Any]:
    context = _live_context(workspace, run, viewer, urls)
    definition: Definition = context["definition"]
    views: list[StepView] = context["views"]
    is_open = run.status == MethodRun.Status.OPEN
    items_by_step: dict[str, dict[str, list[Item]]] = {}
    if context["current"] is not None:
        items_by_step[context["current"].step.key] = context["items"]
    steps = []
    for view in views:
        items = items_by_step.get(view.step.key)
        if items is None:
            items = items_by_step[view.step.key] = _items(workspace, run, view.step)
        is_current = is_open and view.index == run.step
        steps.append(
            _step_page(
                view,
                current=is_current,
                items=items,
                words=presenting.item_words(items),
                viewer=viewer,
                forms_open=is_open,
                bound=bound,
            )
        )
    current = next((s for s in steps if s.current), None)
    earlier_rounds = []
    if not is_open and run.round > 1:
        for number in range(1, run.round):
            past = selectors.step_views(
                workspace=workspace, run=run, participant=viewer.participant, round=number
            )
            earlier_rounds.append(
                (
                    number,
                    [
                        _step_page(
                            v,
                            current=False,
                            items={},
                            words={},
                            viewer=viewer,
                            forms_open=False,
                            bound=None,
                        )
                        for v in past
                    ],
                )
            )
    last = run.step == len(definition.steps) - 1
    outputs: list[RunOutput] = []
    if not is_open:
        outputs = list(
            RunOutput.objects.filter(workspace=workspace, run=run).select_related(
                "entry", "experiment", "actor", "factor"
            )
        )
    chain = []
    if viewer.user is not None and any(
        f.type == "select" for s in definition.steps for f in s.fields
    ):
        chain = selectors.chain_for(workspace=workspace, run=run, user=viewer.user)
    picture = []
    if viewer.user is not None:  # members: the cycle's own runs of this method, side by side
        step, shots = selectors.picture_over_time(workspace=workspace, cycle=run.cycle, run=run)
        picture = [
            {
                "run": shot.run,
                "answered": shot.answered,
                "spread": [
                    (_field_label(step, key), values) for key, values in shot.spread.items()
                ],
            }
            for shot in shots
        ]
    context.update(
        {
            "steps": [s for s in steps if not s.current],
            "current": current,
            "timer": _timer(run, current.step) if current else None,
            "is_open": is_open,
            "earlier_rounds": earlier_rounds,
            "controls": {
                "next": is_open and not last,
                "back": is_open and run.step > 0,
                "reveal": is_open
                and current is not None
                and current.step.private
                and not current.view.revealed,
                "again": is_open and last and bool(definition.repeat_from),
                "complete": is_open and last,
            },
            "outputs": outputs,
            "chain": chain,
            "picture": picture,
            "conflict": conflict,
            "conflict_step": bound.the_step.key if conflict and bound else "",
            "step_count": len(definition.steps),
        }
    )
    return context


def _page(
    request: HttpRequest,
    workspace: Workspace,
    run: MethodRun,
    viewer: Viewer,
    urls: RunUrls,
    *,
    status: int = 200,
    bound: AnswerForm | None = None,
    conflict: EditConflict | None = None,
) -> HttpResponse:
    context = _context(workspace, run, viewer, urls, bound=bound, conflict=conflict)
    return render(request, TEMPLATE, context, status=status)


def _live(
    request: HttpRequest, workspace: Workspace, run: MethodRun, viewer: Viewer, urls: RunUrls
) -> HttpResponse:
    """The live region, or 204 when nothing changed since `v`; when the group is on another
    step (or the run completed), the page reloads (HX-Refresh): its answer forms keep what was
    typed as local drafts (static/js/drafts.js), offered back on the reloaded page."""
    if request.GET.get("at", _place(run)) != _place(run):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    if request.GET.get("v") == live_version(run):
        return HttpResponse(status=204)
    context = _live_context(workspace, run, viewer, urls)
    return render(request, f"{TEMPLATE}#live", context)


def _answer(
    request: HttpRequest, workspace: Workspace, run: MethodRun, viewer: Viewer, urls: RunUrls
) -> HttpResponse:
    participant = viewer.participant
    if participant is None:
        raise PermissionDenied(_("Join the run to answer."))
    step = parse(run.definition).step(request.POST.get("step", ""))
    if step is None:
        messages.error(request, _("That step is not part of this method."))
        return redirect(urls.page)
    group = step.who != "each"
    items = _items(workspace, run, step)
    form = AnswerForm(request.POST, step=step, items=items, group=group)
    try:
        saved = submit(
            form,
            lambda data: services.answer_save(
                workspace=workspace,
                run=run,
                participant=participant,
                step_key=step.key,
                data=form.answer_data(),
                shared=bool(data.get("shared")),
                revision=data.get("revision") if group else None,
            ),
            fields=form.error_targets,
        )
    except EditConflict as error:
        typed = form.answer_data()
        conflict = error.with_yours(
            {f.key: selectors.shown(f, typed.get(f.key)) for f in step.fields}
        )
        kept = AnswerForm(rebind(request.POST, conflict), step=step, items=items, group=group)
        kept.is_valid()
        return _page(
            request, workspace, run, viewer, urls, status=409, bound=kept, conflict=conflict
        )
    if saved is None:
        status = invalid_status(request)  # type: ignore[arg-type]
        return _page(request, workspace, run, viewer, urls, status=status, bound=form)
    messages.success(request, _("Your answer is saved."))
    return redirect(f"{urls.page}#step-{step.key}")


# --- Members' pages (/w/<slug>/...) -------------------------------------------------------------


@workspace_view()
def method_run(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    viewer = _member(request, run)
    urls = _member_urls(request, request.workspace.slug, run)
    return _page(request, request.workspace, run, viewer, urls)


@workspace_view()
def method_run_live(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)  # another workspace's run: 404 before the method is looked at
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    viewer = _member(request, run, controls=False)
    urls = _member_urls(request, request.workspace.slug, run)
    return _live(request, request.workspace, run, viewer, urls)


@require_POST
@workspace_view("methods.run")
def method_run_join(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    services.run_join(workspace=request.workspace, run=run, user=request.user)
    messages.success(request, _("You have joined: answer as the group goes."))
    return redirect("method-run", request.workspace.slug, run.pk)


@require_POST
@workspace_view("methods.run")
def method_run_answer(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    viewer = _member(request, run)
    urls = _member_urls(request, request.workspace.slug, run)
    return _answer(request, request.workspace, run, viewer, urls)


def _moved(request: HttpRequest, error: MovedMeanwhile) -> None:
    messages.warning(
        request,
        _("Someone moved the group to step %(n)s meanwhile: this is where the group is now.")
        % {"n": error.run.step + 1},
    )


@require_POST
@workspace_view("methods.run")
def method_run_move(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    workspace, run = request.workspace, _run(request, run_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a step to move to."))
        return redirect("method-run", workspace.slug, run.pk)
    try:
        act(
            request,
            lambda: services.run_move(
                workspace=workspace,
                run=run,
                user=request.user,
                to=form.cleaned_data["to"],
                expected=form.cleaned_data["expected"],
            ),
        )
    except MovedMeanwhile as error:
        _moved(request, error)
    return redirect("method-run", workspace.slug, run.pk)


@require_POST
@workspace_view("methods.run")
def method_run_reveal(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    workspace, run = request.workspace, _run(request, run_id)
    form = StepForm(request.POST)
    form.is_valid()
    step_key = form.cleaned_data.get("step_key") or ""
    if act(
        request,
        lambda: services.run_reveal(
            workspace=workspace, run=run, user=request.user, step_key=step_key
        ),
    ):
        messages.success(request, _("Answers revealed to the group."))
    return redirect("method-run", workspace.slug, run.pk)


@require_POST
@workspace_view("methods.run")
def method_run_again(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    workspace, run = request.workspace, _run(request, run_id)
    form = StepForm(request.POST)
    form.is_valid()
    expected = form.cleaned_data.get("expected")
    try:
        again = act(
            request,
            lambda: services.run_again(
                workspace=workspace,
                run=run,
                user=request.user,
                expected=run.step if expected is None else expected,
            ),
        )
    except MovedMeanwhile as error:
        _moved(request, error)
    else:
        if again:
            said = _("Round %(n)s: the group goes round again.") % {"n": again.round}
            messages.success(request, said)
    return redirect("method-run", workspace.slug, run.pk)


@require_POST
@workspace_view("methods.run")
def method_run_complete(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    workspace, run = request.workspace, _run(request, run_id)
    outputs = act(
        request, lambda: services.run_complete(workspace=workspace, run=run, user=request.user)
    )
    if outputs is not None:
        messages.success(
            request,
            _("The run is complete: %(n)s written into the cycle, each linked to this run.")
            % {"n": len(outputs)},
        )
    return redirect("method-run", workspace.slug, run.pk)


@workspace_view()
def cycle_method_runs(request: WorkspaceRequest, cycle_id: int) -> HttpResponse:
    workspace = request.workspace
    cycle = access_cycle(workspace=workspace, cycle_id=cycle_id)
    if not request_trust(request).inside(cycle):  # for those inside it, as require_steer
        raise PermissionDenied(steer_refused_message())
    runs = list(selectors.runs_for_cycle(workspace=workspace, cycle=cycle))
    return render(request, "stewardship/methods/cycle_runs.html", {"cycle": cycle, "runs": runs})


# --- Guests (/join/..., outside any workspace) ----------------------------------------------------


def _guest_secret(request: HttpRequest) -> str:
    return request.COOKIES.get(guests.COOKIE, "")


def _no_run(request: HttpRequest, code: str) -> HttpResponse:
    """A code that opens no run: closed (410, for a guest of it) or unknown (404)."""
    closed = guests.closed_run_of_guest(_guest_secret(request))
    if closed is not None:
        return render(
            request, "stewardship/methods/guest_closed.html", {"closed": True}, status=410
        )
    guests.count_miss(request)
    return render(request, "stewardship/methods/guest_closed.html", {"code": code}, status=404)


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(
        request, "stewardship/methods/guest_closed.html", {"too_many": True}, status=429
    )
    response["Retry-After"] = str(guests.MISS_WINDOW_SECONDS)
    return response


@require_http_methods(["GET", "POST"])
def guest_code(request: HttpRequest) -> HttpResponse:
    """Type the code the facilitator read out (or open the link they shared)."""
    if guests.too_many_misses(request):
        return _too_many(request)
    form = GuestCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if guests.run_by_code(code) is not None:
            return redirect("method-guest", code)
        guests.count_miss(request)
        form.add_error(
            "code",
            _(
                "No open run has this code. Check it with the facilitator: a run that has "
                "finished has closed."
            ),
        )
    status = 400 if form.errors else 200
    return render(request, "stewardship/methods/guest_join.html", {"form": form}, status=status)


def _guest_run(request: HttpRequest, code: str) -> MethodRun | HttpResponse:
    if guests.too_many_misses(request):
        return _too_many(request)
    run = guests.run_by_code(code)
    return run if run is not None else _no_run(request, code)


@never_cache  # a guest's view of the run is theirs: no browser or proxy keeps it
@require_http_methods(["GET", "POST"])
def guest_run(request: HttpRequest, code: str) -> HttpResponse:
    """A guest's page of the run: first their name (joining), then the run as the group sees it.
    Only this run: never its cycle, never anything else of the workspace."""
    if code != code.upper():
        return redirect("method-guest", code.upper())
    found = _guest_run(request, code)
    if isinstance(found, HttpResponse):
        return found
    run = found
    with tenant_scope(workspace_id=run.workspace_id):
        participant = guests.guest_in(run=run, secret=_guest_secret(request))
        if participant is not None:
            if request.method == "POST":
                return redirect("method-guest", code)
            return _page(request, run.workspace, run, Viewer(participant), _guest_urls(code))
        form = GuestJoinForm(request.POST or None)
        if request.method == "POST":
            joined = submit(
                form,
                lambda data: services.guest_join(
                    workspace=run.workspace, run=run, name=data["guest_name"]
                ),
            )
            if joined is not None:
                response = redirect("method-guest", code)
                response.set_cookie(
                    guests.COOKIE,
                    joined[1],
                    max_age=guests.COOKIE_SECONDS,
                    path=reverse("method-guest", args=[code]),
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
                return response
        status = 400 if form.errors else 200
        return render(
            request,
            "stewardship/methods/guest_join.html",
            {"form": form, "run": run, "action": reverse("method-guest", args=[code])},
            status=status,
        )


@never_cache  # a guest's view of the run is theirs: no browser or proxy keeps it
@require_GET
def guest_live(request: HttpRequest, code: str) -> HttpResponse:
    run = guests.run_by_code(code)
    if run is None:  # closed meanwhile: the page reloads and says so
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    with tenant_scope(workspace_id=run.workspace_id):
        participant = guests.guest_in(run=run, secret=_guest_secret(request))
        if participant is None:
            raise PermissionDenied
        return _live(request, run.workspace, run, Viewer(participant), _guest_urls(code))


@never_cache  # a guest's view of the run is theirs: no browser or proxy keeps it
@require_POST
def guest_answer(request: HttpRequest, code: str) -> HttpResponse:
    found = _guest_run(request, code)
    if isinstance(found, HttpResponse):
        return found
    with tenant_scope(workspace_id=found.workspace_id):
        participant = guests.guest_in(run=found, secret=_guest_secret(request))
        if participant is None:
            raise PermissionDenied(_("Join the run first, with your name."))
        return _answer(request, found.workspace, found, Viewer(participant), _guest_urls(code))
