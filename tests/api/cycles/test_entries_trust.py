"""Trust over the API (issue 10): an entry's `author` only where the caller would see the
author named, `signed` written by the author, `effective_visibility` after consent narrowed,
`happened_from`/`happened_to` strictly parsed, and only those inside a cycle change it or move
its phase."""

import datetime as dt

import pytest
from django.utils import timezone

from cycles.models import Cycle, Entry, PhaseShift
from hls.tenancy.context import tenant_scope
from systems.models import Person, ShareLevel
from tests.api.cycles.conftest import session_for
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    EntryFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
)

URL = "/api/v1/entries/"


@pytest.fixture
def shared(world):
    """A plain and a signed entry by a team member, shared with the whole workspace."""
    with tenant_scope(workspace_id=world.workspace.pk):
        world.plain = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.author.user,
            visibility=ShareLevel.WORKSPACE,
        )
        world.signed = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.author.user,
            visibility=ShareLevel.WORKSPACE,
            signed=True,
        )
    return world


def _authors(client) -> dict[int, int | None]:
    response = client.get(URL, {"page_size": 200})
    assert response.status_code == 200, response.json()
    return {row["id"]: row["author"] for row in response.json()["results"]}


def test_author_id_only_where_the_author_is_named(api, shared):
    w = shared
    me = w.author.user.pk
    # The admin's key: the admin takes part in the team cycle (inside).
    assert _authors(api)[w.plain.pk] == me
    # The manager above: the cycle stands for the author, unless the author signed.
    above = _authors(session_for(w.manager))
    assert above[w.plain.pk] is None
    assert above[w.signed.pk] == me
    assert session_for(w.manager).get(f"{URL}{w.plain.pk}/").json()["author"] is None
    # The drill-down of the patterns above says the same.
    with tenant_scope(workspace_id=w.workspace.pk):
        Entry.objects.filter(pk__in=[w.plain.pk, w.signed.pk]).update(
            visibility=ShareLevel.SHARED_UPWARD
        )
    drill = session_for(w.manager).get(f"/api/v1/cycles/{w.upper.pk}/patterns/entries/")
    assert drill.status_code == 200, drill.json()
    rows = {row["id"]: row["author"] for row in drill.json()["results"]}
    assert rows == {w.plain.pk: None, w.signed.pk: me}


def test_the_author_signs_and_unsigns(world):
    author = session_for(world.author)
    created = author.post(
        URL,
        {"cycle": world.cycle.pk, "kind": "story", "text": "Mine", "signed": True},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["signed"] is True
    url = f"{URL}{created.json()['id']}/"
    unsigned = author.patch(url, {"signed": False}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert unsigned.status_code == 200, unsigned.json()
    assert unsigned.json()["signed"] is False
    bad = author.patch(url, {"signed": "yes"}, format="json", HTTP_IF_MATCH=unsigned["ETag"])
    assert bad.status_code == 400
    assert "signed" in bad.json()["errors"]


def test_effective_visibility_after_consent_narrowed(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        person = PersonFactory(
            workspace=world.workspace, system=world.system, consent_level=ShareLevel.WORKSPACE
        )
        entry = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.author.user,
            person=person,
            visibility=ShareLevel.SHARED_UPWARD,
        )
        Person.objects.filter(pk=person.pk).update(consent_level=ShareLevel.TEAM)
    body = session_for(world.author).get(f"{URL}{entry.pk}/").json()
    assert (body["visibility"], body["effective_visibility"]) == (3, 1)
    # It no longer travels up.
    assert session_for(world.manager).get(f"{URL}{entry.pk}/").status_code == 404


def test_happened_filters(api, world):
    today = timezone.localdate()
    with tenant_scope(workspace_id=world.workspace.pk):
        recent = EntryFactory(workspace=world.workspace, cycle=world.cycle, author=world.admin.user)
        old = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            author=world.admin.user,
            happened_on=today - dt.timedelta(days=40),
        )

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    week_ago = (today - dt.timedelta(days=7)).isoformat()
    assert ids(happened_from=week_ago) == {recent.pk}
    assert ids(happened_to=week_ago) == {old.pk}
    assert ids(happened_from=week_ago, happened_to=week_ago) == set()
    # Sync stays on the logged time: both were logged now.
    assert ids(updated_since="2000-01-01T00:00:00Z") == {recent.pk, old.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"happened_from": "2026-13-01"},
        {"happened_from": "yesterday"},
        {"happened_to": ""},
        {"happened_to": ["2026-01-01", "2026-02-01"]},
    ],
)
def test_bad_happened_filters_are_400(api, world, params):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert next(iter(params)) in response.json()["errors"]


def test_happened_on_is_never_to_come(api, world):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = api.post(
        URL,
        {"cycle": world.cycle.pk, "kind": "story", "text": "Soon", "happened_on": tomorrow},
        format="json",
    )
    assert response.status_code == 400
    assert "happened_on" in response.json()["errors"]
    made = api.post(URL, {"cycle": world.cycle.pk, "kind": "story", "text": "Now"}, format="json")
    assert made.json()["happened_on"] == timezone.localdate().isoformat()


def test_only_those_inside_change_a_cycle_or_move_its_phase(world):
    manager = session_for(world.manager)  # works in the organisation above the team
    url = f"/api/v1/cycles/{world.cycle.pk}/"
    etag = manager.get(url)["ETag"]
    patched = manager.patch(url, {"name": "From above"}, format="json", HTTP_IF_MATCH=etag)
    assert patched.status_code == 403
    assert patched["Content-Type"].startswith("application/problem+json")
    moved = manager.post(f"{url}phase/", {"to": "embed", "why": "From above"}, format="json")
    assert moved.status_code == 403
    with tenant_scope(workspace_id=world.workspace.pk):
        assert Cycle.objects.get(pk=world.cycle.pk).name == "North team cycle"
        assert not PhaseShift.objects.filter(cycle=world.cycle).exists()
    team = session_for(world.team)
    assert team.post(f"{url}phase/", {"to": "embed", "why": "Now"}, format="json").status_code == (
        200
    )


def test_a_persons_cycle_comes_by_its_pseudonym_outside(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        life = SystemFactory(
            workspace=world.workspace,
            name="Maria's life",
            parent=world.system,
            scale=ScaleFactory(workspace=world.workspace, name="Life", is_person_scale=True),
        )
        cycle = CycleFactory(workspace=world.workspace, system=life, name="Maria's cycle")
        CycleMemberFactory(workspace=world.workspace, cycle=cycle, user=world.team.user)
    url = f"/api/v1/cycles/{cycle.pk}/"
    assert session_for(world.manager).get(url).json()["name"] == "A person's life · North team"
    listed = session_for(world.manager).get("/api/v1/cycles/", {"page_size": 200}).json()
    assert "Maria" not in str(listed["results"])
    assert session_for(world.team).get(url).json()["name"] == "Maria's cycle"
