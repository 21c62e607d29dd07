"""The experiments API refuses those outside the experiment's cycle (403) and names the owner
only to those inside it (issue 10). The world is tests/experiments/helpers.steering_world."""

import pytest

from cycles.models import Experiment
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.api.conftest import client_for
from tests.api.cycles.conftest import session_for
from tests.experiments.helpers import steering_world

OUTSIDERS = ["manager_above", "peer", "admin"]


@pytest.fixture
def steering(cast, make_member):
    return steering_world(cast, make_member)


def _status(world, pk: int) -> tuple[str, str]:
    with tenant_scope(workspace_id=world.workspace.pk):
        experiment = Experiment.objects.get(pk=pk)
        return experiment.status, experiment.title


URL = "/api/v1/experiments/"


def _api(world, who, make_key):
    member = getattr(world, who)
    if member.role == Role.ADMIN:
        return client_for(make_key(member))  # a partner key acts as its creating admin
    return session_for(member)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_api_refuses_outsiders_and_returns_no_owner(steering, who, make_key) -> None:
    world = steering
    api = _api(world, who, make_key)
    created = api.post(
        URL, {"cycle": world.cycle.pk, "title": "T", "what_we_will_try": "W"}, format="json"
    )
    assert created.status_code == 403
    assert created["Content-Type"].startswith("application/problem+json")
    started = api.post(f"{URL}{world.planned.pk}/start/", format="json")
    assert started.status_code == 403
    ended = api.post(
        f"{URL}{world.running.pk}/end/", {"outcome": "adapt", "learnt": "x"}, format="json"
    )
    assert ended.status_code == 403
    got = api.get(f"{URL}{world.planned.pk}/")
    changed = api.patch(
        f"{URL}{world.planned.pk}/", {"title": "Ours now"}, format="json", HTTP_IF_MATCH=got["ETag"]
    )
    assert changed.status_code == 403
    assert _status(world, world.planned.pk) == ("planned", "Planned try")
    assert _status(world, world.running.pk) == ("running", "Running try")
    assert got.json()["owner"] is None
    assert {row["owner"] for row in api.get(URL).json()["results"]} == {None}


def test_api_names_the_owner_to_those_inside(steering, make_key) -> None:
    world = steering
    api = session_for(world.colleague)
    assert api.get(f"{URL}{world.planned.pk}/").json()["owner"] == world.owner.user.pk
    created = api.post(
        URL,
        {
            "cycle": world.cycle.pk,
            "title": "T",
            "what_we_will_try": "W",
            "owner": world.peer.user.pk,
        },
        format="json",
    )
    assert created.status_code == 400
    assert "owner" in created.json()["errors"]
