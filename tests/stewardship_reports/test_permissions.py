"""What each role may do with learning reports, written out by hand: reports.manage (admin,
steward, manager, learning partner) starts, re-assembles and publishes reports and edits the
receiver's account; reports.contribute (all but viewers) writes sections, comments and exports;
everyone reads."""

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import LearningReport, ReportComment, ReportExport, ReportSection
from tests.conftest import signed_in
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for:
#                                     admin steward manager practitioner learning_partner viewer
EXPECTED = {
    ("report-list", "GET"): (200, 200, 200, 200, 200, 200),
    ("report-create", "GET"): (200, 200, 200, 403, 200, 403),
    ("report-create", "POST"): (302, 302, 302, 403, 302, 403),
    ("report-detail", "GET"): (200, 200, 200, 200, 200, 200),
    ("report-assemble", "POST"): (302, 302, 302, 403, 302, 403),
    ("report-publish", "GET"): (200, 200, 200, 403, 200, 403),
    ("report-publish", "POST"): (302, 302, 302, 403, 302, 403),
    ("report-receiver-account", "GET"): (200, 200, 200, 403, 200, 403),
    ("report-receiver-account", "POST"): (302, 302, 302, 403, 302, 403),
    ("report-section-edit", "GET"): (200, 200, 200, 200, 200, 403),
    ("report-section-edit", "POST"): (302, 302, 302, 302, 302, 403),
    ("report-comment-add", "POST"): (302, 302, 302, 302, 302, 403),
    ("report-export-create", "POST"): (302, 302, 302, 302, 302, 403),
    ("report-export-detail", "GET"): (200, 200, 200, 200, 200, 200),
    ("report-export-download", "GET"): (200, 200, 200, 200, 200, 200),
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_reports_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("stewardship.reports.")}
    assert {view for view, _method in EXPECTED} == names, (
        "a reports view was added or renamed: add its row to EXPECTED"
    )


def _effect(world, report, view: str) -> bool:
    with tenant_scope(workspace_id=world.workspace.pk):
        report = LearningReport.objects.get(pk=report.pk)
        return {
            "report-create": LearningReport.objects.count() == 2,
            "report-assemble": "stale" not in report.content,
            "report-publish": report.status == LearningReport.Status.PUBLISHED,
            "report-receiver-account": report.receiver_account == "Heard.",
            "report-section-edit": ReportSection.objects.get(report=report, key="next").version
            == 2,
            "report-comment-add": ReportComment.objects.exists(),
            "report-export-create": ReportExport.objects.filter(format="html").exists(),
        }[view]


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(
    view, method, role, expected, world, report, make_member, django_capture_on_commit_callbacks
):
    actor = make_member(world.workspace, role)
    with tenant_scope(workspace_id=world.workspace.pk):
        section = ReportSection.objects.get(report=report, key="next")
        LearningReport.objects.filter(pk=report.pk).update(content={"stale": True})
        export = ReportExport.objects.create(
            workspace=world.workspace, report=report, format="md", state="ready",
            progress=100, content=b"# Report",
        )  # fmt: skip
    base = "/w/riverside/"
    url, data = {
        "report-list": (f"{base}reports/", {}),
        "report-create": (
            f"{base}reports/new/",
            {
                "title": "Autumn",
                "period_start": world.period_start.isoformat(),
                "period_end": world.period_end.isoformat(),
                "cycles": [world.place_cycle.pk],
            },
        ),
        "report-detail": (f"{base}reports/{report.pk}/", {}),
        "report-assemble": (f"{base}reports/{report.pk}/assemble/", {}),
        "report-publish": (f"{base}reports/{report.pk}/publish/", {}),
        "report-receiver-account": (
            f"{base}reports/{report.pk}/receiver-account/",
            {"receiver_account": "Heard."},
        ),
        "report-section-edit": (
            f"{base}report-sections/{section.pk}/edit/",
            {"body": "Next we will…", "version": 1},
        ),
        "report-comment-add": (f"{base}report-sections/{section.pk}/comments/", {"text": "Yes"}),
        "report-export-create": (f"{base}reports/{report.pk}/exports/", {"format": "html"}),
        "report-export-detail": (f"{base}report-exports/{export.pk}/", {}),
        "report-export-download": (f"{base}report-exports/{export.pk}/download/", {}),
    }[view]
    client = signed_in(actor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if method == "POST":
        assert _effect(world, report, view) is (expected == 302)
