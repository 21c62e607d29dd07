"""Reads for cycles. `entries_visible_to` is the one rule for who sees which entry.

An entry's visibility (systems.models.ShareLevel) is never wider than its person's consent: a
new entry may start at any level up to it, an edit widens one step at a time (cycles.services).
Who sees it, by its effective level (`Entry.objects.with_level()`, `Entry.effective_level`):
- PRIVATE: its author only;
- TEAM: also the team of the cycle's system (SystemMember);
- CYCLE: also the members of the cycle (CycleMember);
- SHARED_UPWARD: also those who work in a system above it (at any depth), e.g. the manager of
  the team above a person's cycle;
- WORKSPACE: every member of the workspace.
The author always sees their own entries. Deleted entries (kept for undo) are never listed.
"""

import datetime as _dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import nh3
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from cycles.models import (
    Cycle,
    CycleMember,
    Entry,
    EntryDraft,
    EntryQuerySet,
    EntryRevision,
    EntryTheme,
    Experiment,
    Phase,
    PhaseShift,
    Theme,
)
from cycles.trust import Trust
from hls.accounts.models import User
from hls.tenancy.models import Membership, Role, Workspace
from systems.models import Person, ShareLevel, System, SystemMember
from systems.people.selectors import people_visible_to
from systems.selectors import systems_below, systems_worked_in


def entries_visible_to(
    *, workspace: Workspace, user: User, worked_in: Collection[int] | None = None
) -> EntryQuerySet:
    """The rule above in one comparison: the user's own entries, and those whose effective
    level reaches the narrowest level the user may read in the entry's cycle (`required`, by
    cycle id, so no join: a list in an index's order reads only its page). `worked_in`: the
    user's `systems_worked_in`, when the caller has them already (a request's, read once:
    `request_systems_worked_in`); else they are read here."""
    cycles = Cycle.objects.filter(workspace=workspace)
    team_systems = SystemMember.objects.filter(workspace=workspace, user=user).values("system_id")
    team_cycles = cycles.filter(system_id__in=team_systems).values("pk")
    my_cycles = CycleMember.objects.filter(workspace=workspace, user=user).values("cycle_id")
    if worked_in is None:
        worked_in = systems_worked_in(workspace=workspace, user=user)
    above = systems_below(workspace=workspace, system_ids=set(worked_in))
    cycles_above = cycles.filter(system_id__in=above).values("pk")
    required = Case(  # the first that applies is the narrowest
        When(cycle_id__in=team_cycles, then=Value(ShareLevel.TEAM)),
        When(cycle_id__in=my_cycles, then=Value(ShareLevel.CYCLE)),
        When(cycle_id__in=cycles_above, then=Value(ShareLevel.SHARED_UPWARD)),
        default=Value(ShareLevel.WORKSPACE),
        output_field=IntegerField(),
    )
    return (
        Entry.objects.filter(workspace=workspace, deleted_at__isnull=True)
        .with_level()
        .filter(Q(author=user) | Q(level__gte=required))
    )


# Added for the cycle pages, the timeline and search ------------------------------------------
# (Everything below reads through `entries_visible_to` for entries.)

TIMELINE_PAGE_SIZE = 30
SEARCH_LIMIT = 50


def cycles_for_list(*, workspace: Workspace) -> QuerySet[Cycle]:
    return (
        Cycle.objects.filter(workspace=workspace)
        .select_related("system__scale", "system__parent__scale")
        .order_by("status", "name", "pk")
    )


def may_change_members(*, trust: Trust, membership: Membership | None, cycle: Cycle) -> bool:
    """Who takes part in a cycle is changed by those inside it (cycles.trust: only the cycle
    steers) and by the workspace's admins (configuration)."""
    return trust.may_steer(cycle) or (membership is not None and membership.role == Role.ADMIN)


