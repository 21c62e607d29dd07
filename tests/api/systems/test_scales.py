"""Scales over the API: the defaults on first read, create and rename for admins only."""

import datetime as dt

from django.utils import timezone

from hls.audit.models import Tombstone
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems import services
from systems.models import Scale
from tests.api.systems.conftest import API, list_queries, patch, problem_fields, set_role
from tests.factories import ScaleFactory

URL = f"{API}/scales/"


def test_a_new_workspace_lists_the_default_scales_smallest_first(api, workspace) -> None:
    response = api.get(URL)

    assert response.status_code == 200
    names = [row["name"] for row in response.json()["results"]]
    assert len(names) == 5
    rows = sorted(response.json()["results"], key=lambda row: row["position"])
    assert rows[0]["is_person_scale"] is True
    assert response["ETag"]


def test_create_retrieve_and_rename(api, workspace) -> None:
    created = api.post(URL, {"name": "Neighbourhood"}, format="json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Neighbourhood"
    assert created["Location"] == f"{URL}{body['id']}/"
    assert api.get(created["Location"]).json() == body

    renamed = patch(api, created["Location"], {"name": "Community"})

    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["name"] == "Community"
    assert renamed.json()["updated_at"] > body["updated_at"]
    with tenant_scope(workspace_id=workspace.pk):
        assert Scale.objects.get(pk=body["id"]).name == "Community"


def test_bad_input_is_400_with_the_field(api, workspace) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        ScaleFactory(workspace=workspace, name="Team")

    assert problem_fields(api.post(URL, {"name": "team"}, format="json")) == {"name"}
    assert problem_fields(api.post(URL, {"name": ["a"]}, format="json")) == {"name"}
    assert problem_fields(api.post(URL, {"name": "x" * 61}, format="json")) == {"name"}
    assert problem_fields(api.post(URL, {"name": "Ward", "position": 0}, format="json")) == {
        "position"
    }
    assert problem_fields(api.post(URL, {"name": "Ward", "colour": "red"}, format="json")) == {
        "colour"
    }


def test_a_rename_needs_if_match(api, workspace) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, name="Team")

    response = api.patch(f"{URL}{scale.pk}/", {"name": "Teams"}, format="json")

    assert response.status_code == 428


def test_only_admins_manage_scales(api, admin, workspace) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, name="Team")
    etag = api.get(f"{URL}{scale.pk}/")["ETag"]
    set_role(admin, Role.STEWARD)

    assert api.get(URL).status_code == 200
    assert api.post(URL, {"name": "Ward"}, format="json").status_code == 403
    response = api.patch(f"{URL}{scale.pk}/", {"name": "X"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 403


def test_scopes(scoped_client) -> None:
    assert scoped_client(["cycles:write", "people:write"]).get(URL).status_code == 403
    reader = scoped_client(["systems:read"])
    assert reader.get(URL).status_code == 200
    assert reader.post(URL, {"name": "Ward"}, format="json").status_code == 403
    writer = scoped_client(["systems:write"])
    assert writer.post(URL, {"name": "Ward"}, format="json").status_code == 201


def test_updated_since(api, workspace) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        old = ScaleFactory(workspace=workspace, name="Old")
        new = ScaleFactory(workspace=workspace, name="New")
        Scale.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()

    response = api.get(URL, {"updated_since": since})

    assert [row["id"] for row in response.json()["results"]] == [new.pk]


def test_a_moved_scale_shows_as_changed(api, workspace) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        first = ScaleFactory(workspace=workspace, name="First", position=0)
        second = ScaleFactory(workspace=workspace, name="Second", position=1)
        Scale.objects.update(updated_at=timezone.now() - dt.timedelta(days=2))
        services.scale_move(workspace=workspace, scale=second, direction="up")
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()

    rows = api.get(URL, {"updated_since": since}).json()["results"]

    assert {row["id"]: row["position"] for row in rows} == {first.pk: 1, second.pk: 0}


def test_a_scale_deleted_on_the_web_is_in_the_deletions_feed(api, workspace) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, name="Ward")
        scale_id = scale.pk
        services.scale_delete(workspace=workspace, scale=scale)
        assert Tombstone.objects.filter(resource="scales", object_id=str(scale_id)).exists()

    feed = api.get(f"{API}/deletions/", {"resource": "scales"}).json()["results"]

    assert [(row["resource"], row["object_id"]) for row in feed] == [("scales", str(scale_id))]


def test_list_query_count_is_constant(api, workspace, django_assert_num_queries) -> None:
    def add(count: int) -> None:
        with tenant_scope(workspace_id=workspace.pk):
            for _ in range(count):
                ScaleFactory(workspace=workspace)

    add(2)
    small = list_queries(api, URL)
    add(18)
    assert list_queries(api, URL) == small == 12
    with django_assert_num_queries(12):
        api.get(URL)
