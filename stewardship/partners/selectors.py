"""Reads for learning partners: a cycle's heads-up notes as the member may read them (access.py
decides), the small panel on the cycle's page, and a partner's home across the cycles and
places it supports. Every selector takes the workspace; each costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from cycles.models import ContextQuestionTarget, Cycle
from cycles.patterns.selectors import questions_waiting_in
from cycles.trust import Trust
from hls.accounts.models import User
from hls.tenancy.models import Membership, Workspace
from stewardship.models import HeadsUp, MethodRun, Occurrence, RunParticipant, Session
from stewardship.partners import access
from stewardship.sessions.recurrence import Slot, session_slots
from stewardship.setup.selectors import default_place_scale
from systems.models import System

CYCLE_NAMING = ("cycle__system__scale", "cycle__system__parent__scale")
PANEL_LIMIT = 3
MEETINGS_AHEAD = dt.timedelta(weeks=8)
HOME_LIMIT = 20


def _open_first() -> Case:
    open_ = When(status=HeadsUp.Status.OPEN, then=Value(0))
    return Case(open_, default=Value(1), output_field=IntegerField())


def cycle_heads_ups(
    *, workspace: Workspace, membership: Membership, trust: Trust, cycle: Cycle
) -> list[HeadsUp]:
    """The cycle's heads-ups this member may read: open ones first, then answered, newest first
    in each. One query."""
    return list(
        access.heads_ups_visible_to(workspace=workspace, membership=membership, trust=trust)
        .filter(cycle=cycle)
        .select_related("author", "answered_by")
        .order_by(_open_first(), "-created_at", "-pk")
    )


@dataclass(frozen=True)
class Panel:
    open: list[HeadsUp]  # at most PANEL_LIMIT
    more: bool  # more open ones than shown
    steward: bool  # the member reads every heads-up of the cycle (known without a query)
    may_write: bool


def panel(*, workspace: Workspace, membership: Membership, trust: Trust, cycle: Cycle) -> Panel:
    """What the cycle's page shows: the open heads-ups the member may read (a few, newest
    first), and whether they may write one. One query."""
    rows = list(
        access.heads_ups_visible_to(workspace=workspace, membership=membership, trust=trust)
        .filter(cycle=cycle, status=HeadsUp.Status.OPEN)
        .select_related("author")
        .order_by("-created_at", "-pk")[: PANEL_LIMIT + 1]
    )
    return Panel(
        open=rows[:PANEL_LIMIT],
        more=len(rows) > PANEL_LIMIT,
        steward=access.reads_all_inside(membership=membership, trust=trust, cycle=cycle),
        may_write=access.may_write(membership=membership, trust=trust, cycle=cycle),
    )


# The partner's home ---------------------------------------------------------------------------


@dataclass
class Place:
    system: System | None  # None: the cycles under no place
    cycles: list[Cycle] = field(default_factory=list)


@dataclass
class Home:
    places: list[Place]
    meetings: list[Slot]
    questions: list[ContextQuestionTarget]
    heads_ups: list[HeadsUp]
    runs: list[MethodRun]

    @property
    def cycle_count(self) -> int:
        return sum(len(place.cycles) for place in self.places)


def _places_above(*, workspace: Workspace, system_ids: list[int], scale_id: int) -> dict[int, int]:
    """For each system, the nearest system at `scale_id` that is it or above it. One query."""
    if not system_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE up(start_id, id, parent_id, scale_id, depth) AS (
                SELECT id, id, parent_id, scale_id, 0 FROM systems_system
                WHERE workspace_id = %s AND id = ANY(%s)
              UNION
                SELECT u.start_id, s.id, s.parent_id, s.scale_id, u.depth + 1
                FROM systems_system s JOIN up u ON s.id = u.parent_id
                WHERE s.workspace_id = %s AND u.depth < 50
            )
            SELECT DISTINCT ON (start_id) start_id, id FROM up
            WHERE scale_id = %s ORDER BY start_id, depth
            """,
            [workspace.pk, system_ids, workspace.pk, scale_id],
        )
        return {start: place for start, place in cursor.fetchall()}


