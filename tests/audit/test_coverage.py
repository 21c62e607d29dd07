"""What the log must show (issue 17): who saw which person's identity, who changed roles, who
created or used API keys, who took data out, who erased a person. Each is done the way a member
does it (pages and the API), then found on the audit log page in plain words."""

import datetime as dt
import re
from unittest import mock

import pytest
from rest_framework.test import APIClient

from hls.api.models import ApiKey
from hls.api.scopes import ALL_SCOPES
from hls.api.services import api_key_create
from hls.audit import actions
from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.conftest import signed_in
from tests.factories import (
    PersonFactory,
    ReportExportFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
)

LOG = "/w/riverside/audit/"


def _events(workspace, action: str) -> list[AuditEvent]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def _shown(admin_client, event: AuditEvent) -> str:
    """The event's row on the audit log page."""
    page = admin_client.get(LOG).content.decode()
    found = re.search(rf'<tr id="audit-event-{event.pk}">(.*?)</tr>', page, re.S)
    assert found, f"event {event.pk} is not on the page"
    return found.group(1)


def test_who_saw_which_persons_identity(workspace, admin, admin_client, member) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, is_person_scale=True)
        system = SystemFactory(workspace=workspace, scale=scale)
        SystemMemberFactory(workspace=workspace, system=system, user=member.user)
        person = PersonFactory(workspace=workspace, reference="P-SEEN", system=system)
    client = signed_in(member)
    client.post(
        f"/w/riverside/people/{person.pk}/identity/edit/",
        {"name": "Sam Seen", "contact": "sam@example.test"},
    )

    client.post(f"/w/riverside/people/{person.pk}/identity/")

    [viewed] = _events(workspace, "person.identity_viewed")
    row = _shown(admin_client, viewed)
    assert "Pat Practitioner" in row
    assert "Saw a person&#x27;s identity" in row
    assert "P-SEEN" in row
    assert "Sam Seen" not in row


def test_who_changed_a_role(workspace, admin, admin_client, make_member) -> None:
    target = make_member(workspace, Role.VIEWER, full_name="Val Viewer")

    admin_client.post(f"/w/riverside/members/{target.pk}/role/", {"role": Role.STEWARD})

    [changed] = _events(workspace, "membership.role_changed")
    row = _shown(admin_client, changed)
    assert "Ada Admin" in row
    assert "Changed a member&#x27;s role" in row
    assert "Val Viewer" in row
    assert "Viewer → Steward" in row


def test_who_created_an_api_key(workspace, admin, admin_client) -> None:
    admin_client.post(
        "/w/riverside/integrations/api-keys/new/",
        {"name": "Case system", "scopes": ["cycles:read"]},
    )

    [created] = _events(workspace, "api_key.create")
    row = _shown(admin_client, created)
    assert "Created an API key" in row
    assert "Case system" in row
    assert "cycles:read" in row


def test_who_downloaded_a_learning_report(workspace, admin, admin_client, member) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        export = ReportExportFactory(workspace=workspace, state="ready", content=b"# Spring")

    response = signed_in(member).get(f"/w/riverside/report-exports/{export.pk}/download/")

    assert response.status_code == 200
    [downloaded] = _events(workspace, "report.export_downloaded")
    assert downloaded.actor == member.user
    assert downloaded.data == {"report_id": export.report_id, "format": "md"}
    row = _shown(admin_client, downloaded)
    assert "Downloaded a learning report" in row


def _api(membership) -> APIClient:
    """A client with an all-scopes key of `membership` (an admin)."""
    with tenant_scope(workspace_id=membership.workspace_id):
        _key, raw = api_key_create(
            workspace=membership.workspace,
            created_by=membership.user,
            name="Partner",
            scopes=ALL_SCOPES,
        )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_report_downloaded_through_the_api_names_the_key(workspace, admin, admin_client) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        export = ReportExportFactory(workspace=workspace, state="ready", content=b"# Spring")
    api = _api(admin)

    response = api.get(f"/api/v1/reports/{export.report_id}/exports/{export.pk}/download/")

    assert response.status_code == 200
    [downloaded] = _events(workspace, "report.export_downloaded")
    assert downloaded.data["via"].startswith("hls_")
    assert "through" in _shown(admin_client, downloaded)


def test_a_report_not_ready_is_not_recorded_as_downloaded(workspace, member) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        export = ReportExportFactory(workspace=workspace, state="pending")

    response = signed_in(member).get(f"/w/riverside/report-exports/{export.pk}/download/")

    assert response.status_code == 409
    assert _events(workspace, "report.export_downloaded") == []


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("person.erased", "Erased a person"),
        ("person.subject_access_exported", "Downloaded everything held about a person"),
        ("dataio.export_downloaded", "Downloaded a workspace export"),
        ("api_key.used", "Used an API key (its first use that day)"),
        ("audit.exported", "Downloaded the audit log"),
    ],
)
def test_the_actions_of_this_issue_are_said_plainly(action, label) -> None:
    assert actions.label(action) == label


# An API key used: once per key per day, never once per request ----------------------------------


def _used(workspace) -> list[AuditEvent]:
    return _events(workspace, "api_key.used")


def test_a_keys_first_use_of_the_day_is_recorded_once(workspace, admin, admin_client) -> None:
    api = _api(admin)
    day = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)

    with mock.patch("django.utils.timezone.now", return_value=day):
        assert api.get("/api/v1/cycles/").status_code == 200
    for later in (dt.timedelta(seconds=5), dt.timedelta(minutes=3), dt.timedelta(hours=15)):
        with mock.patch("django.utils.timezone.now", return_value=day + later):
            assert api.get("/api/v1/cycles/").status_code == 200

    [used] = _used(workspace)
    with tenant_scope(workspace_id=workspace.pk):
        key = ApiKey.objects.get()
    assert used.actor == admin.user
    assert (used.target_type, used.target_id) == ("api.apikey", str(key.pk))
    assert used.data == {"via": key.prefix}
    row = _shown(admin_client, used)
    assert "Used an API key (its first use that day)" in row
    assert "Partner" in row

    with mock.patch("django.utils.timezone.now", return_value=day + dt.timedelta(days=1)):
        assert api.get("/api/v1/cycles/").status_code == 200
    assert len(_used(workspace)) == 2


def test_a_use_refused_for_its_scope_still_counts(workspace, admin) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        _key, raw = api_key_create(
            workspace=workspace, created_by=admin.user, name="Narrow", scopes=["people:read"]
        )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert client.get("/api/v1/cycles/").status_code == 403

    assert len(_used(workspace)) == 1


def test_a_refused_key_is_not_recorded_as_used(workspace, admin) -> None:
    api = _api(admin)
    with tenant_scope(workspace_id=workspace.pk):
        ApiKey.objects.update(revoked_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    assert api.get("/api/v1/cycles/").status_code == 401

    assert _used(workspace) == []


def test_a_browser_using_the_api_is_not_a_key(workspace, admin, admin_client) -> None:
    response = admin_client.get("/api/v1/cycles/", HTTP_X_WORKSPACE="riverside")

    assert response.status_code == 200
    assert _used(workspace) == []
