"""Reads for the patterns view and for "back to context" questions.

The patterns of a cycle are made of the entries of every cycle below it (any depth,
`cycles.connections.cycle_ids_below`) that are shared upward (`Entry.objects.shared_upward()`:
their visibility capped by the person's consent) and not deleted. Counts are aggregated in
PostgreSQL in one read of the entries per page (`entry_counts`: `cycle_id IN (...)` and a range
on the plain `happened_on` column, served by the covering `cycles_entry_patterns` index); every
function costs a constant number of queries whatever the size of the data. `patterns_summary`
is the one read model of the numbers, small counts suppressed and totals withheld once, for the
web page and the API alike.

Lists of entries (drill-downs, stories, barriers) only ever show what the viewer may see
(`entries_visible_to`): numbers count what was shared upward, lists show what you may read.
Nothing here counts per author, and nothing sorts cycles, teams or places by a number.

Who may do what (no new capability in hls/tenancy/permissions.py):
- every member of the workspace may open the patterns of any cycle;
- sending a question back to context: roles admin, steward and manager (`may_ask_back`);
- answering a question: `entries.create` and taking part in the receiving cycle (CycleMember)
  or working in its system (SystemMember) (`may_answer`).
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cycles.connections import cycle_ids_below
from cycles.models import (
    BarrierRoute,
    ContextAnswer,
    ContextQuestion,
    ContextQuestionTarget,
    Cycle,
    CycleLink,
    CycleMember,
    Entry,
    EntryQuerySet,
    EntryRollup,
    EntryTheme,
    Experiment,
    Theme,
)
from cycles.selectors import CYCLE_NAMING, TIMELINE_ORDER, entries_visible_to
from hls.accounts.models import User
from hls.tenancy.models import Membership, Role, Workspace
from systems.models import Scale, System, SystemMember
from systems.selectors import systems_below

ASKING_ROLES = frozenset({Role.ADMIN, Role.STEWARD, Role.MANAGER})
LIST_LIMIT = 10
MAX_MONTHS = 36


@dataclass(frozen=True)
class PatternFilter:
    date_from: _dt.date
    date_to: _dt.date
    system: System | None = None
    scale: Scale | None = None
    theme: Theme | None = None
    # Drill-down only:
    month: _dt.date | None = None  # first day of a month
    kind: str = ""


def month_starts(date_from: _dt.date, date_to: _dt.date) -> list[_dt.date]:
    """The first day of every month the period touches, oldest first."""
    months = []
    current = date_from.replace(day=1)
    while current <= date_to:
        months.append(current)
        current = (current + _dt.timedelta(days=32)).replace(day=1)
    return months


def default_period(today: _dt.date | None = None) -> tuple[_dt.date, _dt.date]:
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    start = today.replace(day=1)
    for _ in range(11):
        start = (start - _dt.timedelta(days=1)).replace(day=1)
    return start, today


def _month_bounds(month: _dt.date) -> tuple[_dt.date, _dt.date]:
    """The first day of the month and the first day of the next."""
    start = month.replace(day=1)
    return start, (start + _dt.timedelta(days=32)).replace(day=1)


# Small counts (the web's patterns page and the API share the rule) -------------------------


@dataclass(frozen=True)
class ShownCount:
    """A number as shown: suppressed under the threshold (unless zero), and a total withheld
    when one of its parts hides something (shown, the total minus the visible parts would give
    the hidden number away). Where it links is the presenter's business."""

    n: int
    threshold: int
    part_hidden: bool = False  # one of the parts this total is made of hides something

    @property
    def suppressed(self) -> bool:
        return 0 < self.n < self.threshold

    @property
    def withheld(self) -> bool:
        return self.part_hidden and self.n > 0

    @property
    def hides(self) -> bool:
        """Whether this number, as shown, hides something (suppressed or withheld)."""
        return self.suppressed or self.withheld

    @property
    def shown(self) -> int | None:
        """The number as it may be shown: None when it hides something."""
        return None if self.hides else self.n


def _total(n: int, threshold: int, parts: Iterable[ShownCount]) -> ShownCount:
    return ShownCount(n, threshold, part_hidden=any(part.hides for part in parts))


# Scope ---------------------------------------------------------------------------------------


