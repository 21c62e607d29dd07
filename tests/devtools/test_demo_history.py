"""The demo's eighteen months (devtools/demo_history.py): Eastbridge's patterns have a story to
tell, month by month."""

import datetime

from django.core.management import call_command
from django.db.models.functions import TruncMonth

from cycles.models import Cycle, Entry, Experiment, PhaseShift
from cycles.patterns.selectors import PatternFilter, below_ids, default_period, patterns_summary
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace


def _months(queryset) -> set[datetime.date]:
    return set(queryset.annotate(m=TruncMonth("happened_on")).values_list("m", flat=True))


def test_the_demos_entries_span_a_year_and_a_half_and_its_patterns_show_it(db) -> None:
    call_command("seed_demo")
    eastbridge = Workspace.objects.get(slug="eastbridge")
    with tenant_scope(workspace_id=eastbridge.pk):
        entries = Entry.objects.filter(workspace=eastbridge)
        assert len(_months(entries)) >= 12
        assert len(_months(entries.shared_upward())) >= 12
        council = Cycle.objects.get(system__name="Eastbridge Borough Council")
        start, end = default_period()
        summary = patterns_summary(
            workspace=eastbridge,
            cycle_ids=below_ids(workspace=eastbridge, cycle=council),
            f=PatternFilter(date_from=start, date_to=end),
        )
        # most months of the default year show a number for some theme, not "fewer than 3"
        months_with_numbers = {
            month
            for theme in summary.themes
            for month, cell in zip(summary.months, theme.cells, strict=True)
            if cell.shown
        }
        assert len(months_with_numbers) >= 9
        counts = {cell.n for theme in summary.themes for cell in theme.cells if cell.shown}
        assert len(counts) > 3  # not a flat line with a spike
        ended = Experiment.objects.filter(ended_at__isnull=False).values_list("ends_on", flat=True)
        assert min(ended) < datetime.date.today() - datetime.timedelta(days=300)
        oldest_move = PhaseShift.objects.order_by("shifted_at").first()
        assert oldest_move.shifted_at.date() < datetime.date.today() - datetime.timedelta(days=90)
