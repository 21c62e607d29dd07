"""Entries over the API: exactly the web's visibility, writes by the author only through the
web's services, soft delete with a tombstone in /deletions/, input and scopes."""

import pytest

from cycles.models import Entry
from cycles.selectors import entries_visible_to
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.api.conftest import client_for
from tests.api.cycles.conftest import count_queries, session_for
from tests.factories import (
    CycleFactory,
    EntryFactory,
    EntryThemeFactory,
    PersonFactory,
    SystemFactory,
    ThemeFactory,
)

URL = "/api/v1/entries/"


def _ids(client, **params):
    response = client.get(URL, {"page_size": 200, **params})
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_visibility_is_exactly_the_webs(api, world, make_member):
    stranger = make_member(world.workspace, Role.PRACTITIONER)
    with tenant_scope(workspace_id=world.workspace.pk):
        elsewhere = CycleFactory(
            workspace=world.workspace, system=SystemFactory(workspace=world.workspace)
        )
        made = []
        for level in ShareLevel.values:
            for cycle in (world.cycle, elsewhere):
                for author in (world.author.user, stranger.user):
                    made.append(
                        EntryFactory(
                            workspace=world.workspace, cycle=cycle, author=author, visibility=level
                        )
                    )
        own = EntryFactory(workspace=world.workspace, cycle=elsewhere, author=world.admin.user)
        person = PersonFactory(workspace=world.workspace, consent_level=ShareLevel.TEAM)
        capped = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.author.user,
            person=person,
            visibility=ShareLevel.WORKSPACE,
        )
        deleted = EntryFactory(
            workspace=world.workspace, author=world.admin.user, visibility=ShareLevel.WORKSPACE
        )
        Entry.objects.filter(pk=deleted.pk).update(deleted_at="2025-01-01T00:00:00Z")
        expected = set(
            entries_visible_to(workspace=world.workspace, user=world.admin.user).values_list(
                "pk", flat=True
            )
        )
    seen = _ids(api)
    assert seen == expected
    assert own.pk in seen
    assert capped.pk not in seen
    assert deleted.pk not in seen
    private = next(e for e in made if e.visibility == ShareLevel.PRIVATE)
    assert private.pk not in seen
    assert api.get(f"{URL}{private.pk}/").status_code == 404
    # The team member sees the team-level entries of the team cycle, the admin does not.
    team_entry = next(
        e for e in made if e.visibility == ShareLevel.TEAM and e.cycle_id == world.cycle.pk
    )
    assert team_entry.pk not in seen


def test_team_member_sees_team_entries(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        entry = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.author.user,
            visibility=ShareLevel.TEAM,
        )
    team = session_for(world.team)
    assert entry.pk in _ids(team)
    manager = session_for(world.manager)
    assert entry.pk not in _ids(manager)


def test_filters(api, world):
    with tenant_scope(workspace_id=world.workspace.pk):
        theme = ThemeFactory(workspace=world.workspace)
        a = EntryFactory(
            workspace=world.workspace, cycle=world.cycle, author=world.admin.user, kind="idea"
        )
        b = EntryFactory(
            workspace=world.workspace,
            cycle=world.upper,
            author=world.admin.user,
            phase="embed",
        )
        EntryThemeFactory(workspace=world.workspace, entry=b, theme=theme)
    assert _ids(api, cycle=world.cycle.pk) == {a.pk}
    assert _ids(api, kind="idea") == {a.pk}
    assert _ids(api, phase="embed") == {b.pk}
    assert _ids(api, theme=theme.pk) == {b.pk}
    assert api.get(URL, {"kind": "poem"}).status_code == 400
    assert api.get(URL, {"cycle": "x"}).status_code == 400


