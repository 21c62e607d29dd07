"""What each role may do with imports and exports, written out by hand: the admin only (the
workspace's data leaves or enters in bulk here), and a refusal changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dataio.models import ExportRun, ImportRun
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.conftest import signed_in
from tests.dataio.objects import make_export, make_import
from tests.tenant_snapshot import tenant_snapshot
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for:
#                                     admin steward manager practitioner learning_partner viewer
EXPECTED = {
    ("data-import", "GET"): (200, 403, 403, 403, 403, 403),
    ("data-import", "POST"): (302, 403, 403, 403, 403, 403),
    ("data-import-template", "GET"): (200, 403, 403, 403, 403, 403),
    ("data-import-detail", "GET"): (200, 403, 403, 403, 403, 403),
    ("data-import-start", "POST"): (302, 403, 403, 403, 403, 403),
    ("data-export", "GET"): (200, 403, 403, 403, 403, 403),
    ("data-export", "POST"): (302, 403, 403, 403, 403, 403),
    ("data-export-detail", "GET"): (200, 403, 403, 403, 403, 403),
    ("data-export-download", "GET"): (200, 403, 403, 403, 403, 403),
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_import_and_export_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("dataio.")}
    assert {view for view, _method in EXPECTED} == names, (
        "an import or export view was added or renamed: add its row to EXPECTED"
    )


def _runs(workspace) -> tuple[list, list]:
    with tenant_scope(workspace_id=workspace.pk):
        return (
            list(ImportRun.objects.values_list("pk", "status").order_by("pk")),
            list(ExportRun.objects.values_list("pk", "status").order_by("pk")),
        )


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, expected, workspace, admin, make_member):
    actor = admin if role == Role.ADMIN else make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        run_id = make_import(workspace, admin)
        export_id = make_export(workspace, admin)
    base = "/w/riverside/integrations/"
    upload = SimpleUploadedFile("people.csv", b"alias\r\nSammy\r\n", "text/csv")
    url, data = {
        "data-import": (f"{base}import/", {"kind": "people", "file": upload}),
        "data-import-template": (f"{base}import/template/?kind=people", {}),
        "data-import-detail": (f"{base}import/{run_id}/", {}),
        "data-import-start": (f"{base}import/{run_id}/start/", {}),
        "data-export": (f"{base}export/", {}),
        "data-export-detail": (f"{base}export/{export_id}/", {}),
        "data-export-download": (f"{base}export/{export_id}/download/", {}),
    }[view]
    client = signed_in(actor)
    before, runs_before = tenant_snapshot(), _runs(workspace)

    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if expected == 403:
        assert tenant_snapshot() == before  # a refusal writes nothing, anywhere
    elif (view, method) in {("data-import", "POST"), ("data-export", "POST")}:
        imports, exports = _runs(workspace)
        made = (len(imports), len(exports))
        assert made == (len(runs_before[0]) + (view == "data-import"),
                        len(runs_before[1]) + (view == "data-export"))  # fmt: skip
