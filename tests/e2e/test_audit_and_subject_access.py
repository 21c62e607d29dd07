"""Browser journey (issue 17): an admin who works with a person downloads everything held
about them in one step from their page, then finds that download, and the identity shown for
it, in the audit log narrowed to the person's reference; a date typed the wrong way round is
said beside the field, what was typed kept; the log fits a phone and is accessible."""

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership
from systems.people import services as people_services
from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import PHONE, NewPage
from tests.e2e.test_journey_cycles import check_page
from tests.e2e.test_journey_foundation import sign_in
from tests.factories import PersonFactory, ScaleFactory, SystemFactory, SystemMemberFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def person(admin: Membership) -> Any:
    workspace = admin.workspace
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, is_person_scale=True)
        system = SystemFactory(workspace=workspace, scale=scale, name="Rosa's life")
        SystemMemberFactory(workspace=workspace, system=system, user=admin.user)
        person = PersonFactory(workspace=workspace, reference="P-R05A", alias="Rosa", system=system)
        people_services.identity_set(
            workspace=workspace,
            person=person,
            actor=admin.user,
            name="Rosa Example",
            date_of_birth=None,
            contact="rosa@example.test",
        )
    return person


def test_admin_downloads_everything_held_and_finds_it_in_the_audit_log(
    page: Page, new_page: NewPage, live_server: Any, admin: Membership, person: Any
) -> None:
    page.goto(f"/w/riverside/people/{person.pk}/")
    sign_in(page, "admin@riverside.test")
    expect(page.get_by_role("heading", name="Everything we hold about them")).to_be_visible()
    check_accessibility(page)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download everything held about them").click()
    assert download.value.suggested_filename.startswith("everything-held-P-R05A-")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "README.txt" in archive.namelist()
    assert b"Rosa Example" in archive.read("identity.json")

    page.get_by_role("link", name="What the file holds").click()
    expect(page.get_by_role("heading", name="Everything held about Rosa", level=1)).to_be_visible()
    check_accessibility(page)

    workspace_nav = page.get_by_role("navigation", name="Workspace")
    workspace_nav.locator(".nav-bar summary", has_text="Workspace").click()  # the admin pages
    workspace_nav.get_by_role("link", name="Audit log", exact=True).click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    page.get_by_label("Its reference or number").fill("P-R05A")
    page.get_by_role("button", name="Show").click()
    table = page.get_by_role("region", name="Audit events, newest first")
    expect(table.get_by_role("row").nth(1)).to_contain_text(
        "Downloaded everything held about a person"
    )
    expect(table.get_by_role("row").nth(2)).to_contain_text("Saw a person's identity")
    expect(table).to_contain_text("P-R05A")
    expect(table).not_to_contain_text("Rosa Example")
    check_accessibility(page)

    page.get_by_label("From").fill("2026-05-04")
    page.get_by_label("To").fill("2026-05-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#id_until_error")).to_contain_text("before the “From” date")
    expect(page.get_by_label("Its reference or number")).to_have_value("P-R05A")
    check_accessibility(page)

    page.goto("/w/riverside/audit/")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download the whole log as CSV").click()
    assert re.match(r"audit-riverside-\d{8}-\d{4}\.csv", csv_download.value.suggested_filename)

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/w/riverside/audit/")
    sign_in(phone, "admin@riverside.test")
    expect(phone.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    check_page(phone)
