"""The import and export pages: admins only, errors beside the field with the page kept, the
whole journey upload → map → report → import → progress, and constant queries on the lists."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cycles.models import Cycle
from dataio.models import ExportRun, ImportRun
from hls.tenancy.context import tenant_scope
from tests.conftest import signed_in
from tests.dataio.conftest import csv_bytes

pytestmark = pytest.mark.django_db

PAGES = [
    "/w/riverside/integrations/import/",
    "/w/riverside/integrations/import/template/?kind=entries",
    "/w/riverside/integrations/export/",
]


@pytest.mark.parametrize("url", PAGES)
def test_non_admins_get_403(world, member_client, url):
    assert member_client.get(url).status_code == 403
    assert member_client.post(url.split("?")[0]).status_code == 403


def test_non_admin_cannot_open_or_start_an_import(world, member_client):
    from tests.dataio.objects import make_export, make_import

    with tenant_scope(workspace_id=world.workspace.pk):
        run_id = make_import(world.workspace, world.admin)
        export_id = make_export(world.workspace, world.admin)
    for url in (
        f"/w/riverside/integrations/import/{run_id}/",
        f"/w/riverside/integrations/export/{export_id}/",
        f"/w/riverside/integrations/export/{export_id}/download/",
    ):
        assert member_client.get(url).status_code == 403
    assert (
        member_client.post(f"/w/riverside/integrations/import/{run_id}/start/").status_code == 403
    )


def test_template_download(world, admin_client):
    response = admin_client.get("/w/riverside/integrations/import/template/?kind=cycles")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cycles-template.csv"'
    assert response.content == b"name,purpose,system,learning_questions,phase,status\r\n"


def test_wrong_encoding_keeps_the_page_and_shows_the_error_beside_the_file(world, admin_client):
    upload = SimpleUploadedFile("people.csv", "alias\r\nZoë\r\n".encode("latin-1"), "text/csv")
    response = admin_client.post(
        "/w/riverside/integrations/import/", {"kind": "people", "file": upload}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_file_error"' in html
    assert "is not valid UTF-8" in html
    assert 'value="people" selected' in html  # what was chosen is kept
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not ImportRun.objects.exists()


def test_missing_file_shows_the_error_beside_the_field(world, admin_client):
    response = admin_client.post("/w/riverside/integrations/import/", {"kind": "people"})
    assert response.status_code == 400
    assert 'id="id_file_error"' in response.content.decode()


def test_the_whole_journey(world, admin_client, django_capture_on_commit_callbacks):
    data = csv_bytes("Name,Purpose,System", "Fresh start,Learn what helps,North team")
    response = admin_client.post(
        "/w/riverside/integrations/import/",
        {"kind": "cycles", "file": SimpleUploadedFile("cycles.csv", data, "text/csv")},
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        run = ImportRun.objects.get()
    url = f"/w/riverside/integrations/import/{run.pk}/"
    assert response["Location"] == url
    page = admin_client.get(url).content.decode()
    assert '<option value="Name" selected>' in page  # prefilled from the header
    # A required field left unmapped: the error beside it, the page kept.
    response = admin_client.post(url, {"name": "Name", "purpose": "", "system": "System"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_purpose_error"' in html
    assert "no column chosen for these required fields: Purpose" in html
    # Mapped: the dry run reports, nothing changes yet.
    response = admin_client.post(url, {"name": "Name", "purpose": "Purpose", "system": "System"})
    assert response.status_code == 302
    html = admin_client.get(url).content.decode()
    assert "All 1 row is ready." in html
    assert "Import 1 row" in html
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not Cycle.objects.filter(name="Fresh start").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"{url}start/")
    assert response.status_code == 302
    html = admin_client.get(url).content.decode()
    assert "Imported 1 row (Cycles)." in html
    with tenant_scope(workspace_id=world.workspace.pk):
        assert Cycle.objects.filter(name="Fresh start", system=world.team_system).exists()


def test_dry_run_report_table_on_the_page(world, admin_client):
    data = csv_bytes("name,purpose,system", "A,Learn,Nowhere", "B,,North team")
    admin_client.post(
        "/w/riverside/integrations/import/",
        {"kind": "cycles", "file": SimpleUploadedFile("c.csv", data, "text/csv")},
    )
    with tenant_scope(workspace_id=world.workspace.pk):
        run = ImportRun.objects.get()
    url = f"/w/riverside/integrations/import/{run.pk}/"
    admin_client.post(url, {"name": "name", "purpose": "purpose", "system": "system"})
    html = admin_client.get(url).content.decode()
    assert html.count('class="problem-row"') == 2
    assert "<td>2</td><td>system</td>" in html
    assert "<td>3</td><td>purpose</td>" in html
    assert "Import 2 rows" not in html


def test_progress_fragment_while_running(world, admin_client):
    from dataio import progress

    with tenant_scope(workspace_id=world.workspace.pk):
        run = ImportRun.objects.create(
            workspace=world.workspace, kind="cycles", file_name="c.csv", file_content=b"",
            encoding="utf-8", status=ImportRun.Status.RUNNING, row_count=40,
            progress_total=40, created_by=world.admin.user,
        )  # fmt: skip
    progress.write("import", run.pk, 10)
    url = f"/w/riverside/integrations/import/{run.pk}/?part=progress"
    html = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'value="10"' in html
    assert 'max="40"' in html
    assert "10 of 40 rows done." in html
    assert 'hx-trigger="every 1s"' in html
    progress.write("import", run.pk, 30)
    assert "30 of 40 rows done." in admin_client.get(url).content.decode()
    progress.clear("import", run.pk)


def test_a_finished_run_tells_the_polling_page_to_reload(world, admin_client):
    """When the import or export is no longer running, the polled fragment answers htmx with
    a full reload (the page then shows the outcome); without htmx the fragment is still there."""
    with tenant_scope(workspace_id=world.workspace.pk):
        run = ImportRun.objects.create(
            workspace=world.workspace, kind="cycles", file_name="c.csv", file_content=b"",
            encoding="utf-8", status=ImportRun.Status.RUNNING, row_count=2,
            progress_total=2, created_by=world.admin.user,
        )  # fmt: skip
        export = ExportRun.objects.create(
            workspace=world.workspace, status=ExportRun.Status.RUNNING,
            created_by=world.admin.user,
        )  # fmt: skip
    imported = f"/w/riverside/integrations/import/{run.pk}/?part=progress"
    exported = f"/w/riverside/integrations/export/{export.pk}/?part=progress"
    for url in (imported, exported):
        polling = admin_client.get(url, headers={"HX-Request": "true"})
        assert "HX-Refresh" not in polling
        assert 'hx-trigger="every 1s"' in polling.content.decode()
    with tenant_scope(workspace_id=world.workspace.pk):
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.DONE)
        ExportRun.objects.filter(pk=export.pk).update(status=ExportRun.Status.DONE)
    for url in (imported, exported):
        done = admin_client.get(url, headers={"HX-Request": "true"})
        assert done.status_code == 200
        assert done["HX-Refresh"] == "true"
        assert b"every 1s" not in done.content
        plain = admin_client.get(url)
        assert "HX-Refresh" not in plain
        assert b"<html" not in plain.content  # still the fragment, for a page without htmx
        assert b"every 1s" not in plain.content


def test_export_download_not_ready(world, admin_client):
    with tenant_scope(workspace_id=world.workspace.pk):
        export = ExportRun.objects.create(workspace=world.workspace, created_by=world.admin.user)
    response = admin_client.get(f"/w/riverside/integrations/export/{export.pk}/download/")
    assert response.status_code == 302
    assert (
        "hx-get"
        in admin_client.get(f"/w/riverside/integrations/export/{export.pk}/").content.decode()
    )


BUDGET = 9


@pytest.mark.parametrize("n", [3, 60])
def test_list_pages_query_budget(world, admin, n, django_assert_num_queries):
    with tenant_scope(workspace_id=world.workspace.pk):
        ImportRun.objects.bulk_create(
            ImportRun(
                workspace=world.workspace, kind="people", file_name=f"f{i}.csv",
                file_content=b"x" * 10_000, encoding="utf-8", created_by=admin.user,
            )
            for i in range(n)
        )  # fmt: skip
        ExportRun.objects.bulk_create(
            ExportRun(workspace=world.workspace, created_by=admin.user, content=b"x" * 10_000)
            for _ in range(n)
        )
    client = signed_in(admin)
    with django_assert_num_queries(BUDGET):
        imports = client.get("/w/riverside/integrations/import/")
    with django_assert_num_queries(BUDGET):
        exports = client.get("/w/riverside/integrations/export/")
    assert imports.content.decode().count('class="import-row"') == min(n, 30)
    assert exports.content.decode().count('class="export-row"') == min(n, 30)