def phase_counts(
    *, workspace: Workspace, user: User, cycle: Cycle, worked_in: Collection[int] | None = None
) -> dict[str, int]:
    """How many entries the user may see were logged in each phase. Not a score."""
    rows = (
        entries_visible_to(workspace=workspace, user=user, worked_in=worked_in)
        .filter(cycle=cycle)
        .order_by()
        .values("phase")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(Phase.values, 0)
    for row in rows:
        counts[row["phase"]] = row["n"]
    return counts


def phase_shifts_of(*, workspace: Workspace, cycle: Cycle) -> QuerySet[PhaseShift]:
    return PhaseShift.objects.filter(workspace=workspace, cycle=cycle).select_related("shifted_by")


def cycle_members_of(*, workspace: Workspace, cycle: Cycle) -> QuerySet[CycleMember]:
    return (
        CycleMember.objects.filter(workspace=workspace, cycle=cycle)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def people_for_cycle_picker(
    *, workspace: Workspace, user: User, cycle: Cycle, chosen: Collection[int | None] = ()
) -> QuerySet[Person]:
    """The people a cycle's pickers offer (its timeline's filter and inline form): of those the
    user may open (`people_visible_to`), the ones whose own life is the cycle's system or a
    system just below it, the ones the user's own entries in the cycle are about, and any
    already chosen. Never every person the user recorded: a picker's size follows the cycle,
    not the workspace. No query of its own (subqueries). The candidates are found first (each
    `= ANY(ARRAY(...))`, read by index), then checked against `people_visible_to`: with the
    joined system in the OR, every person of the workspace was read and tested (50 ms at
    100,000 people, twice on a timeline)."""
    logged_about = (
        Entry.objects.filter(workspace=workspace, cycle=cycle, author=user, person__isnull=False)
        .order_by()
        .values("person_id")
    )
    systems = (
        System.objects.filter(workspace=workspace)
        .filter(Q(pk=cycle.system_id) | Q(parent_id=cycle.system_id))
        .order_by()
        .values("pk")
    )
    return people_visible_to(workspace=workspace, user=user).filter(
        Q(_in_array("system_id", ArraySubquery(systems)))
        | Q(_in_array("pk", ArraySubquery(logged_about)))
        | Q(pk__in=[pk for pk in chosen if pk is not None])
    )


def themes_for_picker(*, workspace: Workspace) -> QuerySet[Theme]:
    return Theme.objects.filter(workspace=workspace, merged_into__isnull=True).order_by("name")


def cycles_for_picker(*, workspace: Workspace) -> QuerySet[Cycle]:
    return (
        Cycle.objects.filter(workspace=workspace)
        .exclude(status=Cycle.Status.CLOSED)
        .select_related("system__scale", "system__parent__scale")
        .order_by("name", "pk")
    )


def most_recent_cycle(*, workspace: Workspace, user: User) -> Cycle | None:
    """The cycle the user last logged in, else one they take part in."""
    last = (
        Entry.objects.filter(workspace=workspace, author=user)
        .exclude(cycle__status=Cycle.Status.CLOSED)
        .order_by("-created_at", "-pk")
        .select_related("cycle")
        .first()
    )
    if last is not None:
        return last.cycle
    return (
        cycles_for_picker(workspace=workspace)
        .filter(Q(cyclemember__user=user) | Q(system__systemmember__user=user))
        .order_by("-updated_at", "-pk")
        .first()
    )


def draft_for(*, workspace: Workspace, user: User, key: str) -> EntryDraft | None:
    return EntryDraft.objects.filter(workspace=workspace, author=user, key=key).first()


# What `cycles.trust.Trust` reads to name a cycle (a person's life is named by its parent).
CYCLE_NAMING = ("cycle__system__scale", "cycle__system__parent__scale")


def _with_display(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    return (
        entries.select_related(
            "author",
            "person",
            "experiment",
            *CYCLE_NAMING,
            "session_output__occurrence__session",
        )
        .prefetch_related(
            Prefetch(
                "themes",
                queryset=Theme.objects.order_by("name"),
            )
        )
        .annotate(edited=Exists(EntryRevision.objects.filter(entry=OuterRef("pk"))))
    )


@dataclass(frozen=True)
class TimelineFilter:
    phase: str = ""
    kind: str = ""
    theme: Theme | None = None
    person: Person | None = None
    date_from: _dt.date | None = None
    date_to: _dt.date | None = None

    @property
    def narrows_entries(self) -> bool:
        """Filters that only entries have (phase shifts are shown unless one is used)."""
        return bool(self.kind or self.theme or self.person)


def timeline_entries(
    *,
    workspace: Workspace,
    user: User,
    cycle: Cycle,
    filters: TimelineFilter,
    worked_in: Collection[int] | None = None,
) -> QuerySet[Entry]:
    entries = entries_visible_to(workspace=workspace, user=user, worked_in=worked_in).filter(
        cycle=cycle
    )
    if filters.phase:
        entries = entries.filter(phase=filters.phase)
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.theme is not None:
        entries = entries.filter(
            Exists(EntryTheme.objects.filter(entry=OuterRef("pk"), theme=filters.theme))
        )
    if filters.person is not None:
        entries = entries.filter(person=filters.person)
    if filters.date_from:
        entries = entries.filter(happened_on__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(happened_on__lte=filters.date_to)
    return _with_display(entries).order_by(*TIMELINE_ORDER)


# A timeline reads in the order things happened: the day each entry happened (then when it was
# logged); a phase shift, on the day and at the time it was made.
TIMELINE_ORDER = ("-happened_on", "-created_at", "-pk")
TimelineKey = tuple[_dt.date, _dt.datetime]


def entry_timeline_key(entry: Entry) -> TimelineKey:
    return (entry.happened_on, entry.created_at)


def shift_timeline_key(shift: PhaseShift) -> TimelineKey:
    return (timezone.localdate(shift.shifted_at), shift.shifted_at)


def timeline_shifts(
    *,
    workspace: Workspace,
    cycle: Cycle,
    filters: TimelineFilter,
    newer_than: TimelineKey | None,
    up_to: TimelineKey | None,
) -> list[PhaseShift]:
    """The phase shifts that fall between the entries of one timeline page: after `newer_than`
    (the page's oldest entry, when older pages follow) and up to `up_to` (the previous page's
    oldest entry)."""
    if filters.narrows_entries:
        return []
    shifts = phase_shifts_of(workspace=workspace, cycle=cycle)
    if filters.phase:
        shifts = shifts.filter(Q(to_phase=filters.phase) | Q(from_phase=filters.phase))
    if filters.date_from:
        shifts = shifts.filter(shifted_at__date__gte=filters.date_from)
    if filters.date_to:
        shifts = shifts.filter(shifted_at__date__lte=filters.date_to)
    if newer_than is not None:
        shifts = shifts.filter(shifted_at__date__gte=newer_than[0])
    if up_to is not None:
        shifts = shifts.filter(shifted_at__date__lte=up_to[0])
    return [
        shift
        for shift in shifts
        if (newer_than is None or shift_timeline_key(shift) > newer_than)
        and (up_to is None or shift_timeline_key(shift) <= up_to)
    ]


@dataclass(frozen=True)
class TimelinePage:
    """One page of a timeline (`?page=N`, TIMELINE_PAGE_SIZE entries), without counting the
    cycle's entries: one row more than the page says whether older ones follow, and one row
    before it (from the second page on) is the newer page's oldest entry, `up_to`, where this
    page's phase shifts stop. The page shows "Newer" and "Older", not "Page N of M" (the count
    of a big cycle's visible entries cost more than the page itself)."""

    number: int
    entries: list[Entry]
    has_next: bool
    up_to: TimelineKey | None

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def timeline_page(entries: QuerySet[Entry], page: str | None) -> TimelinePage:
    """Page `page` of `entries` (in TIMELINE_ORDER), read in one query (and its prefetch). As
    Django's `Paginator.get_page`: not a number gives the first page; a page past the end (or
    under 1) the last one, which only then needs a count."""
    try:
        number = int(page or 1)
    except (TypeError, ValueError):
        number = 1
    if number >= 1:
        found = _timeline_page(entries, number)
        if found is not None:
            return found
    last = max(-(-entries.order_by().count() // TIMELINE_PAGE_SIZE), 1)
    return _timeline_page(entries, last) or TimelinePage(last, [], False, None)


def _timeline_page(entries: QuerySet[Entry], number: int) -> TimelinePage | None:
    """Page `number`, or None if it is past the end (the first page always exists)."""
    size = TIMELINE_PAGE_SIZE
    start = (number - 1) * size
    rows = list(entries[max(start - 1, 0) : start + size + 1])
    boundary = rows.pop(0) if start and rows else None
    if not rows and number > 1:
        return None
    return TimelinePage(
        number=number,
        entries=rows[:size],
        has_next=len(rows) > size,
        up_to=entry_timeline_key(boundary) if boundary is not None else None,
    )


def entry_revisions(*, workspace: Workspace, entry: Entry) -> QuerySet[EntryRevision]:
    return EntryRevision.objects.filter(workspace=workspace, entry=entry).select_related(
        "edited_by"
    )


def deleted_entry_of_author(*, workspace: Workspace, user: User, entry_id: int) -> Entry | None:
    """An entry its author deleted (kept for undo). Nobody else ever reaches it."""
    return (
        Entry.objects.filter(
            workspace=workspace, author=user, pk=entry_id, deleted_at__isnull=False
        )
        .select_related("cycle")
        .first()
    )


@dataclass(frozen=True)
class SearchResults:
    entries: Sequence[Entry]
    experiments: Sequence[Experiment]
    cycles: Sequence[Cycle]

    @property
    def count(self) -> int:
        return len(self.entries) + len(self.experiments) + len(self.cycles)


def _only_marks(html: str) -> str:
    """A headline from PostgreSQL with only our <mark> tags left; everything else escaped."""
    return nh3.clean(html, tags={"mark"}, attributes={}, strip_comments=True)


# The ids of the current workspace's entries (experiments) that match, newest first and at
# most SEARCH_CANDIDATES of them, found through the GIN index (or, for a common word, the
# primary key walked backwards) by a function that may read only ids and vectors
# (cycles/migrations/0012, 0014): under row-level security `@@` (not leakproof) cannot use the
# index. The rows are then read as always, under the workspace policy (and the visibility rule),
# and matched again. `= ANY(ARRAY(...))` makes the candidates the plan's starting point (read by
# primary key), whatever the planner guesses of a function's rows.
SEARCH_CANDIDATES = 2000
ENTRY_CANDIDATES = (
    "ARRAY(SELECT cycles_entry_ids_matching(websearch_to_tsquery('english'::regconfig, %s), %s))"
)
EXPERIMENT_CANDIDATES = (
    "ARRAY(SELECT cycles_experiment_ids_matching("
    "websearch_to_tsquery('english'::regconfig, %s), %s))"
)


def _pk_in_array(array: Any) -> Func:
    """The row's id is in `array`: `id = ANY(array)`. Unlike `IN (subquery)`, the planner reads
    these rows by primary key, whatever it guesses of the subquery's size."""
    return _in_array("pk", array)


def _in_array(field: str, array: Any) -> Func:
    """`field = ANY(array)`: an index condition (an ARRAY subquery is computed once, first)."""
    return Func(
        F(field),
        array,
        arg_joiner=" = ANY(",
        template="%(expressions)s)",
        output_field=BooleanField(),
    )


def _is_candidate(sql: str, q: str) -> Func:
    return _pk_in_array(RawSQL(sql, [q, SEARCH_CANDIDATES]))  # noqa: S611 - q bound


def _searched_parts(field: Callable[[str], Any], text: Callable[[str], Any]) -> list[Any]:
    """An experiment's searched text, one part per line (each field's Markdown starts on a line
    of its own): the title, then what we try, the prediction and what was learnt."""
    return [
        field("title"), text(".\n"), field("what_we_will_try"), text("\n"),
        field("prediction"), text("\n"), field("learnt"),
    ]  # fmt: skip


def experiment_searched_text(experiment: Experiment) -> str:
    """The text a search result's headline for `experiment` was cut from (`search`)."""
    return "".join(_searched_parts(lambda name: getattr(experiment, name), str))


def search(*, workspace: Workspace, user: User, q: str) -> SearchResults:
    """Ranked full-text search over what the user may see: entries (by the visibility rule),
    and the workspace's experiments and cycles. Entries and experiments are ranked among the
    newest SEARCH_CANDIDATES that match in the workspace (all of them, unless the word is
    common): a page of results never ranks or headlines every match of a common word."""
    q = q.strip()
    if not q:
        return SearchResults([], [], [])
    query = SearchQuery(q, config="english", search_type="websearch")
    headline: dict[str, Any] = {"start_sel": "<mark>", "stop_sel": "</mark>", "config": "english"}
    # The page of each is chosen first (ranked, with no joins), then read with what it shows
    # and headlined: only a page of rows is joined and headlined.
    visible = entries_visible_to(workspace=workspace, user=user)
    entry_order = ("-rank", "-created_at", "-pk")
    entries = list(
        visible.filter(
            _pk_in_array(
                ArraySubquery(
                    visible.filter(_is_candidate(ENTRY_CANDIDATES, q), search=query)
                    .annotate(rank=SearchRank(F("search"), query))
                    .order_by(*entry_order)
                    .values("pk")[:SEARCH_LIMIT]
                )
            )
        )
        .select_related(*CYCLE_NAMING, "author")
        .annotate(
            rank=SearchRank(F("search"), query),
            headline=SearchHeadline("text", query, max_words=35, min_words=15, **headline),
        )
        .order_by(*entry_order)
    )
    in_workspace = Experiment.objects.filter(workspace=workspace)
    experiments = list(
        in_workspace.filter(
            _pk_in_array(
                ArraySubquery(
                    in_workspace.filter(_is_candidate(EXPERIMENT_CANDIDATES, q), search=query)
                    .annotate(rank=SearchRank(F("search"), query))
                    .order_by("-rank", "-pk")
                    .values("pk")[:SEARCH_LIMIT]
                )
            )
        )
        .select_related(*CYCLE_NAMING, "owner")
        .annotate(
            rank=SearchRank(F("search"), query),
            headline=SearchHeadline(
                Concat(*_searched_parts(F, Value), output_field=TextField()),
                query,
                max_words=35,
                min_words=15,
                **headline,
            ),
        )
        .order_by("-rank", "-pk")
    )
    cycle_vector = SearchVector("name", "purpose", "learning_questions", config="english")
    cycles = list(
        Cycle.objects.filter(workspace=workspace)
        .annotate(vector=cycle_vector)
        .filter(vector=query)
        .select_related("system__scale", "system__parent__scale")
        .annotate(
            rank=SearchRank(cycle_vector, query),
            headline=SearchHeadline("purpose", query, **headline),
        )
        .order_by("-rank", "-pk")[:SEARCH_LIMIT]
    )
    for item in (*entries, *experiments, *cycles):
        item.headline = _only_marks(item.headline)  # type: ignore[attr-defined]
    return SearchResults(entries, experiments, cycles)


# Today (cycles.today) --------------------------------------------------------------------------

TODAY_NEW_DAYS = 7  # "what is new": the last week
TODAY_LIMIT = 5


def today_since() -> _dt.datetime:
    return timezone.now() - _dt.timedelta(days=TODAY_NEW_DAYS)


def cycles_held_with_news(
    *, workspace: Workspace, user: User, system_ids: frozenset[int], since: _dt.datetime
) -> QuerySet[Cycle]:
    """The open cycles the user is inside (cycles.trust: their systems), each with `new`: how
    many entries others logged in it since `since` that the user may see, and `latest_at`. One
    query. Cycles with news first."""
    new = (
        entries_visible_to(workspace=workspace, user=user)
        .filter(cycle=OuterRef("pk"), created_at__gte=since)
        .exclude(author=user)
        .order_by()
        .values("cycle")
    )
    return (
        Cycle.objects.filter(workspace=workspace, system_id__in=system_ids)
        .exclude(status=Cycle.Status.CLOSED)
        .select_related("system__scale", "system__parent__scale")
        .annotate(
            new=Coalesce(Subquery(new.annotate(n=Count("pk")).values("n")[:1]), 0),
            latest_at=Subquery(new.annotate(at=Max("created_at")).values("at")[:1]),
        )
        .order_by(F("latest_at").desc(nulls_last=True), "name", "pk")
    )


def drafts_of(*, workspace: Workspace, user: User) -> QuerySet[EntryDraft]:
    """The user's unsent drafts (server side) that hold some text, newest first."""
    return (
        EntryDraft.objects.filter(workspace=workspace, author=user)
        .exclude(data__text="")
        .filter(data__has_key="text")
        .select_related("cycle__system__scale", "cycle__system__parent__scale")
        .order_by("-updated_at", "-pk")
    )
