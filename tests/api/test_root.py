"""`/api/v1/` answers JSON naming every resource family and where the schema, its docs page and
the guide are, the same to a partner key and to an anonymous caller (it names no workspace)."""

import pytest

from hls.api.urls import router

pytestmark = pytest.mark.django_db


def _check(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    prefixes = {prefix for prefix, _viewset, _basename in router.registry}
    assert set(body["resources"]) == prefixes
    assert body["resources"]["experiments"] == "http://testserver/api/v1/experiments/"
    assert body["schema"] == "http://testserver/api/v1/schema/"
    assert body["docs"] == "http://testserver/api/v1/docs/"
    assert body["guide"] == "docs/api.md"
    return body


def test_anonymous_callers_get_the_map(client):
    body = _check(client.get("/api/v1/"))
    assert "riverside" not in str(body).lower()


def test_key_holders_get_the_same_map(api, client):
    assert _check(api.get("/api/v1/")) == _check(client.get("/api/v1/"))


def test_every_listed_resource_answers_the_key(api, client):
    for url in _check(client.get("/api/v1/"))["resources"].values():
        assert api.get(url).status_code == 200, url


def test_the_root_is_read_only(client):
    assert client.post("/api/v1/").status_code == 405


def test_each_domain_app_brings_its_resources_in_installed_apps_order():
    from hls.api.urls import APP_ROUTES

    assert APP_ROUTES == ["systems.api.routes", "cycles.api.routes", "stewardship.api.routes"]
    prefixes = [prefix for prefix, _viewset, _basename in router.registry]
    # one family of each app, in the order the apps registered them
    assert prefixes.index("scales") < prefixes.index("entries") < prefixes.index("sessions")
