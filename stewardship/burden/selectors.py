"""Reads for a cycle's burden ledger: the time it commits, what it stopped doing, and the time
its sessions take in the next four weeks, side by side (never a score: the cycle reads its own
commitment beside its own sessions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles.models import Cycle
from hls.tenancy.models import Membership, Workspace
from stewardship.methods.definition import parse
from stewardship.models import LearningTime, MethodRun, Session, StopDoing
from stewardship.sessions.recurrence import session_slots
from stewardship.sessions.selectors import sessions_visible_to

AHEAD = dt.timedelta(weeks=4)


def hours_and_minutes(minutes: int) -> str:
    """ "4 h 30 min", "45 min", "2 h"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)d min") % {"m": rest}
    if not rest:
        return _("%(h)d h") % {"h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}


@dataclass
class SessionTime:
    session: Session
    meetings: int
    minutes: int

    @property
    def time(self) -> str:
        return hours_and_minutes(self.minutes)


@dataclass
class RunTime:
    run: MethodRun
    minutes: int  # the method's steps' timers: about how long it asks of each person

    @property
    def time(self) -> str:
        return hours_and_minutes(self.minutes)


@dataclass
class Ledger:
    time: LearningTime | None
    stopped: list[StopDoing] = field(default_factory=list)
    resumed: list[StopDoing] = field(default_factory=list)
    sessions: list[SessionTime] = field(default_factory=list)
    runs: list[RunTime] = field(default_factory=list)

    @property
    def meetings_ahead(self) -> int:
        return sum(s.meetings for s in self.sessions)

    @property
    def time_ahead(self) -> str:
        return hours_and_minutes(sum(s.minutes for s in self.sessions))


def ledger(*, workspace: Workspace, membership: Membership, cycle: Cycle) -> Ledger:
    """The cycle's ledger, with the sessions of the cycle the viewer may see and their meetings
    (not cancelled) in the next four weeks, and its method runs in progress or completed in the
    last four weeks with the time their steps ask for. Five queries, whatever the numbers."""
    time = (
        LearningTime.objects.filter(workspace=workspace, cycle=cycle)
        .select_related("updated_by")
        .first()
    )
    items = list(StopDoing.objects.filter(workspace=workspace, cycle=cycle))
    now = timezone.now()
    sessions = (
        sessions_visible_to(workspace=workspace, membership=membership)
        .filter(cycles=cycle, status=Session.Status.ACTIVE)
        .prefetch_related("occurrences")
        .order_by("starts_at", "pk")
    )
    rows = []
    for session in sessions:
        slots = [
            slot
            for slot in session_slots(
                session, after=now, before=now + AHEAD, overrides=list(session.occurrences.all())
            )
            if not slot.cancelled
        ]
        rows.append(SessionTime(session, len(slots), len(slots) * session.duration_minutes))
    runs = MethodRun.objects.filter(workspace=workspace, cycle=cycle).filter(
        Q(status=MethodRun.Status.OPEN) | Q(completed_at__gte=now - AHEAD)
    )
    return Ledger(
        time=time,
        runs=[
            RunTime(run, sum(s.minutes for s in parse(run.definition).steps))
            for run in runs.order_by("-created_at", "-pk")
        ],
        stopped=[i for i in items if i.status == StopDoing.Status.STOPPED],
        resumed=[i for i in items if i.status == StopDoing.Status.RESUMED],
        sessions=rows,
    )


def times_for(
    *, workspace: Workspace, cycles: list[Cycle]
) -> list[tuple[Cycle, LearningTime | None]]:
    """Each cycle with the time it gives to learning (None: not said). One query."""
    times = {
        t.cycle_id: t
        for t in LearningTime.objects.filter(workspace=workspace, cycle__in=[c.pk for c in cycles])
    }
    return [(cycle, times.get(cycle.pk)) for cycle in cycles]


def panel(*, workspace: Workspace, cycle: Cycle) -> tuple[LearningTime | None, int]:
    """What a cycle's page shows of its ledger: the time it gives, and how many things stay
    stopped to make room. Two queries."""
    time = LearningTime.objects.filter(workspace=workspace, cycle=cycle).first()
    stopped = StopDoing.objects.filter(
        workspace=workspace, cycle=cycle, status=StopDoing.Status.STOPPED
    ).count()
    return time, stopped
