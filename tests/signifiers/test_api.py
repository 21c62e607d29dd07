# ruff: noqa: F811 - the API's fixtures are imported, then used by name
"""Signifier sets and placements over the API, with its conventions: sets written (the checker's
messages as problem+json naming the signifier), changed with If-Match (stale: 412) and
versioned, archived by PATCH; placements made by the story's author only (errors keyed by
signifier under `errors.data`), replayed by Idempotency-Key, changed with If-Match, taken back
(in the deletions feed); a placement seen exactly as widely as its story; another workspace's
set or placement is a 404. Every response is checked against the committed schema (the fixture
from tests/api/conftest.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cycles.models import Entry, Placement, SignifierSet
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.api.conftest import (  # noqa: F401 - fixtures
    _every_api_response_conforms_to_the_schema,
    client_for,
    make_key,
)
from tests.factories import CycleFactory, EntryFactory
from tests.signifiers.helpers import FULL_SET, PLACED, TRIAD, attach, placed_story

pytestmark = pytest.mark.django_db

S = "/api/v1/signifier-sets/"
P = "/api/v1/placements/"
SETS_QUERIES = 10  # a list of sets, their versions prefetched
PLACEMENT_QUERIES = 11  # a list of placements, their stories joined


def session(membership) -> APIClient:
    """The API as a member's browser session calls it (API keys are for admins only)."""
    client = APIClient()
    client.force_login(membership.user)
    client.credentials(HTTP_X_WORKSPACE=membership.workspace.slug)
    return client


def _problem(response, status):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def _count(workspace, model) -> int:
    with tenant_scope(workspace_id=workspace.pk):
        return model.objects.count()


def test_sets_are_checked_versioned_and_changed_with_if_match(world, make_key):
    api = client_for(make_key(world.admin))
    ws = world.workspace
    bad = {"signifiers": [TRIAD, {"key": "felt", "type": "dyad", "prompt": "How?"}]}
    errors = _problem(api.post(S, {"name": "What helped", "definition": bad}, format="json"), 400)
    assert list(errors["errors"]) == ["definition"]
    assert "'felt'" in errors["errors"]["definition"][0]
    assert _count(ws, SignifierSet) == 0

    created = api.post(S, {"name": "What helped", "definition": FULL_SET}, format="json")
    assert created.status_code == 201, created.content
    made = created.json()
    assert made["version"] == 1
    assert not made["archived"]
    assert [v["version"] for v in made["versions"]] == [1]
    assert created["Location"] == f"{S}{made['id']}/"

    read = api.get(created["Location"])
    assert read.json() == made
    etag = read["ETag"]
    _problem(api.patch(created["Location"], {"name": "x"}, format="json"), 428)
    changed = api.patch(
        created["Location"], {"definition": {"signifiers": [TRIAD]}}, format="json",
        HTTP_IF_MATCH=etag,
    )  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 2
    assert [v["version"] for v in changed.json()["versions"]] == [2, 1]
    assert changed.json()["versions"][1]["definition"] == FULL_SET
    # The first ETag is stale now: refused, nothing changes.
    stale = api.patch(created["Location"], {"name": "Old"}, format="json", HTTP_IF_MATCH=etag)
    _problem(stale, 412)
    assert api.get(created["Location"]).json()["name"] == "What helped"

    # The checker's messages on an update, too; then archived by PATCH.
    etag = api.get(created["Location"])["ETag"]
    refused = api.patch(
        created["Location"], {"definition": {"signifiers": []}}, format="json", HTTP_IF_MATCH=etag
    )
    assert _problem(refused, 400)["errors"]["definition"]
    archived = api.patch(created["Location"], {"archived": True}, format="json", HTTP_IF_MATCH=etag)
    assert archived.status_code == 200
    assert archived.json()["archived"] is True
    assert archived.json()["version"] == 2
    assert api.get(S, {"archived": "false"}).json()["results"] == []
    assert [s["id"] for s in api.get(S, {"archived": "true"}).json()["results"]] == [made["id"]]


def test_set_bad_input_and_roles(world, make_key):
    api = client_for(make_key(world.admin))
    unknown = api.post(S, {"name": "X", "definition": FULL_SET, "colour": 1}, format="json")
    assert _problem(unknown, 400)["errors"] == {"colour": ["Unknown field."]}
    typed = api.post(S, {"name": 5, "definition": FULL_SET}, format="json")
    assert _problem(typed, 400)["errors"] == {"name": ["Must be a string."]}
    shapeless = api.post(S, {"name": "X", "definition": "triad"}, format="json")
    assert list(_problem(shapeless, 400)["errors"]) == ["definition"]
    _problem(api.post(S, {"name": "X"}, format="json"), 400)
    _problem(api.get(S, {"archived": "yes"}), 400)
    # Writing sets is `themes.manage`: a practitioner reads them, and is refused a write.
    practitioner = session(world.author)
    assert practitioner.get(S).status_code == 200
    _problem(practitioner.post(S, {"name": "X", "definition": FULL_SET}, format="json"), 403)
    assert _count(world.workspace, SignifierSet) == 0