def below_ids(*, workspace: Workspace, cycle: Cycle) -> set[int]:
    return cycle_ids_below(workspace=workspace, cycle=cycle)


def systems_below_cycle(*, workspace: Workspace, cycle_ids: set[int]) -> QuerySet[System]:
    """The systems of the cycles below (for the child-system filter), by name."""
    return (
        System.objects.filter(workspace=workspace, cycles__id__in=cycle_ids)
        .distinct()
        .order_by("name", "pk")
    )


def scoped_cycle_ids(
    *, workspace: Workspace, cycle_ids: set[int], system: System | None
) -> set[int]:
    """The cycles below, narrowed to a child system and everything nested under it."""
    if system is None:
        return cycle_ids
    subtree = systems_below(workspace=workspace, system_ids={system.pk}) | {system.pk}
    return set(
        Cycle.objects.filter(
            workspace=workspace, pk__in=cycle_ids, system_id__in=subtree
        ).values_list("pk", flat=True)
    )


def _filtered(entries: EntryQuerySet, cycle_ids: set[int], f: PatternFilter) -> EntryQuerySet:
    entries = entries.shared_upward().filter(
        cycle_id__in=cycle_ids,
        happened_on__gte=f.date_from,  # a range on the plain column (index-friendly)
        happened_on__lt=f.date_to + _dt.timedelta(days=1),
    )
    if f.scale is not None:
        entries = entries.filter(cycle__system__scale=f.scale)
    if f.theme is not None:
        entries = entries.filter(
            Exists(EntryTheme.objects.filter(entry=OuterRef("pk"), theme=f.theme))
        )
    if f.month is not None:
        start, end = _month_bounds(f.month)
        entries = entries.filter(happened_on__gte=start, happened_on__lt=end)
    if f.kind:
        entries = entries.filter(kind=f.kind)
    return entries


def shared_entries(
    *, workspace: Workspace, cycle_ids: set[int], f: PatternFilter
) -> QuerySet[Entry]:
    """Every entry behind the numbers: shared upward from the given cycles, not deleted."""
    base = Entry.objects.filter(workspace=workspace, deleted_at__isnull=True)
    return _filtered(base, cycle_ids, f)


def visible_shared_entries(
    *, workspace: Workspace, user: User, cycle_ids: set[int], f: PatternFilter
) -> QuerySet[Entry]:
    """The entries behind the numbers that this viewer may see."""
    return _filtered(entries_visible_to(workspace=workspace, user=user), cycle_ids, f)


# Aggregates ----------------------------------------------------------------------------------


@dataclass
class ThemeRow:
    theme_id: int
    name: str
    kind: str
    by_month: dict[_dt.date, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_month.values())


@dataclass(frozen=True)
class EntryCounts:
    """What the numbers of a patterns page take from the entries, read in one query
    (`entry_counts`): shared-upward entries per theme and month (an entry counts once under
    each of its themes), per month whatever their themes, and per kind over the period."""

    by_theme_month: dict[tuple[int, _dt.date], int]
    by_month: dict[_dt.date, int]
    by_kind: dict[str, int]


# One read of the entries behind the numbers: the filtered entries (the ORM's SQL, so the
# rule of what counts stays `shared_entries`) are materialised once, then grouped twice, by
# month and kind and, joined to their themes, by theme and month. `{sign}` is 1, or -1 for
# days taken away from a whole month of the roll-ups.
_COUNTS_SQL = """
WITH counted AS MATERIALIZED ({entries})
SELECT NULL::bigint AS theme_id, date_trunc('month', counted.happened_on::timestamp)::date,
       counted.kind, {sign} * count(*)
  FROM counted
 GROUP BY 2, 3
UNION ALL
SELECT et.theme_id, date_trunc('month', counted.happened_on::timestamp)::date, NULL,
       {sign} * count(*)
  FROM counted
  JOIN cycles_entrytheme et ON et.entry_id = counted.id AND et.workspace_id = %s{theme}
 GROUP BY 1, 2
"""

