"""The numbers of a patterns page cost one query (issue 14): every entry count (themes by month,
month totals, stories, barriers) of the period's whole months comes from the monthly roll-ups
(cycles.models.EntryRollup), and the days of a month the period starts or ends in from the
entries, on a range of the plain `happened_on` column that the `cycles_entry_patterns` index
serves. The numbers themselves are checked against brute force in test_aggregation_property.py,
test_summary_property.py and test_rollup_property.py."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cycles.patterns import selectors
from cycles.patterns.selectors import PatternFilter
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.factories import EntryFactory, EntryThemeFactory, ThemeFactory

pytestmark = pytest.mark.django_db

SCANS_OF_ENTRIES = re.compile(r"\bon cycles_entry\b")
SCANS_OF_ROLLUPS = re.compile(r"\bon cycles_entryrollup\b")


def _counted(cast, f):
    ids = selectors.below_ids(workspace=cast.workspace, cycle=cast.upper)
    with CaptureQueriesContext(connection) as captured:
        counts = selectors.entry_counts(workspace=cast.workspace, cycle_ids=ids, f=f)
    assert len(captured.captured_queries) == 1
    sql = captured.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return counts, sql, plan


def test_every_entry_count_comes_from_one_query_whole_months_from_the_rollups(cast):
    day = dt.date(2025, 3, 14)
    with tenant_scope(workspace_id=cast.workspace.pk):
        letters = ThemeFactory(workspace=cast.workspace, name="Fear of letters")
        for kind in ("story", "story", "barrier", "idea"):
            entry = EntryFactory(
                workspace=cast.workspace,
                cycle=cast.cycle,
                kind=kind,
                happened_on=day,
                visibility=ShareLevel.SHARED_UPWARD,
            )
            EntryThemeFactory(workspace=cast.workspace, entry=entry, theme=letters)
        whole = _counted(
            cast, PatternFilter(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 3, 31))
        )
        # March ends the period on the 20th: its roll-up less the entries of the 21st to 31st.
        less = _counted(
            cast, PatternFilter(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 3, 20))
        )
        # ... on the 14th: the entries of the 1st to the 14th.
        days = _counted(cast, PatternFilter(date_from=dt.date(2025, 1, 1), date_to=day))
    march = dt.date(2025, 3, 1)
    for counts, _sql, _plan in (whole, less, days):
        assert counts.by_theme_month == {(letters.pk, march): 4}
        assert counts.by_month == {march: 4}
        assert counts.by_kind == {"story": 2, "barrier": 1, "idea": 1}
    counts, sql, plan = whole
    assert len(SCANS_OF_ENTRIES.findall(plan)) == 0, plan
    assert len(SCANS_OF_ROLLUPS.findall(plan)) == 1, plan
    # A month's days are a range on the plain column (what the index serves), never a
    # function of the logged time: the last day is kept, the next is not.
    counts, sql, plan = less
    assert len(SCANS_OF_ENTRIES.findall(plan)) == 1, plan
    assert len(SCANS_OF_ROLLUPS.findall(plan)) == 1, plan
    assert """"cycles_entry"."happened_on" >= '2025-03-21'""" in sql
    assert """"cycles_entry"."happened_on" < '2025-04-01'""" in sql
    counts, sql, plan = days
    assert len(SCANS_OF_ENTRIES.findall(plan)) == 1, plan
    assert """"cycles_entry"."happened_on" >= '2025-03-01'""" in sql
    assert """"cycles_entry"."happened_on" < '2025-03-15'""" in sql
    assert "created_at" not in sql


def test_the_index_covers_what_the_counts_read():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'cycles_entry_patterns'")
        (definition,) = cursor.fetchone()
    assert "(workspace_id, cycle_id, happened_on) INCLUDE (kind, visibility, person_id)" in (
        definition
    )
    assert definition.endswith("WHERE (deleted_at IS NULL)")


def test_a_day_at_either_end_of_the_period_counts(cast):
    with tenant_scope(workspace_id=cast.workspace.pk):
        for day in (dt.date(2024, 12, 31), dt.date(2025, 1, 1), dt.date(2025, 3, 31)):
            EntryFactory(
                workspace=cast.workspace,
                cycle=cast.cycle,
                happened_on=day,
                visibility=ShareLevel.SHARED_UPWARD,
            )
        EntryFactory(
            workspace=cast.workspace,
            cycle=cast.cycle,
            happened_on=dt.date(2025, 4, 1),
            visibility=ShareLevel.SHARED_UPWARD,
        )
        ids = selectors.below_ids(workspace=cast.workspace, cycle=cast.upper)
        counts = selectors.entry_counts(
            workspace=cast.workspace,
            cycle_ids=ids,
            f=PatternFilter(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 3, 31)),
        )
    assert counts.by_month == {dt.date(2025, 1, 1): 1, dt.date(2025, 3, 1): 1}


def test_no_cycles_below_costs_no_query(cast, django_assert_num_queries):
    with tenant_scope(workspace_id=cast.workspace.pk), django_assert_num_queries(0):
        counts = selectors.entry_counts(
            workspace=cast.workspace,
            cycle_ids=set(),
            f=PatternFilter(date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 3, 31)),
        )
    assert (counts.by_theme_month, counts.by_month, counts.by_kind) == ({}, {}, {})