def test_a_set_create_is_replayed_by_its_idempotency_key(world, make_key):
    api = client_for(make_key(world.admin))
    body = {"name": "What helped", "definition": FULL_SET}
    first = api.post(S, body, format="json", HTTP_IDEMPOTENCY_KEY="set-1")
    again = api.post(S, body, format="json", HTTP_IDEMPOTENCY_KEY="set-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert _count(world.workspace, SignifierSet) == 1
    other = api.post(S, {**body, "name": "Else"}, format="json", HTTP_IDEMPOTENCY_KEY="set-1")
    _problem(other, 422)


@pytest.fixture
def story(world):
    """The author's story in the team's cycle (which has a set attached), not placed yet."""
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, world.admin.user)
        return EntryFactory(
            workspace=ws, cycle=world.cycle, author=world.author.user, kind=Entry.Kind.STORY,
            visibility=ShareLevel.WORKSPACE, text="Mrs B told us how her neighbour helped",
        )  # fmt: skip


def test_a_storyteller_places_changes_and_takes_back_their_story(world, story):
    author = session(world.author)
    outside = {**PLACED, "helped": {"a": 0.9, "b": 0.9, "c": 0.1}}
    del outside["felt"]
    refused = author.post(P, {"entry": story.pk, "data": outside}, format="json")
    errors = _problem(refused, 400)["errors"]
    assert set(errors) == {"data"}
    assert set(errors["data"]) == {"helped", "felt"}
    assert "outside the triangle" in errors["data"]["helped"][0]
    assert _count(world.workspace, Placement) == 0

    body = {"entry": story.pk, "data": PLACED}
    created = author.post(P, body, format="json", HTTP_IDEMPOTENCY_KEY="place-1")
    assert created.status_code == 201, created.content
    placed = created.json()
    assert placed["cycle"] == world.cycle.pk
    assert placed["version"] == 1
    assert placed["with_person"] is False
    replay = author.post(P, body, format="json", HTTP_IDEMPOTENCY_KEY="place-1")
    assert replay.json() == placed
    assert replay["Idempotent-Replayed"] == "true"
    # Placed already: a second create is a conflict, never a silent overwrite.
    _problem(author.post(P, body, format="json"), 409)
    assert _count(world.workspace, Placement) == 1

    url = created["Location"]
    etag = author.get(url)["ETag"]
    _problem(author.patch(url, {"data": {**PLACED, "pace": "na"}}, format="json"), 428)
    change = {"data": {**PLACED, "pace": "na"}}
    changed = author.patch(url, change, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.content
    assert changed.json()["data"]["pace"] == "na"
    _problem(author.patch(url, {"data": PLACED}, format="json", HTTP_IF_MATCH=etag), 412)
    moved = author.patch(url, {"entry": story.pk}, format="json", HTTP_IF_MATCH=changed["ETag"])
    assert _problem(moved, 400)["errors"] == {"entry": ["A placement stays with its story."]}
    bad = author.patch(
        url, {"data": {**PLACED, "who": ["Cats"]}}, format="json", HTTP_IF_MATCH=changed["ETag"]
    )
    assert set(_problem(bad, 400)["errors"]["data"]) == {"who"}

    # Only the author: the admin sees the story and its placement, and may not change it.
    admin = session(world.admin)
    assert admin.get(url).status_code == 200
    _problem(admin.patch(url, {"data": PLACED}, format="json", HTTP_IF_MATCH="*"), 403)
    _problem(admin.delete(url, HTTP_IF_MATCH="*"), 403)

    _problem(author.delete(url), 428)
    assert author.delete(url, HTTP_IF_MATCH=changed["ETag"]).status_code == 204
    assert _count(world.workspace, Placement) == 0
    with tenant_scope(workspace_id=world.workspace.pk):
        assert Entry.objects.filter(pk=story.pk, deleted_at__isnull=True).exists()
    gone = author.get("/api/v1/deletions/", {"resource": "placements"}).json()["results"]
    assert [row["object_id"] for row in gone] == [str(placed["id"])]


def test_a_placement_for_someone_elses_or_an_unplaceable_story_is_refused(world, story):
    ws = world.workspace
    admin = session(world.admin)
    _problem(admin.post(P, {"entry": story.pk, "data": PLACED}, format="json"), 403)
    with tenant_scope(workspace_id=ws.pk):
        note = EntryFactory(
            workspace=ws, cycle=world.cycle, author=world.author.user,
            kind=Entry.Kind.OBSERVATION, visibility=ShareLevel.WORKSPACE,
        )  # fmt: skip
        unattached = EntryFactory(
            workspace=ws, cycle=world.upper, author=world.author.user, kind=Entry.Kind.STORY
        )
    author = session(world.author)
    for entry in (note, unattached):
        refused = author.post(P, {"entry": entry.pk, "data": PLACED}, format="json")
        assert list(_problem(refused, 400)["errors"]) == ["entry"]
    typed = author.post(P, {"entry": "1", "data": PLACED, "with_person": "yes"}, format="json")
    assert set(_problem(typed, 400)["errors"]) == {"entry", "with_person"}
    alone = author.post(P, {"entry": story.pk, "data": PLACED, "with_person": True}, format="json")
    assert list(_problem(alone, 400)["errors"]) == ["with_person"]
    _problem(author.get(P, {"cycle": "north"}), 400)
    assert _count(ws, Placement) == 0


def test_placements_are_seen_exactly_as_widely_as_their_stories(world):
    """Each member lists the placements of exactly the stories they list: private, team and
    cycle stories, in the team's cycle and the one above."""
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, world.admin.user, name="Team")
        attach(ws, world.upper, world.admin.user, name="Upper")
        placed = [
            placed_story(ws, cycle, author.user, visibility=level)[1].pk
            for cycle in (world.cycle, world.upper)
            for author in (world.author, world.team, world.cycle_member)
            for level in (ShareLevel.PRIVATE, ShareLevel.TEAM, ShareLevel.CYCLE)
        ]
    members = [world.admin, world.author, world.team, world.manager, world.cycle_member,
               world.other]  # fmt: skip
    for member in members:
        client = session(member)
        stories = {
            row["id"]
            for row in client.get("/api/v1/entries/", {"kind": "story", "page_size": 200}).json()[
                "results"
            ]
        }
        listed = client.get(P, {"page_size": 200}).json()["results"]
        assert {row["entry"] for row in listed} == stories, member.user.email
        seen = {row["id"] for row in listed}
        for pk in placed:
            status = client.get(f"{P}{pk}/").status_code
            assert status == (200 if pk in seen else 404), (member.user.email, pk)
        in_cycle = client.get(P, {"cycle": world.cycle.pk, "page_size": 200}).json()["results"]
        assert {row["cycle"] for row in in_cycle} <= {world.cycle.pk}
        assert {row["id"] for row in in_cycle} == {
            row["id"] for row in listed if row["cycle"] == world.cycle.pk
        }