# The whole months, from the roll-ups (cycles.models.EntryRollup), in the rows `_COUNTS_SQL`
# gives, in one pass over them: per month and kind (the rows with no theme) and per theme and
# month (summed over the kinds). With a theme filter only that theme's rows are read, and
# give both.
_ROLLUP_SQL = """
SELECT rolled.theme_id, rolled.month, CASE WHEN rolled.theme_id IS NULL THEN rolled.kind END,
       sum(rolled.n)
  FROM ({rollups}) rolled
 GROUP BY 1, 2, 3
"""
_ROLLUP_THEME_SQL = """
SELECT rolled.theme_id, rolled.month, rolled.kind, sum(rolled.n)
  FROM ({rollups}) rolled
 GROUP BY GROUPING SETS ((rolled.month, rolled.kind), (rolled.theme_id, rolled.month))
"""


@dataclass(frozen=True)
class CountPlan:
    """Where the counts of a period come from: the roll-ups of its whole months, plus or minus
    the entries of some days (`(first day, day after the last, sign)`)."""

    months: tuple[_dt.date, ...]
    days: tuple[tuple[_dt.date, _dt.date, int], ...]


def count_plan(f: PatternFilter, today: _dt.date | None = None) -> CountPlan:
    """The roll-ups for every whole month of the period. A month the period starts or ends in
    is counted from its entries on the days the period keeps, or, when the days it leaves out
    are fewer, from its roll-up minus the entries of those days (days still to come cost
    nothing: the current month of the default period is its roll-up minus nothing)."""
    today = today or timezone.localdate()
    end = f.date_to + _dt.timedelta(days=1)
    months: list[_dt.date] = []
    days: list[tuple[_dt.date, _dt.date, int]] = []
    for month in month_starts(f.date_from, f.date_to):
        first, after = _month_bounds(month)
        keep = (max(first, f.date_from), min(after, end))
        if keep == (first, after):
            months.append(month)
            continue
        left_out = [(a, b) for a, b in ((first, keep[0]), (keep[1], after)) if a < b]

        def cost(a: _dt.date, b: _dt.date) -> int:
            return max(0, (min(b, today + _dt.timedelta(days=1)) - a).days)

        if sum(cost(a, b) for a, b in left_out) < cost(*keep):
            months.append(month)
            days.extend((a, b, -1) for a, b in left_out)
        else:
            days.append((*keep, 1))
    return CountPlan(tuple(months), tuple(days))


def _entry_counts_sql(
    *, workspace: Workspace, cycle_ids: set[int], f: PatternFilter, sign: int
) -> tuple[str, list[Any]]:
    entries = (
        shared_entries(workspace=workspace, cycle_ids=cycle_ids, f=f)
        .order_by()
        .values("id", "happened_on", "kind")
    )
    entries_sql, entries_params = entries.query.sql_with_params()
    params = [*entries_params, workspace.pk]
    theme = ""
    if f.theme is not None:
        theme = " AND et.theme_id = %s"
        params.append(f.theme.pk)
    return _COUNTS_SQL.format(entries=entries_sql, theme=theme, sign=int(sign)), params


def _rollup_counts_sql(
    *, workspace: Workspace, cycle_ids: set[int], f: PatternFilter, months: Iterable[_dt.date]
) -> tuple[str, list[Any]]:
    rollups = EntryRollup.objects.filter(
        workspace=workspace, cycle_id__in=cycle_ids, month__in=list(months)
    )
    if f.scale is not None:  # the same cycles as `_filtered`
        rollups = rollups.filter(cycle__system__scale=f.scale)
    if f.theme is not None:  # the entries with that theme, counted under it only
        rollups = rollups.filter(theme=f.theme)
    sql, params = (
        rollups.order_by().values("theme_id", "month", "kind", "n").query.sql_with_params()
    )
    template = _ROLLUP_SQL if f.theme is None else _ROLLUP_THEME_SQL
    return template.format(rollups=sql), list(params)


def _counts(rows: Iterable[tuple[int | None, _dt.date, str | None, int]]) -> EntryCounts:
    by_theme_month: dict[tuple[int, _dt.date], int] = defaultdict(int)
    by_month: dict[_dt.date, int] = defaultdict(int)
    by_kind: dict[str, int] = defaultdict(int)
    for theme_id, month, kind, n in rows:
        if theme_id is None:
            assert kind is not None
            by_month[month] += n
            by_kind[kind] += n
        else:
            by_theme_month[(theme_id, month)] += n

    def counted(numbers: dict[Any, int]) -> dict[Any, int]:
        return {key: n for key, n in numbers.items() if n}

    return EntryCounts(counted(by_theme_month), counted(by_month), counted(by_kind))


