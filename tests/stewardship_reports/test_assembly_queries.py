"""A report's assembly costs the same number of queries whatever the size of what it gathers
(issue 14: queries per request, and per task, independent of data size)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cycles.models import Entry, EntryTheme
from hls.tenancy.context import tenant_scope
from stewardship.reports import assembly
from systems.models import ShareLevel
from tests.factories import ExperimentFactory
from tests.stewardship_reports.conftest import make_report

pytestmark = pytest.mark.django_db

# Every section's reads and the progress saved as it goes: a constant, if not a small one.
BUDGET = 100


def _assembly_queries(world, django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=False):
        report = make_report(world)
    with CaptureQueriesContext(connection) as captured:
        assert assembly.assemble(workspace_id=world.workspace.pk, report_id=report.pk)
    return len(captured.captured_queries)


def _grow(world, n: int) -> None:
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        entries = Entry.objects.bulk_create(
            Entry(
                workspace=ws, cycle=world.team_cycle, author=world.author.user,
                kind=("story", "barrier", "observation")[i % 3], phase="understand",
                text=f"Shared step {i}", visibility=ShareLevel.SHARED_UPWARD,
                happened_on=world.period_start,
            )
            for i in range(n)
        )  # fmt: skip
        EntryTheme.objects.bulk_create(
            EntryTheme(workspace=ws, entry=e, theme=(world.housing, world.money)[i % 2])
            for i, e in enumerate(entries)
        )
        ExperimentFactory.create_batch(n // 50, workspace=ws, cycle=world.team_cycle)


def test_assembly_query_count_is_constant(world, django_capture_on_commit_callbacks):
    small = _assembly_queries(world, django_capture_on_commit_callbacks)
    _grow(world, 500)
    large = _assembly_queries(world, django_capture_on_commit_callbacks)
    assert (small, large) == (BUDGET, BUDGET)