def test_another_workspaces_set_and_placement_are_404(world, story, make_key):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        signifier_set = SignifierSet.objects.get()
        placement = placed_story(ws, world.cycle, world.author.user)[1]
    outsider = client_for(make_key(world.outsider))
    for url in (f"{S}{signifier_set.pk}/", f"{P}{placement.pk}/"):
        _problem(outsider.get(url), 404)
        _problem(outsider.patch(url, {}, format="json", HTTP_IF_MATCH="*"), 404)
    _problem(outsider.delete(f"{P}{placement.pk}/", HTTP_IF_MATCH="*"), 404)
    assert outsider.get(S).json()["results"] == []
    assert outsider.get(P).json()["results"] == []
    # Another workspace's story is not one to place: the id is refused, beside its field.
    refused = outsider.post(P, {"entry": story.pk, "data": PLACED}, format="json")
    assert list(_problem(refused, 400)["errors"]) == ["entry"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"page_size": 200}).status_code == 200
    return len(captured)


def test_lists_read_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    """However many sets (with their versions) and placements there are."""
    ws = world.workspace
    admin = session(world.admin)

    def add(count: int) -> None:
        with tenant_scope(workspace_id=ws.pk):
            for _ in range(count):
                cycle = CycleFactory(workspace=ws, system=world.system)
                attach(ws, cycle, world.admin.user)
                placed_story(ws, cycle, world.author.user, visibility=ShareLevel.WORKSPACE)

    add(1)
    small = (_queries(admin, S), _queries(admin, P))
    add(9)
    assert (_queries(admin, S), _queries(admin, P)) == small == (SETS_QUERIES, PLACEMENT_QUERIES)
    with django_assert_num_queries(PLACEMENT_QUERIES):
        admin.get(P, {"page_size": 200})