def entry_counts_from_entries(
    *, workspace: Workspace, cycle_ids: set[int], f: PatternFilter
) -> EntryCounts:
    """`entry_counts` read from the entries alone (a drill-down's month or kind; and the
    oracle the roll-ups are tested against). One query."""
    try:
        sql, params = _entry_counts_sql(workspace=workspace, cycle_ids=cycle_ids, f=f, sign=1)
    except EmptyResultSet:  # no cycles below: nothing to count, as the ORM would (no query)
        return EntryCounts({}, {}, {})
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _counts(cursor.fetchall())


def entry_counts(*, workspace: Workspace, cycle_ids: set[int], f: PatternFilter) -> EntryCounts:
    """The entry numbers of the patterns of `cycle_ids` for the filter (the theme filter keeps
    entries with that theme and counts only that theme). One query: the monthly roll-ups
    (`EntryRollup`) of the period's whole months, and the entries of the days a month the
    period starts or ends in adds or takes away (`count_plan`), over the
    `cycles_entry_patterns` index (workspace, cycle, date range)."""
    if not cycle_ids:  # nothing to count, as the ORM would (no query)
        return EntryCounts({}, {}, {})
    if f.month is not None or f.kind:
        return entry_counts_from_entries(workspace=workspace, cycle_ids=cycle_ids, f=f)
    plan = count_plan(f)
    parts: list[str] = []
    params: list[Any] = []
    if plan.months:
        sql, part_params = _rollup_counts_sql(
            workspace=workspace, cycle_ids=cycle_ids, f=f, months=plan.months
        )
        parts.append(sql)
        params.extend(part_params)
    for first, after, sign in plan.days:
        days = replace(f, date_from=first, date_to=after - _dt.timedelta(days=1))
        sql, part_params = _entry_counts_sql(
            workspace=workspace, cycle_ids=cycle_ids, f=days, sign=sign
        )
        parts.append(sql)
        params.extend(part_params)
    if not parts:  # an empty period
        return EntryCounts({}, {}, {})
    sql = " UNION ALL ".join(f"SELECT * FROM ({part}) AS part" for part in parts)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _counts(cursor.fetchall())


def theme_month_counts(
    *, workspace: Workspace, cycle_ids: set[int], f: PatternFilter
) -> dict[tuple[int, _dt.date], int]:
    """(theme id, first day of month) -> number of shared-upward entries. One query."""
    return entry_counts(workspace=workspace, cycle_ids=cycle_ids, f=f).by_theme_month


def theme_rows(*, workspace: Workspace, counts: dict[tuple[int, _dt.date], int]) -> list[ThemeRow]:
    """The themes that have counts, by name (never by a number). One query."""
    theme_ids = {theme_id for theme_id, _month in counts}
    if not theme_ids:
        return []
    themes = Theme.objects.filter(workspace=workspace, pk__in=theme_ids).order_by("name", "pk")
    by_theme: dict[int, dict[_dt.date, int]] = defaultdict(dict)
    for (theme_id, month), n in counts.items():
        by_theme[theme_id][month] = n
    return [ThemeRow(t.pk, t.name, t.kind, dict(by_theme[t.pk])) for t in themes]


def experiment_portfolio(
    *, workspace: Workspace, cycle_ids: set[int], f: PatternFilter
) -> dict[tuple[str, str], int]:
    """(status, outcome) -> number of experiments (latest versions) in the cycles below. These
    are the cycles' shared work, not about a person. One query."""
    rows = (
        experiments_below(workspace=workspace, cycle_ids=cycle_ids, f=f)
        .order_by()
        .values("status", "outcome")
        .annotate(n=Count("pk"))
    )
    return {(row["status"], row["outcome"]): row["n"] for row in rows}


def experiments_below(
    *, workspace: Workspace, cycle_ids: set[int], f: PatternFilter
) -> QuerySet[Experiment]:
    experiments = Experiment.objects.filter(
        workspace=workspace, cycle_id__in=cycle_ids, next_version__isnull=True
    )
    if f.scale is not None:
        experiments = experiments.filter(cycle__system__scale=f.scale)
    return experiments


