"""Who may call the API: a live key of this workspace, or a signed-in member naming it."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from hls.api.models import ApiKey
from hls.tenancy.context import tenant_scope
from tests.api.conftest import client_for
from tests.factories import ThemeFactory

THEMES = "/api/v1/themes/"


def _problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


def test_no_credentials_is_401(db):
    body = _problem(APIClient().get(THEMES), 401)
    assert body["title"] == "Not authenticated"


@pytest.mark.parametrize(
    "header",
    ["Bearer hls_00000000_nothing", "Bearer not-a-key", "Token abc", "Bearer"],
)
def test_an_unknown_or_malformed_key_is_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    _problem(client.get(THEMES), 401)


def test_a_key_with_the_right_prefix_and_a_wrong_secret_is_401(admin, make_key):
    raw = make_key(admin)
    _problem(client_for(raw[:-4] + "xxxx").get(THEMES), 401)


def test_an_expired_key_is_401(admin, make_key, workspace):
    raw = make_key(admin, expires_at=timezone.now() + dt.timedelta(minutes=1))
    with tenant_scope(workspace_id=workspace.pk):
        ApiKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _problem(client_for(raw).get(THEMES), 401)["detail"] == "The API key has expired."


def test_a_key_whose_creator_left_is_401(admin, make_key, workspace):
    raw = make_key(admin)
    with tenant_scope(workspace_id=workspace.pk):
        admin.delete()
    _problem(client_for(raw).get(THEMES), 401)


def test_a_key_sees_only_its_own_workspace(api, outsider_api, workspace):
    with tenant_scope(workspace_id=workspace.pk):
        theme = ThemeFactory(workspace=workspace, name="Loneliness")
    assert [t["id"] for t in api.get(THEMES).json()["results"]] == [theme.pk]
    assert outsider_api.get(THEMES).json()["results"] == []
    _problem(outsider_api.get(f"{THEMES}{theme.pk}/"), 404)
    _problem(
        outsider_api.patch(f"{THEMES}{theme.pk}/", {"name": "X"}, format="json", HTTP_IF_MATCH="*"),
        404,
    )


def test_last_used_is_noted(api, workspace):
    api.get(THEMES)
    with tenant_scope(workspace_id=workspace.pk):
        key = ApiKey.objects.get()
    assert key.last_used_at is not None
    assert timezone.now() - key.last_used_at < dt.timedelta(minutes=1)


class TestBrowserSession:
    def test_a_member_names_the_workspace(self, member_client, workspace):
        with tenant_scope(workspace_id=workspace.pk):
            ThemeFactory(workspace=workspace, name="Housing")
        response = member_client.get(THEMES, HTTP_X_WORKSPACE="riverside")
        assert response.status_code == 200
        assert [t["name"] for t in response.json()["results"]] == ["Housing"]

    def test_without_the_header_it_says_what_is_missing(self, member_client):
        body = _problem(member_client.get(THEMES), 400)
        assert "X-Workspace" in body["detail"]

    def test_another_workspace_is_404(self, outsider_client, workspace):
        _problem(outsider_client.get(THEMES, HTTP_X_WORKSPACE="riverside"), 404)

    def test_writes_need_the_csrf_token(self, admin, workspace):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(admin.user)
        response = client.post(
            THEMES,
            {"name": "Damp homes", "kind": "problem"},
            format="json",
            HTTP_X_WORKSPACE="riverside",
        )
        assert _problem(response, 403)["detail"].startswith("CSRF Failed")


@override_settings(API_RATE="3/min")
def test_too_many_requests_is_429_with_retry_after(api):
    statuses = [api.get(THEMES).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get(THEMES)
    _problem(response, 429)
    assert int(response["Retry-After"]) > 0
