"""Session outputs over the API: added for a meeting by those who may facilitate it, written
into the cycle through the same service as the facilitation page, listed with links to what
they made, and shown only where the web shows them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cycles.models import Entry, EntryRevision, Experiment
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import SessionOutput
from stewardship.sessions import services
from tests.api.conftest import client_for
from tests.api.stewardship.conftest import next_monday_10
from tests.api.stewardship.test_sessions import plan
from tests.factories import CycleMemberFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/outputs/"


@pytest.fixture
def session(world):
    return plan(world, members=[world.pat.user])


def key_of(session, weeks: int = 0) -> str:
    import datetime as dt

    return (session.starts_at + dt.timedelta(weeks=weeks)).strftime("%Y%m%dT%H%M%SZ")


def body(session, world, /, **overrides):
    data = {
        "session": session.pk,
        "slot": key_of(session),
        "cycle": world.cycle.pk,
        "kind": "insight",
        "text": "People told us the forms were the barrier, not the rules.",
    }
    data.update(overrides)
    return data


def test_add_an_insight_then_list_and_filter(world, api, session):
    _inside(world)
    response = api.post(URL, body(session, world, visibility=3), format="json")
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["session"] == session.pk
    assert made["slot"] == key_of(session)
    assert made["cycle"] == world.cycle.pk
    assert made["kind"] == "insight"
    assert made["experiment"] is None
    with tenant_scope(workspace_id=world.workspace.pk):
        entry = Entry.objects.get(pk=made["entry"])
        assert entry.kind == "insight"
        assert entry.visibility == 3  # at the level chosen, at once, as on the web
        assert not EntryRevision.objects.filter(entry=entry).exists()  # no steps on the way
        assert entry.author_id == world.admin.user.pk
    experiment = api.post(
        URL, body(session, world, kind="experiment", text="Call before the letter"), format="json"
    ).json()
    with tenant_scope(workspace_id=world.workspace.pk):
        planned = Experiment.objects.get(pk=experiment["experiment"])
        assert planned.title == "Call before the letter"
    assert experiment["entry"] is None

    listed = api.get(URL).json()["results"]
    assert [o["id"] for o in listed] == [made["id"], experiment["id"]]
    assert api.get(URL, {"kind": "experiment"}).json()["results"][0]["id"] == experiment["id"]
    assert api.get(URL, {"session": session.pk}).json()["results"] == listed
    assert api.get(URL, {"session": session.pk + 1000}).json()["results"] == []
    assert api.get(URL, {"cycle": world.other_cycle.pk}).json()["results"] == []
    assert api.get(URL, {"kind": "poem"}).status_code == 400
    detail = api.get(f"{URL}{made['id']}/")
    assert detail.status_code == 200
    assert detail.json() == made


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"slot": "tuesday"}, "slot", "meeting's key"),
        ({"slot": "20200106T100000Z"}, "slot", "no meeting with that key"),
        ({"cycle": "OTHER"}, "cycle", "one of this session's cycles"),
        ({"text": "   "}, "text", "Write the output"),
        ({"kind": "poem"}, "kind", "not a valid choice"),
        ({"visibility": 0}, "visibility", "not a valid choice"),
        ({"session": 999999}, "session", "Invalid pk"),
        ({"entry": 1}, "entry", "Unknown field"),
    ],
)
def test_bad_input_is_refused_by_field(world, api, session, overrides, field, words):
    if overrides.get("cycle") == "OTHER":
        overrides["cycle"] = world.other_cycle.pk
    response = api.post(URL, body(session, world, **overrides), format="json")
    assert response.status_code == 400
    assert words in " ".join(response.json()["errors"][field]), response.json()
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not SessionOutput.objects.exists()


def test_only_those_who_may_facilitate_add(world, session, client_as, make_member):
    # Pat is invited and may manage sessions: a participant with that capability facilitates.
    pat = client_as(world.pat, Role.PRACTITIONER)
    assert pat.post(URL, body(session, world), format="json").status_code == 201
    # A viewer who is in the cycle sees the session but may not record it.
    with tenant_scope(workspace_id=world.workspace.pk):
        from tests.factories import CycleMemberFactory

        CycleMemberFactory(workspace=world.workspace, cycle=world.cycle, user=world.viewer.user)
    viewer = client_as(world.viewer, Role.VIEWER)
    refused = viewer.post(URL, body(session, world), format="json")
    assert refused.status_code == 403
    assert "facilitator" in refused.json()["detail"]
    # Someone who cannot see the session: its id is unknown to them.
    stranger = client_as(make_member(world.workspace), Role.STEWARD)
    stranger_session = plan(world, facilitator=world.pat.user, starts_at=next_monday_10(2))
    assert stranger.get(f"{URL}").status_code == 200  # stewards see every session
    other = client_as(make_member(world.workspace), Role.PRACTITIONER)
    hidden = other.post(URL, body(stranger_session, world), format="json")
    assert hidden.status_code == 400
    assert "session" in hidden.json()["errors"]


def test_entries_show_only_to_those_who_may_read_them(world, api, session, client_as):
    team = api.post(URL, body(session, world, visibility=1, text="For the team"), format="json")
    cycle = api.post(URL, body(session, world, visibility=2, text="For the cycle"), format="json")
    assert team.status_code == cycle.status_code == 201
    # Pat is in the cycle (and invited), not in the team's system: the cycle's entry only.
    pat = client_as(world.pat, Role.PRACTITIONER)
    assert [o["text"] for o in pat.get(URL).json()["results"]] == ["For the cycle"]
    assert pat.get(f"{URL}{team.json()['id']}/").status_code == 404
    assert len(api.get(URL).json()["results"]) == 2  # the author sees both


def test_scopes_and_outsiders(world, admin, make_key, session, outsider_api):
    made = client_for(make_key(admin)).post(URL, body(session, world), format="json").json()
    read_only = client_for(make_key(admin, ["sessions:read"]))
    assert read_only.get(URL).status_code == 200
    assert read_only.post(URL, body(session, world), format="json").status_code == 403
    assert client_for(make_key(admin, ["reports:write"])).get(URL).status_code == 403
    assert outsider_api.get(f"{URL}{made['id']}/").status_code == 404


def _list_queries(api) -> int:
    api.get(URL)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(URL, {"page_size": 50})
    assert response.status_code == 200
    return len(queries)


def _inside(world):
    """The key's admin takes part in the team cycle: only its own members plan experiments."""
    with tenant_scope(workspace_id=world.workspace.pk):
        CycleMemberFactory(workspace=world.workspace, cycle=world.cycle, user=world.admin.user)


def test_an_experiment_from_outside_the_cycle_is_refused_beside_the_kind(world, api, session):
    response = api.post(URL, body(session, world, kind="experiment", text="Try it"), format="json")
    assert response.status_code == 400
    assert "kind" in str(response.json())
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not Experiment.objects.filter(cycle=world.cycle).exists()


def test_list_query_count_is_constant(world, api, session):
    _inside(world)

    def add(n: int) -> None:
        with tenant_scope(workspace_id=world.workspace.pk):
            from stewardship.sessions.recurrence import slot_at

            slot = slot_at(session, session.starts_at)
            for i in range(n):
                services.output_add(
                    workspace=world.workspace,
                    slot=slot,
                    by=world.admin,
                    cycle=world.cycle,
                    kind="experiment" if i % 2 else "decision",
                    text=f"Output {i}",
                )

    add(2)
    small = _list_queries(api)
    add(18)
    assert len(api.get(URL, {"page_size": 50}).json()["results"]) == 20
    assert _list_queries(api) == small == 11
