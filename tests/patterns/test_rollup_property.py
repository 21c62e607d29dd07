"""The monthly roll-ups (cycles.models.EntryRollup) kept by the database's triggers (cycles
migration 0013): after every write that changes what counts - an entry made, edited (kind, day,
cycle, visibility, person), given other themes, deleted, restored or erased; a person's consent
changed; a person removed; a theme merged into another - the rows equal a fresh count of the
shared-upward entries (the ORM's `shared_upward`, the rule the patterns count by). And the
patterns read through them (`entry_counts`, `patterns_summary`: whole months from the
roll-ups, the days of a month the period starts or ends in from the entries) equal the patterns
read from the entries alone, for any period, theme and scale."""

import datetime as dt
from collections import Counter
from unittest import mock

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cycles.models import Entry, EntryRollup, EntryTheme
from cycles.patterns import selectors
from cycles.patterns.selectors import PatternFilter
from hls.tenancy.context import tenant_scope
from systems.models import Person
from tests.factories import (
    CycleFactory,
    EntryFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

DAYS_BACK = 120  # entries happen today or up to four months before: the current month counts
KINDS = ("story", "barrier", "idea")

entry_fields = st.fixed_dictionaries(
    {
        "cycle": st.integers(min_value=0, max_value=2),
        "kind": st.sampled_from(KINDS),
        "days_ago": st.integers(min_value=0, max_value=DAYS_BACK),
        "visibility": st.integers(min_value=0, max_value=4),
        "person": st.sampled_from([None, 0, 1]),
        "themes": st.sets(st.integers(min_value=0, max_value=2), max_size=3),
    }
)
steps = st.one_of(
    st.tuples(st.just("create"), entry_fields),
    st.tuples(st.just("edit"), st.integers(min_value=0), entry_fields),
    st.tuples(st.just("themes"), st.integers(min_value=0), entry_fields),
    st.tuples(st.just("delete"), st.integers(min_value=0)),
    st.tuples(st.just("restore"), st.integers(min_value=0)),
    st.tuples(st.just("erase"), st.integers(min_value=0)),
    st.tuples(st.just("consent"), st.integers(min_value=0, max_value=1), st.integers(0, 4)),
    st.tuples(st.just("remove person"), st.integers(min_value=0, max_value=1)),
    st.tuples(st.just("merge theme"), st.integers(0, 2), st.integers(0, 2)),
)
periods = st.tuples(
    st.integers(min_value=0, max_value=DAYS_BACK + 10),  # first day, days ago
    st.integers(min_value=0, max_value=DAYS_BACK + 10),  # last day, days ago
    st.sampled_from([None, 0, 1]),  # theme
    st.booleans(),  # the first scale only
)


def _fresh_count(cycle_ids: set[int]) -> Counter:
    expected: Counter = Counter()
    shared = Entry.objects.filter(cycle_id__in=cycle_ids, deleted_at__isnull=True).shared_upward()
    for entry in shared.prefetch_related("themes"):
        month = entry.happened_on.replace(day=1)
        expected[(entry.cycle_id, month, entry.kind, None)] += 1
        for theme in entry.themes.all():
            expected[(entry.cycle_id, month, entry.kind, theme.pk)] += 1
    return expected


def _rolled_up(cycle_ids: set[int]) -> Counter:
    rows = EntryRollup.objects.filter(cycle_id__in=cycle_ids)
    return Counter(
        {(r.cycle_id, r.month, r.kind, r.theme_id): r.n for r in rows}  # one row per bucket
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(script=st.lists(steps, max_size=14), checks=st.lists(periods, min_size=1, max_size=4))
def test_the_rollups_stay_a_fresh_count_and_read_as_the_entries_do(workspace, script, checks):
    today = timezone.localdate()
    with tenant_scope(workspace_id=workspace.pk):
        scales = [ScaleFactory(workspace=workspace), ScaleFactory(workspace=workspace)]
        top = SystemFactory(workspace=workspace, scale=scales[0])
        systems = [
            SystemFactory(workspace=workspace, scale=scales[i % 2], parent=top) for i in range(3)
        ]
        upper = CycleFactory(workspace=workspace, system=top)
        cycles = [CycleFactory(workspace=workspace, system=s) for s in systems]
        ids = {c.pk for c in cycles} | {upper.pk}
        people: list[Person | None] = [
            PersonFactory(workspace=workspace, consent_level=level) for level in (3, 4)
        ]
        themes = [ThemeFactory(workspace=workspace) for _ in range(3)]
        entries: list[Entry] = []

        def fields(values):
            person = None if values["person"] is None else people[values["person"]]
            return {
                "cycle": cycles[values["cycle"]],
                "kind": values["kind"],
                "happened_on": today - dt.timedelta(days=values["days_ago"]),
                "visibility": values["visibility"],
                "person": person,
            }

        def set_themes(entry, chosen):
            EntryTheme.objects.filter(entry=entry).delete()
            EntryTheme.objects.bulk_create(
                EntryTheme(workspace=workspace, entry=entry, theme=themes[i]) for i in chosen
            )

        for step in script:
            action = step[0]
            if action == "create":
                entry = EntryFactory(workspace=workspace, **fields(step[1]))
                set_themes(entry, step[1]["themes"])
                entries.append(entry)
            elif action == "consent" and people[step[1]] is not None:
                person = people[step[1]]
                person.consent_level = step[2]
                person.save(update_fields=["consent_level", "updated_at"])
            elif action == "remove person" and people[step[1]] is not None:
                people[step[1]].delete()  # its entries are about no one now
                people[step[1]] = None
            elif action == "merge theme" and step[1] != step[2]:  # as cycles.themes.services
                source, target = themes[step[1]], themes[step[2]]
                already = EntryTheme.objects.filter(theme=target).values("entry_id")
                EntryTheme.objects.filter(theme=source, entry_id__in=already).delete()
                EntryTheme.objects.filter(theme=source).update(theme=target)
            elif entries and action in ("edit", "themes", "delete", "restore", "erase"):
                entry = entries[step[1] % len(entries)]
                entry.refresh_from_db()  # its person may have been removed since
                if action == "edit":
                    for name, value in fields(step[2]).items():
                        setattr(entry, name, value)
                    entry.save()
                elif action == "themes":
                    set_themes(entry, step[2]["themes"])
                elif action in ("delete", "restore"):
                    entry.deleted_at = timezone.now() if action == "delete" else None
                    entry.save(update_fields=["deleted_at", "updated_at"])
                else:
                    entries.remove(entry)
                    entry.delete()
            assert _rolled_up(ids) == _fresh_count(ids), step

        below = selectors.below_ids(workspace=workspace, cycle=upper)
        assert below == {c.pk for c in cycles}
        for first, last, theme, one_scale in checks:
            date_from = today - dt.timedelta(days=max(first, last))
            date_to = today - dt.timedelta(days=min(first, last))
            f = PatternFilter(
                date_from=date_from,
                date_to=date_to,
                theme=None if theme is None else themes[theme],
                scale=scales[0] if one_scale else None,
            )
            read = selectors.entry_counts(workspace=workspace, cycle_ids=below, f=f)
            oracle = selectors.entry_counts_from_entries(workspace=workspace, cycle_ids=below, f=f)
            assert read == oracle, f
        start, end = selectors.default_period()
        f = PatternFilter(date_from=start, date_to=end)
        summary = selectors.patterns_summary(workspace=workspace, cycle_ids=below, f=f)
        with mock.patch.object(selectors, "entry_counts", selectors.entry_counts_from_entries):
            from_entries = selectors.patterns_summary(workspace=workspace, cycle_ids=below, f=f)
        assert summary == from_entries


def test_a_period_of_whole_months_less_some_days_to_come_reads_no_day_already_counted():
    """The current month of the default period is its roll-up minus the days still to come;
    a past month the period ends in is read from the days it keeps or the roll-up minus the
    days it leaves out, whichever are fewer."""
    today = dt.date(2025, 3, 10)
    plan = selectors.count_plan(
        PatternFilter(date_from=dt.date(2025, 1, 1), date_to=today), today=today
    )
    first_three = (dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1))
    assert plan.months == first_three
    assert plan.days == ((dt.date(2025, 3, 11), dt.date(2025, 4, 1), -1),)
    plan = selectors.count_plan(
        PatternFilter(date_from=dt.date(2024, 12, 5), date_to=dt.date(2025, 2, 10)), today=today
    )
    assert plan.months == (dt.date(2024, 12, 1), dt.date(2025, 1, 1))
    assert plan.days == (
        (dt.date(2024, 12, 1), dt.date(2024, 12, 5), -1),
        (dt.date(2025, 2, 1), dt.date(2025, 2, 11), 1),
    )
