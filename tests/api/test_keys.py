"""The API keys page: admins create keys (the secret shown once, stored only as a hash) and
revoke them; other roles may not; bad input is shown beside the field with the text kept."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from hls.api.models import ApiKey
from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.api.conftest import client_for
from tests.conftest import signed_in
from tests.workspace_urls import workspace_urls

URL = "/w/riverside/integrations/api-keys/"
ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]


def _keys(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        return list(ApiKey.objects.order_by("pk"))


def test_an_admin_creates_a_key_and_sees_the_secret_once(admin_client, admin, workspace):
    response = admin_client.post(
        f"{URL}new/", {"name": "Case system", "scopes": ["cycles:read", "people:write"]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    [key] = _keys(workspace)
    secret = response.context["new_secret"]
    assert secret.startswith(key.prefix + "_")
    assert secret in response.content.decode()
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    with tenant_scope(workspace_id=workspace.pk):
        stored = repr(ApiKey.objects.values().get())
    # only the prefix and the hash are kept (the secret part may itself hold "_")
    assert secret.removeprefix(key.prefix + "_") not in stored
    assert key.scopes == ["cycles:read", "people:write"]
    page = admin_client.get(URL).content.decode()
    assert key.prefix in page
    assert secret not in page
    assert client_for(secret).get("/api/v1/themes/").status_code == 200
    with tenant_scope(workspace_id=workspace.pk):
        assert AuditEvent.objects.filter(action="api_key.create", target_id=str(key.pk)).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "scopes": ["cycles:read"]}, "name", "This field is required."),
        ({"name": "Case system"}, "scopes", "This field is required."),
        ({"name": "Case system", "scopes": ["everything"]}, "scopes", "Select a valid choice."),
        (
            {"name": "Case system", "scopes": ["cycles:read"], "expires_on": "2020-01-01"},
            "expires_on",
            "Choose an expiry date in the future.",
        ),
    ],
)
def test_bad_input_is_shown_beside_the_field(admin_client, workspace, data, field, message):
    response = admin_client.post(f"{URL}new/", data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    if data.get("name"):
        assert 'value="Case system"' in response.content.decode()
    assert _keys(workspace) == []


def test_revoking_a_key_refuses_it_from_then_on(admin_client, admin, make_key, workspace):
    raw = make_key(admin)
    [key] = _keys(workspace)
    assert client_for(raw).get("/api/v1/themes/").status_code == 200
    response = admin_client.post(f"{URL}{key.pk}/revoke/")
    assert response.status_code == 302
    refused = client_for(raw).get("/api/v1/themes/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "The API key was revoked."
    assert "revoked" in admin_client.get(URL).content.decode()


def test_the_list_costs_the_same_with_more_keys(
    admin_client, admin, make_key, django_assert_num_queries
):
    for _ in range(2):
        make_key(admin)
    with django_assert_num_queries(9):
        admin_client.get(URL)
    for _ in range(20):
        make_key(admin)
    with django_assert_num_queries(9):
        admin_client.get(URL)


# view name, method → expected status for:
#                                 admin steward manager practitioner learning_partner viewer
EXPECTED = {
    ("api-keys", "GET"): (200, 403, 403, 403, 403, 403),
    ("api-key-create", "POST"): (200, 403, 403, 403, 403, 403),
    ("api-key-revoke", "POST"): (302, 403, 403, 403, 403, 403),
}


def test_the_table_lists_every_api_key_view():
    assert {u.name for u in workspace_urls("hls.api.")} == {view for view, _m in EXPECTED}
    assert {u.name for u in workspace_urls("hls.api.")} == {
        "api-keys",
        "api-key-create",
        "api-key-revoke",
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_manage_keys(role, workspace, admin, make_member, make_key):
    assert list(Role.values) == ROLES
    make_key(admin)
    [key] = _keys(workspace)
    client = signed_in(make_member(workspace, role))
    allowed = role == "admin"
    column = ROLES.index(role)
    assert client.get(URL).status_code == EXPECTED["api-keys", "GET"][column]
    created = client.post(f"{URL}new/", {"name": "X", "scopes": ["cycles:read"]})
    assert created.status_code == EXPECTED["api-key-create", "POST"][column]
    revoked = client.post(f"{URL}{key.pk}/revoke/")
    assert revoked.status_code == EXPECTED["api-key-revoke", "POST"][column]
    assert len(_keys(workspace)) == (2 if allowed else 1)
    assert (_keys(workspace)[0].revoked_at is not None) is allowed  # a refusal revokes nothing


def test_expiry_is_kept_and_shown(admin_client, workspace):
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    admin_client.post(
        f"{URL}new/", {"name": "Funder portal", "scopes": ["reports:read"], "expires_on": day}
    )
    [key] = _keys(workspace)
    assert key.expires_at is not None
    assert key.expires_at.date().isoformat() == day
    assert "until" in admin_client.get(URL).content.decode()
