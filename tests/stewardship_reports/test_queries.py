"""The report list costs the same number of queries for 10 or 1,000 reports."""

import pytest

from hls.tenancy.context import tenant_scope
from stewardship.models import LearningReport, ReportCycle
from tests.conftest import signed_in

BUDGET = 12


def _grow(world, n: int) -> None:
    with tenant_scope(workspace_id=world.workspace.pk):
        reports = LearningReport.objects.bulk_create(
            LearningReport(
                workspace=world.workspace, title=f"Report {i}", period_start=world.period_start,
                period_end=world.period_end, status="published" if i % 2 else "draft",
                content={"big": "x" * 1000},
            )
            for i in range(n)
        )  # fmt: skip
        ReportCycle.objects.bulk_create(
            ReportCycle(workspace=world.workspace, report=r, cycle=c)
            for r in reports
            for c in (world.place_cycle, world.team_cycle)
        )


@pytest.mark.parametrize("n", [10, 1000])
def test_report_list_query_budget(world, n, django_assert_num_queries):
    _grow(world, n)
    client = signed_in(world.viewer)
    with django_assert_num_queries(BUDGET):
        response = client.get("/w/riverside/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="row report-row"') == min(n, 30)
    assert "North team, Riverside alliance" in html
    assert "Published" in html
    assert "Draft" in html