def experiments_learnt(
    *, workspace: Workspace, cycle_ids: set[int], f: PatternFilter
) -> list[Experiment]:
    """Ended experiments and what was learnt, newest first. "Stopped: learnt" stands with
    the other outcomes."""
    return list(
        experiments_below(workspace=workspace, cycle_ids=cycle_ids, f=f)
        .filter(status=Experiment.Status.ENDED)
        .select_related(*CYCLE_NAMING)
        .order_by("-ended_at", "-pk")[:LIST_LIMIT]
    )


def recent_stories(
    *, workspace: Workspace, user: User, cycle_ids: set[int], f: PatternFilter
) -> list[Entry]:
    stories = PatternFilter(**{**f.__dict__, "kind": Entry.Kind.STORY})
    return list(
        _newest(
            visible_shared_entries(workspace=workspace, user=user, cycle_ids=cycle_ids, f=stories)
        )
        .select_related(*CYCLE_NAMING)
        .order_by(*TIMELINE_ORDER)
    )


def _newest(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    """The newest LIST_LIMIT of `entries`, chosen in a subquery without the joins the page
    needs, so the database walks `cycles_entry_kind_recent` newest first and stops when it has
    enough (with the joins it sorted every entry of the cycles below: 0.5 s for a place)."""
    newest = entries.order_by(*TIMELINE_ORDER).values("pk")[:LIST_LIMIT]
    return entries.filter(pk__in=newest)


def barriers_raised(
    *, workspace: Workspace, user: User, cycle_ids: set[int], f: PatternFilter
) -> list[Entry]:
    """Barriers raised below that the viewer may see, newest first, with their routes."""
    barriers = PatternFilter(**{**f.__dict__, "kind": Entry.Kind.BARRIER})
    return list(
        _newest(
            visible_shared_entries(workspace=workspace, user=user, cycle_ids=cycle_ids, f=barriers)
        )
        .select_related(*CYCLE_NAMING)
        .prefetch_related(
            Prefetch(
                "barrier_routes",
                queryset=BarrierRoute.objects.select_related(
                    "to_cycle__system__scale", "to_cycle__system__parent__scale"
                ).order_by("-raised_at", "-pk"),
            )
        )
        .order_by(*TIMELINE_ORDER)
    )


# The read model of the numbers --------------------------------------------------------------


@dataclass(frozen=True)
class ThemePattern:
    """One theme's row: a count per month of the period, and its total."""

    theme_id: int
    name: str
    kind: str
    cells: tuple[ShownCount, ...]  # one per `PatternsSummary.months`
    total: ShownCount


@dataclass(frozen=True)
class PortfolioCount:
    """Experiments (latest versions) with a status, and for ended ones an outcome ("" when
    none was recorded; for planned and running ones, any)."""

    status: str
    outcome: str
    count: ShownCount


# The portfolio's rows, in the order both surfaces show them: every outcome stands alike.
PORTFOLIO_ROWS: tuple[tuple[str, str], ...] = (
    (Experiment.Status.PLANNED, ""),
    (Experiment.Status.RUNNING, ""),
    *((Experiment.Status.ENDED, value) for value in Experiment.Outcome.values),
    (Experiment.Status.ENDED, ""),
)


@dataclass(frozen=True)
class PatternsSummary:
    """Every number of a cycle's patterns, small counts suppressed and totals withheld once:
    the web page and the API only present it.

    - `themes[i].cells[j]`: entries shared upward with the theme in `months[j]` (an entry
      counts once under each of its themes); `themes[i].total` is the sum of its cells,
      withheld when one of them hides something;
    - `month_totals[j]`: entries shared upward in `months[j]`, whatever their themes, withheld
      when a theme's cell of that month hides something;
    - `total`: the sum of the month totals, withheld when one of them hides something;
    - `stories`, `barriers`: entries of that kind in the period;
    - `portfolio`: experiments by status and outcome (`PORTFOLIO_ROWS`)."""

    threshold: int
    months: tuple[_dt.date, ...]
    themes: tuple[ThemePattern, ...]
    month_totals: tuple[ShownCount, ...]
    total: ShownCount
    stories: ShownCount
    barriers: ShownCount
    portfolio: tuple[PortfolioCount, ...]


def summarise(
    *,
    threshold: int,
    months: list[_dt.date],
    rows: list[ThemeRow],
    totals: dict[_dt.date, int],
    portfolio: dict[tuple[str, str], int],
    stories: int,
    barriers: int,
) -> PatternsSummary:
    """The counts, as they may be shown (no query): the one place small counts are suppressed
    and the totals that would give them away withheld."""
    themes = []
    for row in rows:
        cells = tuple(ShownCount(row.by_month.get(m, 0), threshold) for m in months)
        themes.append(
            ThemePattern(
                theme_id=row.theme_id,
                name=row.name,
                kind=row.kind,
                cells=cells,
                total=_total(row.total, threshold, cells),
            )
        )
    month_totals = tuple(
        _total(totals.get(m, 0), threshold, (theme.cells[i] for theme in themes))
        for i, m in enumerate(months)
    )

    def experiments(status: str, outcome: str) -> int:
        if status != Experiment.Status.ENDED:
            return sum(n for (s, _o), n in portfolio.items() if s == status)
        return portfolio.get((status, outcome), 0)

    return PatternsSummary(
        threshold=threshold,
        months=tuple(months),
        themes=tuple(themes),
        month_totals=month_totals,
        total=_total(sum(totals.values()), threshold, month_totals),
        stories=ShownCount(stories, threshold),
        barriers=ShownCount(barriers, threshold),
        portfolio=tuple(
            PortfolioCount(status, outcome, ShownCount(experiments(status, outcome), threshold))
            for status, outcome in PORTFOLIO_ROWS
        ),
    )


def patterns_summary(
    *, workspace: Workspace, cycle_ids: set[int], f: PatternFilter
) -> PatternsSummary:
    """The numbers of the patterns of `cycle_ids` (the cycles below, narrowed by
    `scoped_cycle_ids`) for the filter, as they may be shown. At most three queries
    (`entry_counts`, the themes' names when some have counts, the experiment portfolio),
    whatever the size of the data."""
    counts = entry_counts(workspace=workspace, cycle_ids=cycle_ids, f=f)
    return summarise(
        threshold=workspace.small_count_threshold,
        months=month_starts(f.date_from, f.date_to),
        rows=theme_rows(workspace=workspace, counts=counts.by_theme_month),
        totals=counts.by_month,
        portfolio=experiment_portfolio(workspace=workspace, cycle_ids=cycle_ids, f=f),
        stories=counts.by_kind.get(Entry.Kind.STORY, 0),
        barriers=counts.by_kind.get(Entry.Kind.BARRIER, 0),
    )


def cycles_concerned(
    *, workspace: Workspace, cycle_ids: set[int], f: PatternFilter
) -> QuerySet[Cycle]:
    """The cycles below whose shared entries make up a pattern, by name."""
    entries = shared_entries(workspace=workspace, cycle_ids=cycle_ids, f=f)
    return (
        Cycle.objects.filter(workspace=workspace, pk__in=entries.values("cycle_id"))
        .select_related("system")
        .order_by("name", "pk")
    )


# Back to context -----------------------------------------------------------------------------


def may_ask_back(membership: Membership | None) -> bool:
    return membership is not None and membership.role in ASKING_ROLES


def may_answer(*, workspace: Workspace, membership: Membership | None, cycle: Cycle) -> bool:
    if membership is None or membership.role == Role.VIEWER:  # entries.create
        return False
    user = membership.user
    return (
        CycleMember.objects.filter(workspace=workspace, cycle=cycle, user=user).exists()
        or SystemMember.objects.filter(
            workspace=workspace, system_id=cycle.system_id, user=user
        ).exists()
    )


def open_questions_for(*, workspace: Workspace, cycle: Cycle) -> list[ContextQuestionTarget]:
    """Questions sent to this cycle and not answered yet, newest first. One query."""
    return list(
        ContextQuestionTarget.objects.filter(
            workspace=workspace, cycle=cycle, answered_at__isnull=True
        )
        .select_related(
            "question__asked_from__system__scale",
            "question__asked_from__system__parent__scale",
            "question__asked_by",
        )
        .order_by("-question__created_at", "-pk")
    )


def waiting_question_count(*, workspace: Workspace, cycle: Cycle) -> int:
    """How many questions asked from this cycle still wait for an answer from a cycle."""
    return (
        ContextQuestion.objects.filter(workspace=workspace, asked_from=cycle)
        .filter(Q(targets__answered_at__isnull=True))
        .distinct()
        .count()
    )


def _with_answers(questions: QuerySet[ContextQuestion]) -> QuerySet[ContextQuestion]:
    return questions.select_related(
        "asked_from__system__scale", "asked_from__system__parent__scale", "asked_by"
    ).prefetch_related(
        Prefetch(
            "targets",
            queryset=ContextQuestionTarget.objects.select_related(*CYCLE_NAMING)
            .order_by("cycle__name", "pk")
            .prefetch_related(
                Prefetch("answers", queryset=ContextAnswer.objects.select_related("author"))
            ),
        )
    )


def questions_asked_from(*, workspace: Workspace, cycle: Cycle) -> QuerySet[ContextQuestion]:
    return _with_answers(
        ContextQuestion.objects.filter(workspace=workspace, asked_from=cycle).order_by(
            "-created_at", "-pk"
        )
    )


def question_with_answers(*, workspace: Workspace, question_id: int) -> ContextQuestion | None:
    return _with_answers(
        ContextQuestion.objects.filter(workspace=workspace, pk=question_id)
    ).first()


def targets_answerable_by(
    *, workspace: Workspace, membership: Membership | None, question: ContextQuestion
) -> set[int]:
    """The targets of a question this member may answer (see `may_answer`). One query."""
    if membership is None or membership.role == Role.VIEWER:
        return set()
    user = membership.user
    return set(
        ContextQuestionTarget.objects.filter(workspace=workspace, question=question)
        .filter(Q(cycle__cyclemember__user=user) | Q(cycle__system__systemmember__user=user))
        .values_list("pk", flat=True)
        .distinct()
    )


# Today (cycles.today) --------------------------------------------------------------------------


def questions_waiting_in(
    *, workspace: Workspace, user: User, system_ids: frozenset[int]
) -> QuerySet[ContextQuestionTarget]:
    """Questions others sent back to the cycles of these systems (those `user` is inside) and
    not answered yet, newest first. One query."""
    return (
        ContextQuestionTarget.objects.filter(
            workspace=workspace, cycle__system_id__in=system_ids, answered_at__isnull=True
        )
        .exclude(question__asked_by=user)
        .select_related(
            *CYCLE_NAMING,
            "question__asked_from__system__scale",
            "question__asked_from__system__parent__scale",
        )
        .order_by("-question__created_at", "-pk")
    )


def questions_asked_by(*, workspace: Workspace, user: User) -> QuerySet[ContextQuestion]:
    """The questions the user sent back to context, newest first, with each cycle's answers."""
    return _with_answers(
        ContextQuestion.objects.filter(workspace=workspace, asked_by=user).order_by(
            "-created_at", "-pk"
        )
    )


def cycles_with_patterns(
    *, workspace: Workspace, system_ids: frozenset[int] | None = None
) -> QuerySet[Cycle]:
    """The open cycles of these systems (None: of every system) that have cycles below them (a
    system nested under theirs, or a cycle linked to them as its parent): where a patterns page
    has something to show. One query."""
    cycles = Cycle.objects.filter(workspace=workspace)
    if system_ids is not None:
        cycles = cycles.filter(system_id__in=system_ids)
    return (
        cycles.exclude(status=Cycle.Status.CLOSED)
        .filter(
            Exists(System.objects.filter(workspace=workspace, parent_id=OuterRef("system_id")))
            | Exists(
                CycleLink.objects.filter(
                    workspace=workspace,
                    other=OuterRef("pk"),
                    kind=CycleLink.Kind.PARENT,
                    ended_at__isnull=True,
                )
            )
        )
        .select_related("system__scale", "system__parent__scale")
        .order_by("name", "pk")
    )


def new_shared_from_below(
    *, workspace: Workspace, user: User, system_ids: frozenset[int], since: _dt.datetime
) -> QuerySet[Entry]:
    """Entries shared upward since `since` from the systems nested under these (the cycles
    below those the user holds) that the user may see, newest first: the stories behind what
    is new in the patterns."""
    below = systems_below(workspace=workspace, system_ids=set(system_ids)) - system_ids
    return (
        entries_visible_to(workspace=workspace, user=user)
        .shared_upward()
        .filter(cycle__system_id__in=below, created_at__gte=since)
        .select_related(*CYCLE_NAMING)
        .order_by("-created_at", "-pk")
    )
