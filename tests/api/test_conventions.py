"""What every resource shares (docs/api.md), shown on themes: strict JSON in, problem+json out,
cursor pages, incremental sync with deletions, ETags, If-Match, Idempotency-Key, audit."""

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from cycles.models import Theme
from hls.audit.models import AuditEvent, Tombstone
from hls.audit.services import tombstone_record
from hls.tenancy.context import tenant_scope
from tests.api.conftest import client_for
from tests.factories import ThemeFactory

THEMES = "/api/v1/themes/"


def _themes(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        return list(Theme.objects.order_by("pk").values_list("name", flat=True))


def _create(api, name="Loneliness", **headers):
    return api.post(THEMES, {"name": name, "kind": "problem"}, format="json", **headers)


class TestInput:
    def test_a_create_answers_201_with_location_and_etag(self, api, workspace):
        response = _create(api)
        assert response.status_code == 201
        body = response.json()
        assert response["Location"] == f"{THEMES}{body['id']}/"
        assert response["ETag"].startswith('"')
        assert api.get(response["Location"]).json() == body

    def test_unknown_fields_are_refused_and_nothing_changes(self, api, workspace):
        response = api.post(
            THEMES, {"name": "X", "kind": "problem", "colour": "red"}, format="json"
        )
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"] == {"colour": ["Unknown field."]}
        assert _themes(workspace) == []

    def test_wrong_types_name_the_field(self, api, workspace):
        response = api.post(THEMES, {"name": ["a"], "kind": "weather"}, format="json")
        errors = response.json()["errors"]
        assert response.status_code == 400
        assert set(errors) == {"name", "kind"}
        assert _themes(workspace) == []

    def test_values_are_not_coerced_from_other_json_types(self, api, workspace):
        response = api.post(THEMES, {"name": 5, "kind": "problem"}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {"name": ["Must be a string."]}
        assert _themes(workspace) == []

    def test_a_service_rule_comes_back_beside_its_field(self, api, workspace):
        _create(api)
        response = _create(api, name="loneliness")
        assert response.status_code == 400
        assert "already a theme" in response.json()["errors"]["name"][0]

    def test_malformed_json_is_400(self, api):
        response = api.generic("POST", THEMES, '{"name": ', content_type="application/json")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert "JSON parse error" in response.json()["detail"]

    def test_a_list_instead_of_an_object_is_400(self, api):
        response = api.post(THEMES, [1, 2], format="json")
        assert response.status_code == 400
        assert "non_field_errors" in response.json()["errors"]

    def test_form_data_is_415(self, api, workspace):
        response = api.post(THEMES, {"name": "X", "kind": "problem"})  # multipart
        assert response.status_code == 415
        assert response["Content-Type"] == "application/problem+json"
        assert _themes(workspace) == []

    @override_settings(API_MAX_BODY_BYTES=200)
    def test_an_oversized_body_is_413(self, api, workspace):
        response = api.post(
            THEMES, {"name": "X", "kind": "problem", "description": "y" * 500}, format="json"
        )
        assert response.status_code == 413
        assert response.json()["title"] == "Payload too large"
        assert _themes(workspace) == []


class TestPagesAndSync:
    def test_cursor_pages_walk_every_object_once(self, api, workspace):
        with tenant_scope(workspace_id=workspace.pk):
            made = {ThemeFactory(workspace=workspace).pk for _ in range(7)}
        seen, url = [], f"{THEMES}?page_size=3"
        while url:
            page = api.get(url).json()
            seen += [t["id"] for t in page["results"]]
            url = page["next"]
        assert sorted(seen) == sorted(made)
        assert len(seen) == 7

    def test_ordering_and_filters(self, api, workspace):
        with tenant_scope(workspace_id=workspace.pk):
            ThemeFactory(workspace=workspace, name="B", kind="problem")
            ThemeFactory(workspace=workspace, name="A", kind="aspiration")
        names = [t["name"] for t in api.get(f"{THEMES}?ordering=-id").json()["results"]]
        assert names == ["A", "B"]
        kinds = api.get(f"{THEMES}?kind=aspiration").json()["results"]
        assert [t["name"] for t in kinds] == ["A"]

    def test_updated_since_returns_what_changed_after(self, api, workspace):
        with tenant_scope(workspace_id=workspace.pk):
            old = ThemeFactory(workspace=workspace, name="Old")
            new = ThemeFactory(workspace=workspace, name="New")
            Theme.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
        since = (timezone.now() - dt.timedelta(days=1)).isoformat()
        response = api.get(THEMES, {"updated_since": since})
        assert [t["id"] for t in response.json()["results"]] == [new.pk]

    def test_a_bad_updated_since_is_400(self, api):
        response = api.get(THEMES, {"updated_since": "last tuesday"})
        assert response.status_code == 400
        assert "updated_since" in response.json()["errors"]

    def test_deletions_feed_shows_what_was_deleted_to_those_who_may_read_it(
        self, admin, make_key, workspace
    ):
        with tenant_scope(workspace_id=workspace.pk):
            tombstone_record(workspace=workspace, resource="themes", object_id=41)
            old = tombstone_record(workspace=workspace, resource="themes", object_id=40)
            Tombstone.objects.filter(pk=old.pk).update(
                deleted_at=timezone.now() - dt.timedelta(days=3)
            )
        reader = client_for(make_key(admin, ["cycles:read"]))
        since = (timezone.now() - dt.timedelta(days=1)).isoformat()
        feed = reader.get("/api/v1/deletions/", {"updated_since": since}).json()["results"]
        assert [(d["resource"], d["object_id"]) for d in feed] == [("themes", "41")]
        everything = reader.get("/api/v1/deletions/", {"resource": "themes"}).json()["results"]
        assert len(everything) == 2
        other = client_for(make_key(admin, ["reports:read"]))
        assert other.get("/api/v1/deletions/").json()["results"] == []
        bad = reader.get("/api/v1/deletions/", {"resource": "weather"})
        assert bad.status_code == 400


class TestConditionalRequests:
    def test_if_none_match_gives_304_until_it_changes(self, api, workspace):
        created = _create(api)
        url, tag = created["Location"], created["ETag"]
        assert api.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
        api.patch(url, {"description": "Living alone"}, format="json", HTTP_IF_MATCH=tag)
        again = api.get(url, HTTP_IF_NONE_MATCH=tag)
        assert again.status_code == 200
        assert again["ETag"] != tag

    def test_an_update_without_if_match_is_428(self, api, workspace):
        url = _create(api)["Location"]
        response = api.patch(url, {"name": "Isolation"}, format="json")
        assert response.status_code == 428
        assert _themes(workspace) == ["Loneliness"]

    def test_a_stale_if_match_is_412_and_changes_nothing(self, api, workspace):
        created = _create(api)
        url, tag = created["Location"], created["ETag"]
        first = api.patch(url, {"name": "Isolation"}, format="json", HTTP_IF_MATCH=tag)
        assert first.status_code == 200
        second = api.patch(url, {"name": "Solitude"}, format="json", HTTP_IF_MATCH=tag)
        assert second.status_code == 412
        assert _themes(workspace) == ["Isolation"]
        third = api.patch(url, {"name": "Solitude"}, format="json", HTTP_IF_MATCH=first["ETag"])
        assert third.status_code == 200

    def test_an_update_is_audited_with_the_key(self, api, admin, workspace):
        created = _create(api)
        api.patch(
            created["Location"], {"name": "Isolation"}, format="json", HTTP_IF_MATCH=created["ETag"]
        )
        with tenant_scope(workspace_id=workspace.pk):
            events = list(
                AuditEvent.objects.filter(action__startswith="api.themes.")
                .order_by("pk")
                .values_list("action", "actor_id", "data")
            )
        assert [e[0] for e in events] == ["api.themes.create", "api.themes.update"]
        assert all(actor == admin.user_id for _a, actor, _d in events)
        assert events[1][2]["fields"] == ["name"]
        assert events[1][2]["via"].startswith("hls_")


class TestIdempotency:
    def test_a_retry_returns_the_first_answer_and_makes_nothing_new(self, api, workspace):
        first = _create(api, HTTP_IDEMPOTENCY_KEY="abc-1")
        again = _create(api, HTTP_IDEMPOTENCY_KEY="abc-1")
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert again["Location"] == first["Location"]
        assert _themes(workspace) == ["Loneliness"]

    def test_the_same_key_with_another_body_is_refused(self, api, workspace):
        _create(api, HTTP_IDEMPOTENCY_KEY="abc-2")
        response = _create(api, name="Other", HTTP_IDEMPOTENCY_KEY="abc-2")
        assert response.status_code == 422
        assert response["Content-Type"] == "application/problem+json"
        assert _themes(workspace) == ["Loneliness"]

    def test_a_failed_request_does_not_use_up_the_key(self, api, workspace):
        bad = api.post(
            THEMES, {"name": "", "kind": "problem"}, format="json", HTTP_IDEMPOTENCY_KEY="abc-3"
        )
        assert bad.status_code == 400
        fixed = api.post(
            THEMES, {"name": "", "kind": "problem"}, format="json", HTTP_IDEMPOTENCY_KEY="abc-3"
        )
        assert fixed.status_code == 400  # evaluated again, not replayed
        assert "Idempotent-Replayed" not in fixed

    def test_keys_belong_to_their_caller(self, api, admin, make_key, workspace):
        _create(api, HTTP_IDEMPOTENCY_KEY="shared")
        other = client_for(make_key(admin))
        response = _create(other, name="Damp", HTTP_IDEMPOTENCY_KEY="shared")
        assert response.status_code == 201
        assert _themes(workspace) == ["Loneliness", "Damp"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_object(admin, make_key, workspace):
    raw = make_key(admin)
    body = json.dumps({"name": "Loneliness", "kind": "problem"})
    barrier = threading.Barrier(2)
    results: list[tuple[int, dict]] = []

    def call() -> None:
        client = client_for(raw)
        barrier.wait()
        response = client.generic(
            "POST", THEMES, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="race"
        )
        results.append((response.status_code, response.json()))
        connection.close()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in results] == [201, 201]
    assert results[0][1] == results[1][1]
    assert _themes(workspace) == ["Loneliness"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.refusal_writes("the other thread's update commits while this one is refused")
def test_concurrent_updates_with_one_etag_let_one_through(admin, make_key, workspace):
    raw = make_key(admin)
    created = _create(client_for(raw))
    url, tag = created["Location"], created["ETag"]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def call(name: str) -> None:
        client = client_for(raw)
        barrier.wait()
        response = client.patch(url, {"name": name}, format="json", HTTP_IF_MATCH=tag)
        statuses.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=call, args=(n,)) for n in ("Isolation", "Solitude")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 412]
    assert _themes(workspace)[0] in {"Isolation", "Solitude"}
