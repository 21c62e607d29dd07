"""Links, barriers (with answers) and enablers over the API."""

from cycles.models import BarrierRoute
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.api.conftest import client_for
from tests.api.cycles.conftest import count_queries
from tests.factories import (
    CycleFactory,
    CycleLinkFactory,
    EnablerFactory,
    EnablerTargetFactory,
    EntryFactory,
    SystemFactory,
)

LINKS = "/api/v1/links/"
BARRIERS = "/api/v1/barriers/"
ENABLERS = "/api/v1/enablers/"


def _peer(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        return CycleFactory(
            workspace=world.workspace, system=SystemFactory(workspace=world.workspace)
        )


# Links ---------------------------------------------------------------------------------------


def test_link_create_list_end(api, world):
    peer = _peer(world)
    body = {"cycle": world.cycle.pk, "other": peer.pk, "kind": "peer", "reason": "Same families."}
    created = api.post(LINKS, body, format="json")
    assert created.status_code == 201, created.json()
    again = api.post(LINKS, body, format="json")
    assert again.status_code == 400
    assert "other" in again.json()["errors"]
    above = api.post(
        LINKS,
        {"cycle": world.cycle.pk, "other": world.upper.pk, "kind": "parent", "reason": "r"},
        format="json",
    )
    assert above.status_code == 400  # already above through the system map
    rows = api.get(LINKS, {"cycle": peer.pk}).json()["results"]
    assert [row["id"] for row in rows] == [created.json()["id"]]
    url = f"{LINKS}{created.json()['id']}/"
    assert api.post(f"{url}end/", {"reason": ""}, format="json").status_code == 400
    ended = api.post(f"{url}end/", {"reason": "Done."}, format="json")
    assert ended.status_code == 200, ended.json()
    assert ended.json()["ended_at"] is not None
    assert api.post(f"{url}end/", {"reason": "Again."}, format="json").status_code == 400
    assert api.get(LINKS, {"ended": "false"}).json()["results"] == []


def test_link_bad_and_foreign_input(api, world, other_workspace):
    with tenant_scope(workspace_id=other_workspace.pk):
        foreign = CycleFactory(workspace=other_workspace)
    for body in (
        {"cycle": world.cycle.pk, "other": foreign.pk, "kind": "peer", "reason": "r"},
        {"cycle": world.cycle.pk, "other": "x", "kind": "peer", "reason": "r"},
        {"cycle": world.cycle.pk, "other": world.cycle.pk, "kind": "peer", "reason": "r"},
        {"cycle": world.cycle.pk, "other": world.upper.pk, "kind": "sibling", "reason": "r"},
        {"cycle": world.cycle.pk, "other": world.upper.pk, "kind": "peer"},
    ):
        assert api.post(LINKS, body, format="json").status_code == 400, body


def test_link_scopes_and_queries(api, world, admin, make_key):
    read = client_for(make_key(admin, ["cycles:read"]))
    peer = _peer(world)
    body = {"cycle": world.cycle.pk, "other": peer.pk, "kind": "peer", "reason": "r"}
    assert read.post(LINKS, body, format="json").status_code == 403

    def add(n):
        with tenant_scope(workspace_id=world.workspace.pk):
            for _ in range(n):
                CycleLinkFactory(workspace=world.workspace)

    add(2)
    api.get(LINKS)
    with count_queries() as small:
        assert len(api.get(LINKS).json()["results"]) == 2
    add(18)
    with count_queries() as large:
        assert len(api.get(LINKS).json()["results"]) == 20
    assert len(large.captured_queries) == len(small.captured_queries) == 9


# Barriers ------------------------------------------------------------------------------------


def _barrier(world, visibility=ShareLevel.SHARED_UPWARD, author=None):
    with tenant_scope(workspace_id=world.workspace.pk):
        return EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            kind="barrier",
            author=author or world.admin.user,
            visibility=visibility,
            text="The rent rules stop us pausing letters.",
        )


def test_raise_and_answer(api, world):
    entry = _barrier(world)
    raised = api.post(BARRIERS, {"entry": entry.pk, "to_cycle": world.upper.pk}, format="json")
    assert raised.status_code == 201, raised.json()
    route = raised.json()
    assert route["from_cycle"] == world.cycle.pk
    assert route["state"] == "raised"
    assert route["text"] == entry.text
    twice = api.post(BARRIERS, {"entry": entry.pk, "to_cycle": world.upper.pk}, format="json")
    assert twice.status_code == 400

    url = f"{BARRIERS}{route['id']}/answer/"
    assert api.post(url, {"state": "raised"}, format="json").status_code == 400
    no_text = api.post(url, {"state": "changed"}, format="json")
    assert no_text.status_code == 400
    assert "text" in no_text.json()["errors"]
    answered = api.post(url, {"state": "changed", "text": "Letters paused."}, format="json")
    assert answered.status_code == 200, answered.json()
    assert answered.json()["state"] == "changed"
    assert [a["text"] for a in answered.json()["answers"]] == ["Letters paused."]
    assert api.post(url, {"state": "bogus"}, format="json").status_code == 400


