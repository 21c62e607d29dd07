"""The agenda of one meeting: the questions due for its cycles' scales and phases, and the
exhibits to look at together, i.e. what happened in its cycles since the last meeting (for a
first meeting: since its cycles began).

Entries are read only through `cycles.selectors.entries_visible_to` (and at least "This cycle"
wide), so a viewer never sees on an agenda what they could not see in the cycle. A constant
number of queries, however many exhibits there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Max, OuterRef, Q, Subquery
from django.urls import reverse

from cycles.models import (
    BarrierResponse,
    BarrierRoute,
    ContextQuestionTarget,
    Cycle,
    Entry,
    Experiment,
)
from cycles.selectors import entries_visible_to
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from stewardship.models import OccurrenceQuestion, Question
from stewardship.sessions.recurrence import Slot
from stewardship.sessions.selectors import previous_slot
from systems.models import ShareLevel

QUESTIONS_LIMIT = 5
EXHIBITS_LIMIT = 30


@dataclass(frozen=True)
class Exhibit:
    kind: str  # "story" | "entry" | "experiment" | "barrier" | "answer" | "question"
    label: str
    text: str
    cycle: str
    when: dt.datetime | None
    url: str


@dataclass
class Agenda:
    structured: bool
    since: dt.datetime
    until: dt.datetime
    first_meeting: bool = False  # `since` is then when the (earliest of the) cycles began
    cycle_count: int = 0
    questions: list[Question] = field(default_factory=list)
    stories: list[Exhibit] = field(default_factory=list)
    experiments: list[Exhibit] = field(default_factory=list)
    barriers: list[Exhibit] = field(default_factory=list)
    open_questions: list[Exhibit] = field(default_factory=list)

    @property
    def has_exhibits(self) -> bool:
        return bool(self.stories or self.experiments or self.barriers or self.open_questions)


def questions_due(
    *, workspace: Workspace, slot: Slot, cycles: list[Cycle], limit: int = QUESTIONS_LIMIT
) -> list[Question]:
    """Active questions for the cycles' scales (or any scale) and current phases (or any phase),
    plus managing and governing questions for those scales: least recently discussed at this
    session first, never-discussed first of all."""
    scales = {cycle.system.scale_id for cycle in cycles}
    phases = {cycle.phase for cycle in cycles}
    last_discussed = (
        OccurrenceQuestion.objects.filter(
            workspace=workspace,
            question=OuterRef("pk"),
            occurrence__session=slot.session,
            occurrence__starts_at__lt=slot.starts_at,
        )
        .values("question")
        .annotate(last=Max("occurrence__starts_at"))
        .values("last")
    )
    return list(
        Question.objects.filter(workspace=workspace, active=True)
        .filter(Q(scale_id__in=scales) | Q(scale__isnull=True))
        .filter(
            Q(mode=Question.Mode.LEARNING, phase__in=[*phases, ""])
            | Q(mode__in=[Question.Mode.MANAGING, Question.Mode.GOVERNING])
        )
        .annotate(last_discussed=Subquery(last_discussed))
        .order_by(F("last_discussed").asc(nulls_first=True), "mode", "pk")[:limit]
    )


def _visible_entry_ids(*, workspace: Workspace, viewer: User, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        entries_visible_to(workspace=workspace, user=viewer)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )


def agenda_for(*, workspace: Workspace, slot: Slot, viewer: User) -> Agenda:
    session = slot.session
    cycles = list(
        Cycle.objects.filter(workspace=workspace, sessioncycle__session=session)
        .select_related("system")
        .order_by("name", "pk")
    )
    cycle_ids = [cycle.pk for cycle in cycles]
    previous = previous_slot(slot)
    if previous is not None:
        since = previous.starts_at
    else:  # a first meeting looks back over all its cycles have done
        since = min((cycle.created_at for cycle in cycles), default=session.created_at)
    until = slot.starts_at
    agenda = Agenda(
        structured=session.structured,
        since=since,
        until=until,
        first_meeting=previous is None,
        cycle_count=len(cycles),
    )
    slug = workspace.slug
    if session.structured:
        agenda.questions = questions_due(workspace=workspace, slot=slot, cycles=cycles)

    # Stories and other entries newly visible to the viewer, at least "This cycle" wide.
    entries = list(
        entries_visible_to(workspace=workspace, user=viewer)
        .at_least(ShareLevel.CYCLE)
        .filter(
            cycle_id__in=cycle_ids,
            created_at__gte=since,
            created_at__lt=until,
        )
        .select_related("cycle")
        .order_by("created_at", "pk")[:EXHIBITS_LIMIT]
    )
    for entry in entries:
        exhibit = Exhibit(
            kind="story" if entry.kind == Entry.Kind.STORY else "entry",
            label=entry.get_kind_display(),
            text=entry.text,
            cycle=entry.cycle.name,
            when=entry.created_at,
            url=reverse("entry-row", args=[slug, entry.pk]),
        )
        if entry.kind == Entry.Kind.QUESTION:
            agenda.open_questions.append(exhibit)
        elif entry.kind != Entry.Kind.BARRIER:  # barriers show with their routes below
            agenda.stories.append(exhibit)

    # Experiment results: ended in the window; "stopped: learnt" stands as any outcome.
    for experiment in (
        Experiment.objects.filter(
            workspace=workspace,
            cycle_id__in=cycle_ids,
            status=Experiment.Status.ENDED,
            ended_at__gte=since,
            ended_at__lt=until,
        )
        .select_related("cycle")
        .order_by("ended_at", "pk")[:EXHIBITS_LIMIT]
    ):
        agenda.experiments.append(
            Exhibit(
                kind="experiment",
                label=f"{experiment.title}: {experiment.get_outcome_display()}",
                text=experiment.learnt,
                cycle=experiment.cycle.name,
                when=experiment.ended_at,
                url=reverse("experiment-detail", args=[slug, experiment.pk]),
            )
        )

    # Barriers raised from or to these cycles, and answers given, in the window.
    in_cycles = Q(from_cycle_id__in=cycle_ids) | Q(to_cycle_id__in=cycle_ids)
    routes = list(
        BarrierRoute.objects.filter(workspace=workspace, raised_at__gte=since, raised_at__lt=until)
        .filter(in_cycles)
        .select_related("entry", "from_cycle", "to_cycle")
        .order_by("raised_at", "pk")[:EXHIBITS_LIMIT]
    )
    responses = list(
        BarrierResponse.objects.filter(
            workspace=workspace, responded_at__gte=since, responded_at__lt=until
        )
        .filter(Q(route__from_cycle_id__in=cycle_ids) | Q(route__to_cycle_id__in=cycle_ids))
        .select_related("route__entry", "route__from_cycle", "route__to_cycle")
        .order_by("responded_at", "pk")[:EXHIBITS_LIMIT]
    )
    visible = _visible_entry_ids(
        workspace=workspace,
        viewer=viewer,
        ids={r.entry_id for r in routes} | {r.route.entry_id for r in responses},
    )
    hidden = "A barrier you cannot read from here (open it to see what you may)."
    for route in routes:
        agenda.barriers.append(
            Exhibit(
                kind="barrier",
                label=f"Barrier raised from {route.from_cycle.name} to {route.to_cycle.name}",
                text=route.entry.text if route.entry_id in visible else hidden,
                cycle=route.from_cycle.name,
                when=route.raised_at,
                url=reverse("barrier-detail", args=[slug, route.pk]),
            )
        )
    for response in responses:
        route = response.route
        agenda.barriers.append(
            Exhibit(
                kind="answer",
                label=f"{route.to_cycle.name} answered: {response.get_state_display()}",
                text=response.text or (route.entry.text if route.entry_id in visible else hidden),
                cycle=route.from_cycle.name,
                when=response.responded_at,
                url=reverse("barrier-detail", args=[slug, route.pk]),
            )
        )
    agenda.barriers.sort(key=lambda exhibit: exhibit.when or until)

    # Questions sent to these cycles from patterns, not yet answered.
    for target in (
        ContextQuestionTarget.objects.filter(
            workspace=workspace,
            cycle_id__in=cycle_ids,
            answered_at__isnull=True,
            question__created_at__lt=until,
        )
        .select_related("question", "cycle")
        .order_by("question__created_at", "pk")[:EXHIBITS_LIMIT]
    ):
        agenda.open_questions.append(
            Exhibit(
                kind="question",
                label="A question waiting for an answer",
                text=target.question.text,
                cycle=target.cycle.name,
                when=target.question.created_at,
                url=reverse("context-question", args=[slug, target.question_id]),
            )
        )
    return agenda
