"""The system map over the API: actors, factors and the links between them. Deleting a node
deletes its links too, and every deletion leaves a tombstone in /deletions/."""

import datetime as dt

import pytest
from django.utils import timezone

from hls.audit.models import Tombstone
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Actor, Factor, Relationship
from tests.api.systems.conftest import API, delete, list_queries, patch, problem_fields, set_role
from tests.factories import ActorFactory, FactorFactory, RelationshipFactory, SystemFactory


def _tombstones(workspace) -> set[tuple[str, str]]:
    with tenant_scope(workspace_id=workspace.pk):
        return set(Tombstone.objects.values_list("resource", "object_id"))


# Actors ----------------------------------------------------------------------------------------


def test_actor_create_list_retrieve_update(api, workspace, system) -> None:
    created = api.post(
        f"{API}/actors/",
        {"system": system.pk, "name": " Housing officer ", "kind": "person"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Housing officer"  # the service tidies it, as on the web
    assert body["participation"] == "not_yet"

    rows = api.get(f"{API}/actors/", {"system": system.pk}).json()["results"]
    assert rows == [body]

    updated = patch(api, created["Location"], {"participation": "taking_part", "role": "Lead"})
    assert updated.status_code == 200, updated.content
    assert updated.json()["participation"] == "taking_part"
    assert updated.json()["name"] == "Housing officer"
    with tenant_scope(workspace_id=workspace.pk):
        assert Actor.objects.get(pk=body["id"]).role == "Lead"


def test_actor_list_filters_by_system(api, workspace, system) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        mine = ActorFactory(workspace=workspace, system=system)
        ActorFactory(workspace=workspace)

    rows = api.get(f"{API}/actors/", {"system": system.pk}).json()["results"]

    assert [row["id"] for row in rows] == [mine.pk]
    assert len(api.get(f"{API}/actors/").json()["results"]) == 2


def test_actor_bad_input(api, workspace, system, outsider) -> None:
    with tenant_scope(workspace_id=outsider.workspace_id):
        foreign = SystemFactory(workspace=outsider.workspace)
    with tenant_scope(workspace_id=workspace.pk):
        actor = ActorFactory(workspace=workspace, system=system)
        other = SystemFactory(workspace=workspace, scale=system.scale)
    url = f"{API}/actors/"
    good = {"system": system.pk, "name": "A", "kind": "group"}

    assert problem_fields(api.post(url, {**good, "system": foreign.pk}, format="json")) == {
        "system"
    }
    assert problem_fields(api.post(url, {**good, "kind": "robot"}, format="json")) == {"kind"}
    assert problem_fields(api.post(url, {**good, "name": "  "}, format="json")) == {"name"}
    assert problem_fields(api.post(url, {**good, "name": {}}, format="json")) == {"name"}
    assert problem_fields(api.post(url, {**good, "id": 3}, format="json")) == {"id"}
    moved = patch(api, f"{url}{actor.pk}/", {"system": other.pk})
    assert problem_fields(moved) == {"system"}


def test_actor_delete_takes_its_links_and_leaves_tombstones(api, workspace, system) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        a, b, c = (ActorFactory(workspace=workspace, system=system) for _ in range(3))
        ab = Relationship.objects.create(
            workspace=workspace, system=system, source_actor=a, target_actor=b
        )
        ca = Relationship.objects.create(
            workspace=workspace, system=system, source_actor=c, target_actor=a
        )
        bc = Relationship.objects.create(
            workspace=workspace, system=system, source_actor=b, target_actor=c
        )

    response = delete(api, f"{API}/actors/{a.pk}/")

    assert response.status_code == 204
    assert api.get(f"{API}/actors/{a.pk}/").status_code == 404
    assert _tombstones(workspace) == {
        ("actors", str(a.pk)),
        ("relationships", str(ab.pk)),
        ("relationships", str(ca.pk)),
    }
    with tenant_scope(workspace_id=workspace.pk):
        assert list(Relationship.objects.values_list("pk", flat=True)) == [bc.pk]
    feed = api.get(f"{API}/deletions/").json()["results"]
    assert {(row["resource"], row["object_id"]) for row in feed} == _tombstones(workspace)


def test_a_delete_needs_if_match(api, workspace, system) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        actor = ActorFactory(workspace=workspace, system=system)

    assert api.delete(f"{API}/actors/{actor.pk}/").status_code == 428
    assert api.delete(f"{API}/actors/{actor.pk}/", HTTP_IF_MATCH='"stale"').status_code == 412
    assert _tombstones(workspace) == set()


# Factors ---------------------------------------------------------------------------------------


def test_factor_create_update_delete(api, workspace, system) -> None:
    created = api.post(
        f"{API}/factors/",
        {"system": system.pk, "name": "Debt", "description": "Rent arrears"},
        format="json",
    )
    assert created.status_code == 201, created.content
    url = created["Location"]

    updated = patch(api, url, {"description": "Rent and council tax arrears"})
    assert updated.status_code == 200
    assert updated.json()["name"] == "Debt"
    assert api.get(f"{API}/factors/", {"system": system.pk}).json()["results"] == [updated.json()]

    assert delete(api, url).status_code == 204
    assert _tombstones(workspace) == {("factors", str(created.json()["id"]))}
    with tenant_scope(workspace_id=workspace.pk):
        assert not Factor.objects.exists()


def test_factor_bad_input(api, system) -> None:
    url = f"{API}/factors/"
    assert problem_fields(api.post(url, {"system": system.pk}, format="json")) == {"name"}
    assert problem_fields(api.post(url, {"system": "x", "name": "Debt"}, format="json")) == {
        "system"
    }
    assert problem_fields(
        api.post(url, {"system": system.pk, "name": "Debt", "weight": 3}, format="json")
    ) == {"weight"}


# Relationships ---------------------------------------------------------------------------------


@pytest.fixture
def nodes(workspace, system):
    with tenant_scope(workspace_id=workspace.pk):
        return {
            "a1": ActorFactory(workspace=workspace, system=system),
            "a2": ActorFactory(workspace=workspace, system=system),
            "f1": FactorFactory(workspace=workspace, system=system),
            "f2": FactorFactory(workspace=workspace, system=system),
            "elsewhere": FactorFactory(workspace=workspace),
        }


def test_relationship_create_list_update_delete(api, workspace, system, nodes) -> None:
    url = f"{API}/relationships/"
    created = api.post(
        url,
        {
            "system": system.pk,
            "kind": "factor",
            "source": nodes["f1"].pk,
            "target": nodes["f2"].pk,
            "sign": "-",
            "label": "pushes down",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in ("kind", "source", "target", "sign", "label")} == {
        "kind": "factor",
        "source": nodes["f1"].pk,
        "target": nodes["f2"].pk,
        "sign": "-",
        "label": "pushes down",
    }
    assert api.get(url, {"system": system.pk}).json()["results"] == [body]

    flipped = patch(api, created["Location"], {"source": nodes["f2"].pk, "target": nodes["f1"].pk})
    assert flipped.status_code == 200, flipped.content
    assert (flipped.json()["source"], flipped.json()["sign"]) == (nodes["f2"].pk, "-")

    to_actors = patch(
        api,
        created["Location"],
        {"kind": "actor", "source": nodes["a1"].pk, "target": nodes["a2"].pk, "sign": ""},
    )
    assert to_actors.status_code == 200, to_actors.content
    with tenant_scope(workspace_id=workspace.pk):
        link = Relationship.objects.get(pk=body["id"])
        assert (link.source_actor_id, link.source_factor_id) == (nodes["a1"].pk, None)

    assert delete(api, created["Location"]).status_code == 204
    assert _tombstones(workspace) == {("relationships", str(body["id"]))}


def test_relationship_bad_input(api, workspace, system, nodes, outsider) -> None:
    url = f"{API}/relationships/"
    good = {
        "system": system.pk,
        "kind": "factor",
        "source": nodes["f1"].pk,
        "target": nodes["f2"].pk,
        "sign": "+",
    }
    with tenant_scope(workspace_id=outsider.workspace_id):
        foreign = FactorFactory(workspace=outsider.workspace)

    def fields(**change):
        return problem_fields(api.post(url, {**good, **change}, format="json"))

    assert fields(sign="") == {"sign"}  # between factors, say which way it pushes
    assert fields(sign="x") == {"sign"}
    assert fields(source=nodes["elsewhere"].pk) == {"source"}  # another system's map
    assert fields(target=foreign.pk) == {"target"}  # another workspace
    assert fields(source=nodes["a1"].pk) == {"source"}  # an actor id named as a factor
    assert fields(target=nodes["f1"].pk) == {"target"}  # a node to itself
    assert fields(kind="edge") == {"kind"}
    assert fields(source="one") == {"source"}
    assert fields(source_factor=nodes["f1"].pk) == {"source_factor"}
    with tenant_scope(workspace_id=workspace.pk):
        link = RelationshipFactory(workspace=workspace, system=system)
    half = patch(api, f"{url}{link.pk}/", {"kind": "actor"})
    assert problem_fields(half) == {"kind"}


# Shared rules ----------------------------------------------------------------------------------

RESOURCES = ["actors", "factors", "relationships"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_roles_and_scopes(api, admin, scoped_client, workspace, system, resource) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        link = RelationshipFactory(workspace=workspace, system=system)
        ids = {
            "actors": ActorFactory(workspace=workspace, system=system).pk,
            "factors": link.source_factor_id,
            "relationships": link.pk,
        }
    url = f"{API}/{resource}/{ids[resource]}/"
    reader = scoped_client(["systems:read"])
    assert reader.get(url).status_code == 200
    assert reader.delete(url, HTTP_IF_MATCH="*").status_code == 403
    assert reader.patch(url, {}, format="json", HTTP_IF_MATCH="*").status_code == 403
    assert scoped_client(["people:write", "cycles:write"]).get(url).status_code == 403

    set_role(admin, Role.VIEWER)
    assert api.get(url).status_code == 200
    assert api.delete(url, HTTP_IF_MATCH="*").status_code == 403
    assert _tombstones(workspace) == set()


@pytest.mark.parametrize("resource", RESOURCES)
def test_updated_since(api, workspace, system, resource) -> None:
    model = {"actors": Actor, "factors": Factor, "relationships": Relationship}[resource]
    with tenant_scope(workspace_id=workspace.pk):
        RelationshipFactory(workspace=workspace, system=system)
        ActorFactory(workspace=workspace, system=system)
        model.objects.update(updated_at=timezone.now() - dt.timedelta(days=2))
        fresh = model.objects.order_by("pk").first()
        fresh.save()
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()

    rows = api.get(f"{API}/{resource}/", {"updated_since": since}).json()["results"]

    assert [row["id"] for row in rows] == [fresh.pk]


@pytest.mark.parametrize("resource", RESOURCES)
def test_list_query_count_is_constant(
    api, workspace, system, resource, django_assert_num_queries
) -> None:
    def add(count: int) -> None:
        with tenant_scope(workspace_id=workspace.pk):
            for _ in range(count):
                RelationshipFactory(workspace=workspace, system=system)
                ActorFactory(workspace=workspace, system=system)

    url = f"{API}/{resource}/?system={system.pk}"
    add(2)
    small = list_queries(api, url)
    add(18)
    assert list_queries(api, url) == small == 10
    with django_assert_num_queries(10):
        api.get(url)
