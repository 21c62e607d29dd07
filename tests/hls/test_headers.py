"""Headers on every kind of answer (issue 11, finding 7): `Cache-Control: no-store` on whatever
answers a signed-in request (a page, an htmx fragment, the API's JSON, an error page), never on
anonymous public pages; a `Permissions-Policy` turning off the browser features the product does
not use, everywhere. (Static files are served by WhiteNoise above the middleware, with their own
long-lived caching; not checked here.)"""

import pytest
from django.urls import reverse

from hls.api.scopes import ALL_SCOPES
from hls.api.services import api_key_create
from hls.tenancy.context import tenant_scope
from tests.api.conftest import client_for
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

OFF = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "interest-cohort=()")


def _policy_is_set(response) -> None:
    policy = response["Permissions-Policy"]
    for feature in OFF:
        assert feature in policy


def _no_store(response) -> None:
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]
    assert "public" not in directives


def test_a_signed_in_page(admin):
    response = signed_in(admin).get("/w/riverside/")
    assert response.status_code == 200
    _no_store(response)
    _policy_is_set(response)


def test_an_htmx_fragment(admin):
    url = reverse("notification-badge", args=["riverside"])
    response = signed_in(admin).get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    _no_store(response)
    _policy_is_set(response)


def test_a_signed_in_error_page(admin, outsider):
    response = signed_in(outsider).get("/w/riverside/")
    assert response.status_code in (403, 404)
    _no_store(response)


def test_the_api(admin):
    with tenant_scope(workspace_id=admin.workspace_id):
        _key, raw = api_key_create(
            workspace=admin.workspace, created_by=admin.user, name="Headers", scopes=ALL_SCOPES
        )
    api = client_for(raw)
    response = api.get("/api/v1/cycles/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    _no_store(response)
    _policy_is_set(response)
    refused = client_for("hls_nope_not-a-key").get("/api/v1/cycles/")
    assert refused.status_code == 401
    _no_store(refused)


def test_anonymous_public_pages_are_not_marked(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert "Cache-Control" not in response
    _policy_is_set(response)
    # The sign-in page is never cached by Django's own LoginView; it gets the policy too.
    _policy_is_set(client.get("/accounts/login/"))