def test_create_update_delete(api, world):
    with tenant_scope(workspace_id=world.workspace.pk):
        theme = ThemeFactory(workspace=world.workspace)
    created = api.post(
        URL,
        {
            "cycle": world.cycle.pk,
            "kind": "story",
            "text": "She was frightened.",
            "visibility": 1,
            "themes": [theme.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["author"] == world.admin.user.pk
    assert body["phase"] == world.cycle.phase
    assert body["themes"] == [theme.pk]
    url = f"{URL}{body['id']}/"

    jump = api.patch(url, {"visibility": 4}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert jump.status_code == 400
    assert "visibility" in jump.json()["errors"]
    widened = api.patch(
        url,
        {"visibility": 2, "text": "She was frightened of the letters."},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert widened.status_code == 200, widened.json()
    assert widened.json()["visibility"] == 2
    assert widened.json()["themes"] == [theme.pk]
    assert (
        api.patch(url, {"text": "x"}, format="json", HTTP_IF_MATCH=created["ETag"]).status_code
        == 412
    )
    moved = api.patch(url, {"cycle": world.upper.pk}, format="json", HTTP_IF_MATCH=widened["ETag"])
    assert moved.status_code == 400
    assert "cycle" in moved.json()["errors"]

    since = widened.json()["updated_at"]
    assert api.delete(url).status_code == 428
    assert api.delete(url, HTTP_IF_MATCH=widened["ETag"]).status_code == 204
    assert api.get(url).status_code == 404
    assert body["id"] not in _ids(api)
    assert body["id"] not in _ids(api, updated_since=since)
    feed = api.get("/api/v1/deletions/", {"resource": "entries"}).json()["results"]
    assert [row["object_id"] for row in feed] == [str(body["id"])]
    with tenant_scope(workspace_id=world.workspace.pk):
        assert Entry.objects.get(pk=body["id"]).deleted_at is not None  # soft, as on the web


def test_only_the_author_changes_or_deletes(api, world):
    with tenant_scope(workspace_id=world.workspace.pk):
        entry = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.author.user,
            visibility=ShareLevel.WORKSPACE,
        )
    url = f"{URL}{entry.pk}/"
    etag = api.get(url)["ETag"]
    assert (
        api.patch(url, {"text": "mine now"}, format="json", HTTP_IF_MATCH=etag).status_code == 403
    )
    assert api.delete(url, HTTP_IF_MATCH=etag).status_code == 403
    with tenant_scope(workspace_id=world.workspace.pk):
        entry.refresh_from_db()
        assert entry.text != "mine now"
        assert entry.deleted_at is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "poem"}, "kind"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"visibility": 5}, "visibility"),
        ({"visibility": "team"}, "visibility"),
        ({"themes": "1"}, "themes"),
        ({"themes": [999999]}, "themes"),
        ({"person": 999999}, "person"),
        ({"cycle": 999999}, "cycle"),
        ({"cycle": "north"}, "cycle"),
        ({"author": 1}, "author"),
        ({"secret": True}, "secret"),
    ],
)
def test_bad_input(api, world, change, field):
    body = {"cycle": world.cycle.pk, "kind": "story", "text": "Something"}
    response = api.post(URL, {**body, **change}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]


def test_a_new_entry_starts_at_any_level_up_to_the_persons_consent(api, world):
    """As on the web: a new entry may be shared upward in one go; never past the consent of the
    person it concerns (400, the consent named beside `visibility`, nothing saved)."""
    with tenant_scope(workspace_id=world.workspace.pk):
        person = PersonFactory(
            workspace=world.workspace,
            system=world.system,
            alias="Jay",
            consent_level=ShareLevel.CYCLE,
        )
    body = {"cycle": world.cycle.pk, "kind": "story", "text": "Jay found the form."}
    shared = api.post(URL, {**body, "visibility": 3}, format="json")
    assert shared.status_code == 201, shared.json()
    assert (shared.json()["visibility"], shared.json()["effective_visibility"]) == (3, 3)
    about = {**body, "person": person.pk, "visibility": ShareLevel.SHARED_UPWARD}
    refused = api.post(URL, about, format="json")
    assert refused.status_code == 400
    [message] = refused.json()["errors"]["visibility"]
    assert "Jay has agreed to share as far as “This cycle” only" in message
    within = api.post(URL, {**about, "visibility": ShareLevel.CYCLE}, format="json")
    assert within.status_code == 201, within.json()
    with tenant_scope(workspace_id=world.workspace.pk):
        assert Entry.objects.filter(person=person).count() == 1


def test_foreign_ids_are_400(api, world, other_workspace):
    with tenant_scope(workspace_id=other_workspace.pk):
        cycle = CycleFactory(workspace=other_workspace)
        theme = ThemeFactory(workspace=other_workspace)
        person = PersonFactory(workspace=other_workspace)
    body = {"cycle": world.cycle.pk, "kind": "story", "text": "Something"}
    for change in ({"cycle": cycle.pk}, {"themes": [theme.pk]}, {"person": person.pk}):
        response = api.post(URL, {**body, **change}, format="json")
        assert response.status_code == 400, change
        assert set(change) <= set(response.json()["errors"])


def test_person_not_worked_with_is_400(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        person = PersonFactory(workspace=world.workspace, system=world.organisation)
    body = {"cycle": world.cycle.pk, "kind": "story", "text": "Something", "person": person.pk}
    response = session_for(world.team).post(URL, body, format="json")
    assert response.status_code == 400


def test_scopes(world, admin, make_key):
    assert client_for(make_key(admin, ["systems:write"])).get(URL).status_code == 403
    read = client_for(make_key(admin, ["cycles:read"]))
    assert read.get(URL).status_code == 200
    body = {"cycle": world.cycle.pk, "kind": "story", "text": "Something"}
    assert read.post(URL, body, format="json").status_code == 403


def test_viewer_cannot_log(world, make_member):
    viewer = make_member(world.workspace, Role.VIEWER)
    client = session_for(viewer)
    body = {"cycle": world.cycle.pk, "kind": "story", "text": "Something"}
    assert client.post(URL, body, format="json").status_code == 403


def test_list_query_count_is_constant(api, world):
    def add(n):
        with tenant_scope(workspace_id=world.workspace.pk):
            for _ in range(n):
                entry = EntryFactory(
                    workspace=world.workspace, cycle=world.cycle, author=world.admin.user
                )
                EntryThemeFactory(workspace=world.workspace, entry=entry)

    add(2)
    api.get(URL)  # the key's first use is recorded once
    with count_queries() as small:
        assert len(api.get(URL).json()["results"]) == 2
    add(18)
    with count_queries() as large:
        assert len(api.get(URL).json()["results"]) == 20
    assert len(large.captured_queries) == len(small.captured_queries) == 13