def supported_cycles(*, workspace: Workspace, trust: Trust) -> QuerySet[Cycle]:
    """The cycles a partner supports: those it is inside (cycles/trust.py: invited into the
    cycle, or in its system's team), open ones first. No query until read."""
    return (
        Cycle.objects.filter(workspace=workspace, system_id__in=sorted(trust.systems))
        .select_related("system__scale", "system__parent__scale")
        .order_by(
            Case(
                When(status=Cycle.Status.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            "name",
            "pk",
        )
    )


def _places(*, workspace: Workspace, cycles: list[Cycle]) -> list[Place]:
    """The cycles grouped under the places (systems at the place scale) they belong to or are
    under, places by name, then the cycles under none. Three to five queries."""
    scale = default_place_scale(workspace=workspace)
    above = (
        _places_above(
            workspace=workspace,
            system_ids=sorted({c.system_id for c in cycles}),
            scale_id=scale.pk,
        )
        if scale is not None and cycles
        else {}
    )
    systems = {
        s.pk: s
        for s in System.objects.filter(
            workspace=workspace, pk__in=sorted(set(above.values()))
        ).select_related("scale")
    }
    grouped: dict[int | None, Place] = {}
    for cycle in cycles:
        place_id = above.get(cycle.system_id)
        key = place_id if place_id in systems else None
        grouped.setdefault(key, Place(systems.get(key) if key is not None else None))
        grouped[key].cycles.append(cycle)
    places = sorted(
        (p for k, p in grouped.items() if k is not None),
        key=lambda p: (p.system.name if p.system else "", p.system.pk if p.system else 0),
    )
    if None in grouped:
        places.append(grouped[None])
    return places


def facilitated_meetings(*, workspace: Workspace, membership: Membership) -> list[Slot]:
    """The coming meetings (next eight weeks, not cancelled) of the active sessions the member
    facilitates, soonest first. Three queries."""
    now = timezone.now()
    sessions = (
        Session.objects.filter(
            workspace=workspace, facilitator_id=membership.user_id, status=Session.Status.ACTIVE
        )
        .prefetch_related(
            Prefetch("occurrences", queryset=Occurrence.objects.order_by("starts_at", "pk")),
            Prefetch(
                "cycles",
                queryset=Cycle.objects.select_related(
                    "system__scale", "system__parent__scale"
                ).order_by("name", "pk"),
            ),
        )
        .order_by("starts_at", "pk")
    )
    slots: list[Slot] = []
    for session in sessions:
        slots += [
            slot
            for slot in session_slots(
                session,
                after=now,
                before=now + MEETINGS_AHEAD,
                overrides=list(session.occurrences.all()),
            )
            if not slot.cancelled
        ]
    slots.sort(key=lambda slot: (slot.starts_at, slot.session.pk))
    return slots[:HOME_LIMIT]


def heads_ups_written_by(*, workspace: Workspace, membership: Membership) -> list[HeadsUp]:
    """The member's own heads-ups in every cycle, with the answers: open first. One query."""
    return list(
        HeadsUp.objects.filter(workspace=workspace, author_id=membership.user_id)
        .select_related(*CYCLE_NAMING, "answered_by")
        .order_by(_open_first(), "-created_at", "-pk")
    )


def method_runs_of(*, workspace: Workspace, membership: Membership) -> list[MethodRun]:
    """Method runs the member facilitates or takes part in, those in progress first, newest
    first. One query."""
    user_id = membership.user_id
    runs = (
        MethodRun.objects.filter(workspace=workspace)
        .filter(
            Q(facilitator_id=user_id)
            | Q(pk__in=RunParticipant.objects.filter(workspace=workspace, user_id=user_id).values(
                "run_id"
            ))
        )
        .select_related(*CYCLE_NAMING)
        .order_by(
            Case(
                When(status=MethodRun.Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "-created_at",
            "-pk",
        )
    )  # fmt: skip
    return list(runs[:HOME_LIMIT])


def home(*, workspace: Workspace, membership: Membership, user: User, trust: Trust) -> Home:
    """Everything a learning partner's home shows (`user` is the member's, as the request has
    it loaded). A fixed number of queries."""
    cycles = list(supported_cycles(workspace=workspace, trust=trust))
    questions = list(
        questions_waiting_in(workspace=workspace, user=user, system_ids=frozenset(trust.systems))[
            :HOME_LIMIT
        ]
    )
    return Home(
        places=_places(workspace=workspace, cycles=cycles),
        meetings=facilitated_meetings(workspace=workspace, membership=membership),
        questions=questions,
        heads_ups=heads_ups_written_by(workspace=workspace, membership=membership),
        runs=method_runs_of(workspace=workspace, membership=membership),
    )