def test_raise_refusals(api, world, other_workspace):
    private = _barrier(world, visibility=ShareLevel.TEAM)
    refused = api.post(BARRIERS, {"entry": private.pk, "to_cycle": world.upper.pk}, format="json")
    assert refused.status_code == 400
    assert "to_cycle" in refused.json()["errors"]
    shared = _barrier(world)
    down = api.post(BARRIERS, {"entry": shared.pk, "to_cycle": world.cycle.pk}, format="json")
    assert down.status_code == 400
    with tenant_scope(workspace_id=world.workspace.pk):
        story = EntryFactory(workspace=world.workspace, cycle=world.cycle, author=world.admin.user)
    not_barrier = api.post(BARRIERS, {"entry": story.pk, "to_cycle": world.upper.pk}, format="json")
    assert not_barrier.status_code == 400
    with tenant_scope(workspace_id=other_workspace.pk):
        foreign = CycleFactory(workspace=other_workspace)
    assert (
        api.post(BARRIERS, {"entry": shared.pk, "to_cycle": foreign.pk}, format="json").status_code
        == 400
    )
    assert api.post(BARRIERS, {"entry": "x", "to_cycle": 1}, format="json").status_code == 400


def test_barriers_listed_only_for_member_cycles_and_text_only_when_shared(api, world):
    with tenant_scope(workspace_id=world.workspace.pk):
        elsewhere = CycleFactory(workspace=world.workspace)
        above = CycleFactory(workspace=world.workspace)
        hidden = EntryFactory(
            workspace=world.workspace,
            cycle=elsewhere,
            kind="barrier",
            visibility=ShareLevel.WORKSPACE,
        )
        BarrierRoute.objects.create(
            workspace=world.workspace, entry=hidden, from_cycle=elsewhere, to_cycle=above
        )
        narrowed = EntryFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            kind="barrier",
            author=world.author.user,
            visibility=ShareLevel.TEAM,
        )
        mine = BarrierRoute.objects.create(
            workspace=world.workspace, entry=narrowed, from_cycle=world.cycle, to_cycle=world.upper
        )
    rows = api.get(BARRIERS).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert rows[0]["text"] is None


def test_barrier_queries_are_constant(api, world):
    def add(n):
        for _ in range(n):
            entry = _barrier(world)
            with tenant_scope(workspace_id=world.workspace.pk):
                route = BarrierRoute.objects.create(
                    workspace=world.workspace,
                    entry=entry,
                    from_cycle=world.cycle,
                    to_cycle=world.upper,
                )
                route.responses.create(workspace=world.workspace, state="acknowledged", text="ok")

    add(2)
    api.get(BARRIERS)
    with count_queries() as small:
        assert len(api.get(BARRIERS).json()["results"]) == 2
    add(18)
    with count_queries() as large:
        assert len(api.get(BARRIERS).json()["results"]) == 20
    assert len(large.captured_queries) == len(small.captured_queries) == 12


# Enablers ------------------------------------------------------------------------------------


def test_enabler_create_and_list(api, world, other_workspace):
    body = {
        "cycle": world.upper.pk,
        "kind": "permission",
        "text": "Pause letters.",
        "for_cycles": [world.cycle.pk],
    }
    created = api.post(ENABLERS, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["for_cycles"] == [world.cycle.pk]
    received = api.get(ENABLERS, {"for_cycle": world.cycle.pk}).json()["results"]
    assert [row["id"] for row in received] == [created.json()["id"]]
    assert api.get(ENABLERS, {"for_cycle": world.upper.pk}).json()["results"] == []
    upward = api.post(ENABLERS, {**body, "for_cycles": [world.upper.pk]}, format="json")
    assert upward.status_code == 400
    with tenant_scope(workspace_id=other_workspace.pk):
        foreign = CycleFactory(workspace=other_workspace)
    assert (
        api.post(ENABLERS, {**body, "for_cycles": [foreign.pk]}, format="json").status_code == 400
    )
    assert api.post(ENABLERS, {**body, "kind": "money"}, format="json").status_code == 400
    assert api.post(ENABLERS, {**body, "cycle": foreign.pk}, format="json").status_code == 400


def test_enabler_needs_taking_part(api, world):
    peer = _peer(world)
    body = {"cycle": peer.pk, "kind": "resource", "text": "Money."}
    assert api.post(ENABLERS, body, format="json").status_code == 403


def test_enabler_queries_are_constant(api, world):
    def add(n):
        with tenant_scope(workspace_id=world.workspace.pk):
            for _ in range(n):
                enabler = EnablerFactory(workspace=world.workspace, cycle=world.upper)
                EnablerTargetFactory(workspace=world.workspace, enabler=enabler, cycle=world.cycle)

    add(2)
    api.get(ENABLERS)
    with count_queries() as small:
        assert len(api.get(ENABLERS).json()["results"]) == 2
    add(18)
    with count_queries() as large:
        assert len(api.get(ENABLERS).json()["results"]) == 20
    assert len(large.captured_queries) == len(small.captured_queries) == 10
