"""Reads for measures (issue 16). `measures_visible_to` is the one rule for who sees which
measure; everything else here reads through it.

A measure climbs the same ladder as an entry (cycles/selectors.py `entries_visible_to`), by its
effective level (`cycles.models.effective_level`: its `visibility`, capped by the consent of
the person it concerns):
- PRIVATE: whoever made it;
- TEAM: also the team of the cycle's system;
- CYCLE: also the members of the cycle;
- SHARED_UPWARD: those who work in a system above it, at any depth, learn that it shows a
  signal, with the cycle's own note (`signals_from_below`): never its values, which stay with
  the team and the cycle;
- WORKSPACE: every member of the workspace, values included.
And one more rule: a person's own cycle (a person-scale system) keeps its measures and the
person's own terms with those who work with the person (those inside the cycle), whatever the
level: a person's life is not a number to be seen from above. What the cycles above learn
from a measure is its signal in words and the cycle's own note (`signals_from_below`), never
its values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from cycles.connections import cycle_ids_below
from cycles.measures import charts
from cycles.models import (
    Cycle,
    CycleMember,
    DataPoint,
    Experiment,
    Measure,
    PhaseShift,
    WhatMatters,
    WhatMattersRating,
    effective_level,
)
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from systems.models import Person, ShareLevel, SystemMember
from systems.selectors import systems_below, systems_worked_in

# What `cycles.trust.Trust.cycle_name` reads to name a measure's cycle.
MEASURE_CYCLE_NAMING = ("cycle__system__scale", "cycle__system__parent__scale")


def measures_visible_to(
    *,
    workspace: Workspace,
    user: User,
    worked_in: Collection[int] | None = None,
    signals_only: bool = False,
) -> QuerySet[Measure]:
    """Every measure whose values the user may see (archived ones too; callers choose),
    annotated `level` (its effective level). With `signals_only`, also those shared upward to
    a system the user works in above them: for their signal and note only, never their values
    (`signals_from_below`). `worked_in`: the user's `systems_worked_in`, when the caller has
    them (a request's); else they are read here."""
    if worked_in is None:
        worked_in = systems_worked_in(workspace=workspace, user=user)
    worked = set(worked_in)
    cycles = Cycle.objects.filter(workspace=workspace)
    team_systems = SystemMember.objects.filter(workspace=workspace, user=user).values("system_id")
    team_cycles = cycles.filter(system_id__in=team_systems).values("pk")
    my_cycles = CycleMember.objects.filter(workspace=workspace, user=user).values("cycle_id")
    rungs = [
        When(cycle_id__in=team_cycles, then=Value(ShareLevel.TEAM)),
        When(cycle_id__in=my_cycles, then=Value(ShareLevel.CYCLE)),
    ]
    if signals_only:
        above = systems_below(workspace=workspace, system_ids=worked)
        cycles_above = cycles.filter(system_id__in=above).values("pk")
        rungs.append(When(cycle_id__in=cycles_above, then=Value(ShareLevel.SHARED_UPWARD)))
    required = Case(  # the first that applies is the narrowest
        *rungs, default=Value(ShareLevel.WORKSPACE), output_field=IntegerField()
    )
    return (
        Measure.objects.filter(workspace=workspace)
        .annotate(level=effective_level())
        .filter(Q(created_by=user) | Q(level__gte=required))
        # a person's own cycle: only those who work with the person
        .filter(Q(cycle__system__scale__is_person_scale=False) | Q(cycle__system_id__in=worked))
    )


def measures_of_cycle(
    *, workspace: Workspace, user: User, cycle: Cycle, worked_in: Collection[int] | None = None
) -> list[Measure]:
    """The cycle's measures the user may see, in use first, each with `latest` (its newest
    point or None) and `count`. Two queries whatever the number of measures."""
    measures = list(
        measures_visible_to(workspace=workspace, user=user, worked_in=worked_in)
        .filter(cycle=cycle)
        .select_related("person")
        .order_by("archived", "name", "pk")
    )
    latest: dict[int, DataPoint] = {}
    counts: dict[int, int] = defaultdict(int)
    if measures:
        for point in DataPoint.objects.filter(
            workspace=workspace, measure_id__in=[m.pk for m in measures]
        ).order_by("measure_id", "on"):
            latest[point.measure_id] = point
            counts[point.measure_id] += 1
    for measure in measures:
        measure.latest = latest.get(measure.pk)  # type: ignore[attr-defined]
        measure.count = counts[measure.pk]  # type: ignore[attr-defined]
    return measures


def points_of(*, workspace: Workspace, measure: Measure) -> list[DataPoint]:
    """A measure's points, oldest first."""
    return list(DataPoint.objects.filter(workspace=workspace, measure=measure).order_by("on"))


@dataclass(frozen=True)
class Annotation:
    """Something on the chart's time axis: an experiment starting or ending, a phase move."""

    date: dt.date
    label: str


def annotations_for(*, workspace: Workspace, cycle: Cycle) -> list[Annotation]:
    """The cycle's experiments' start and end dates and its phase moves, by date. Two
    queries."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    found: list[Annotation] = []
    for experiment in Experiment.objects.filter(workspace=workspace, cycle=cycle).only(
        "title", "starts_on", "ends_on", "started_at", "ended_at"
    ):
        start = experiment.starts_on or (
            timezone.localdate(experiment.started_at) if experiment.started_at else None
        )
        end = experiment.ends_on or (
            timezone.localdate(experiment.ended_at) if experiment.ended_at else None
        )
        if start:
            found.append(Annotation(start, _("“%(title)s” starts") % {"title": experiment.title}))
        if end:
            found.append(Annotation(end, _("“%(title)s” ends") % {"title": experiment.title}))
    for shift in PhaseShift.objects.filter(workspace=workspace, cycle=cycle).only(
        "to_phase", "shifted_at"
    ):
        found.append(
            Annotation(
                timezone.localdate(shift.shifted_at),
                _("Moved to %(phase)s") % {"phase": shift.get_to_phase_display()},
            )
        )
    return sorted(found, key=lambda a: (a.date, a.label))


# The person's own terms --------------------------------------------------------------------


def person_of_cycle(*, workspace: Workspace, cycle: Cycle) -> Person | None:
    """The person whose own life the cycle's system is (a person-scale cycle), if recorded."""
    if not cycle.system.scale.is_person_scale:
        return None
    return (
        Person.objects.filter(workspace=workspace, system_id=cycle.system_id).order_by("pk").first()
    )


@dataclass
class OwnTerm:
    item: WhatMatters
    ratings: list[WhatMattersRating]

    @property
    def latest(self) -> WhatMattersRating | None:
        return self.ratings[-1] if self.ratings else None


def what_matters_of(
    *, workspace: Workspace, cycle: Cycle, person: Person, archived: bool = False
) -> list[OwnTerm]:
    """The person's own items in their cycle, each with its ratings oldest first. Two queries.
    Callers check first that the user works with the person (`access_own_terms`)."""
    items = list(
        WhatMatters.objects.filter(
            workspace=workspace, cycle=cycle, person=person, archived=archived
        ).order_by("position", "pk")
    )
    ratings: dict[int, list[WhatMattersRating]] = defaultdict(list)
    if items:
        for rating in WhatMattersRating.objects.filter(
            workspace=workspace, item_id__in=[i.pk for i in items]
        ).order_by("item_id", "on"):
            ratings[rating.item_id].append(rating)
    return [OwnTerm(item, ratings[item.pk]) for item in items]


# Signals travel up, never numbers ------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """One measure of a cycle below that shows a signal now, as the cycle above sees it: the
    measure's name, what kind of signal in words and the cycle's own note. No values."""

    cycle: Cycle
    measure_id: int
    measure_name: str
    kinds: tuple[str, ...]  # the signals in words ("A shift: 6 points in a row above the median")
    note: str
    note_at: dt.datetime | None


def analyse(chart: str, values: Sequence[Decimal | float]) -> Any:
    """The chart's analysis of a measure's values (cycles.measures.charts)."""
    if chart == Measure.Chart.CONTROL:
        return charts.control_chart(values)
    return charts.run_chart(values)


def signals_from_below(
    *,
    workspace: Workspace,
    user: User,
    cycle: Cycle,
    worked_in: Collection[int] | None = None,
) -> list[Signal]:
    """Which measures of the cycles below `cycle` show a signal now, among those the user may
    see that are shared upward or wider (capped by consent; never a person's own cycle's).
    Recomputed from the points, read in one query: the queries do not grow with the number of
    measures. Cycles in name order, measures in name order; no value leaves this function."""
    below = cycle_ids_below(workspace=workspace, cycle=cycle)
    if not below:
        return []
    measures = list(
        measures_visible_to(workspace=workspace, user=user, worked_in=worked_in, signals_only=True)
        .filter(Q(level__gte=ShareLevel.SHARED_UPWARD), cycle_id__in=below, archived=False)
        .select_related(*MEASURE_CYCLE_NAMING)
        .order_by("cycle__name", "cycle_id", "name", "pk")
    )
    if not measures:
        return []
    values: dict[int, list[Decimal]] = defaultdict(list)
    for measure_id, value in (
        DataPoint.objects.filter(workspace=workspace, measure_id__in=[m.pk for m in measures])
        .order_by("measure_id", "on")
        .values_list("measure_id", "value")
    ):
        values[measure_id].append(value)
    found: list[Signal] = []
    for measure in measures:
        kinds = current_signal_words(measure.chart, values[measure.pk])
        if kinds:
            found.append(
                Signal(
                    cycle=measure.cycle,
                    measure_id=measure.pk,
                    measure_name=measure.name,
                    kinds=kinds,
                    note=measure.signal_note,
                    note_at=measure.signal_note_at,
                )
            )
    return found


def signal_words(kind: str, chart: str) -> str:
    """A signal's kind in words, with no number in them (the charts' own texts give values and
    limits, which stay with the cycle)."""
    from django.utils.translation import gettext as _

    line = _("the mean") if chart == Measure.Chart.CONTROL else _("the median")
    words = {
        "long_run": _("A shift: an unusually long run of points on one side of %(line)s"),
        "few_crossings": _("Unusually few crossings of %(line)s"),
        "beyond_limits": _("A point beyond the control limits"),
    }
    return words.get(kind, _("A signal of non-random variation")) % {"line": line}


def current_signal_words(chart: str, values: Sequence[Decimal]) -> tuple[str, ...]:
    """The signals a measure shows now, in words: those that reach its newest point (a run it
    is still in, its newest point beyond a limit) and too few crossings (about the whole
    series). A shift long past, once the points came back, is history: the cycle's own page
    shows it."""
    analysis = analyse(chart, values)
    if not values or getattr(analysis, "too_few", False):
        return ()
    newest = len(values) - 1
    kinds = [s.kind for s in analysis.signals if s.kind == "few_crossings" or newest in s.indices]
    return tuple(dict.fromkeys(signal_words(kind, chart) for kind in kinds))


def all_points_of(
    *, workspace: Workspace, measures: Sequence[Measure]
) -> dict[int, list[DataPoint]]:
    """The points of several measures (one query), oldest first, by measure id."""
    found: dict[int, list[DataPoint]] = defaultdict(list)
    if measures:
        for point in DataPoint.objects.filter(
            workspace=workspace, measure_id__in=[m.pk for m in measures]
        ).order_by("measure_id", "on"):
            found[point.measure_id].append(point)
    return found
