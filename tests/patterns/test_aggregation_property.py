"""The theme-by-month counts against a brute-force count over randomly generated trees."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cycles.models import Entry, EntryTheme
from cycles.patterns import selectors
from cycles.patterns.selectors import PatternFilter
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.factories import (
    CycleFactory,
    CycleLinkFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

trees = st.fixed_dictionaries(
    {
        # parent index of each system (None = a root), always an earlier system: a forest
        "parents": st.lists(st.integers(min_value=-1, max_value=20), min_size=2, max_size=7),
        "extra_parent": st.booleans(),
        "entries": st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=20),  # cycle
                st.integers(min_value=0, max_value=4),  # visibility
                st.sampled_from([None, 0, 1, 2, 3, 4]),  # person consent (None: no person)
                st.sets(st.integers(min_value=0, max_value=2), max_size=3),  # themes
                st.integers(min_value=0, max_value=4),  # months ago
                st.booleans(),  # deleted
            ),
            max_size=25,
        ),
    }
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=trees)
def test_theme_month_counts_match_a_brute_force_count(workspace, data):
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace)
        systems = []
        for index, parent in enumerate(data["parents"]):
            parent_system = systems[parent % index] if index and parent >= 0 else None
            systems.append(SystemFactory(workspace=workspace, scale=scale, parent=parent_system))
        cycles = [CycleFactory(workspace=workspace, system=s) for s in systems]
        top = cycles[0]
        parent_of = {
            i: (data["parents"][i] % i if i and data["parents"][i] >= 0 else None)
            for i in range(len(systems))
        }
        linked = set()
        if data["extra_parent"] and len(cycles) > 2:
            # the last cycle also learns from the top one, unless that would make a loop
            last = len(cycles) - 1
            CycleLinkFactory(workspace=workspace, cycle=cycles[last], other=top, kind="parent")
            linked.add(last)
        themes = [ThemeFactory(workspace=workspace) for _ in range(3)]
        author = UserFactory()
        now = timezone.localtime().replace(day=15, hour=12, minute=0, second=0, microsecond=0)
        made = []
        for cycle_i, visibility, consent, theme_ids, months_ago, deleted in data["entries"]:
            when = now
            for _ in range(months_ago):
                when = (when.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
            person = (
                PersonFactory(workspace=workspace, consent_level=consent)
                if consent is not None
                else None
            )
            entry = Entry.objects.create(
                workspace=workspace,
                cycle=cycles[cycle_i % len(cycles)],
                kind="story",
                phase="understand",
                text="x",
                author=author,
                visibility=visibility,
                person=person,
                deleted_at=now if deleted else None,
            )
            # It happened then; it was logged now (patterns count by when it happened).
            Entry.objects.filter(pk=entry.pk).update(happened_on=when.date())
            for t in theme_ids:
                EntryTheme.objects.create(workspace=workspace, entry=entry, theme=themes[t])
            made.append((cycle_i % len(cycles), visibility, consent, theme_ids, when, deleted))

        # Brute force: which cycles are below the top one, then count by hand.
        def below_top(i):
            seen = set()
            while True:
                if i in linked or parent_of[i] == 0:
                    return True
                if parent_of[i] is None or i in seen:
                    return False
                seen.add(i)
                i = parent_of[i]

        expected = Counter()
        for cycle_i, visibility, consent, theme_ids, when, deleted in made:
            if cycle_i == 0 or deleted or not below_top(cycle_i):
                continue
            level = visibility if consent is None else min(visibility, consent)
            if level < ShareLevel.SHARED_UPWARD:
                continue
            for t in theme_ids:
                expected[(themes[t].pk, when.date().replace(day=1))] += 1

        ids = selectors.below_ids(workspace=workspace, cycle=top)
        start = (now - dt.timedelta(days=200)).date()
        counts = selectors.theme_month_counts(
            workspace=workspace,
            cycle_ids=ids,
            f=PatternFilter(date_from=start, date_to=now.date()),
        )
        assert counts == dict(expected)
        # Clean up for the next example (same test transaction).
        Entry.objects.filter(workspace=workspace).delete()
