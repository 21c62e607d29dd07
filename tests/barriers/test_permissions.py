"""What each role may do in the barriers area, written out by hand. Every actor takes part in
both the raising and the receiving cycle, so only the role decides."""

import pytest

from cycles.models import BarrierResponse, BarrierRoute, Enabler
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.conftest import signed_in
from tests.factories import CycleMemberFactory
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for:
#                                  admin  steward manager practitioner learning_partner viewer
EXPECTED = {
    ("barrier-raise", "GET"): (200, 200, 200, 200, 200, 403),
    ("barrier-raise", "POST"): (302, 302, 302, 302, 302, 403),
    ("barrier-inbox", "GET"): (200, 200, 200, 200, 200, 200),
    ("barrier-detail", "GET"): (200, 200, 200, 200, 200, 200),
    ("barrier-answer", "POST"): (302, 302, 302, 403, 403, 403),
    ("enabler-create", "GET"): (200, 200, 200, 200, 403, 403),
    ("enabler-create", "POST"): (302, 302, 302, 302, 403, 403),
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_barriers_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("cycles.barriers.")}
    assert {view for view, _method in EXPECTED} == names, (
        "a barriers view was added or renamed: add its row to EXPECTED"
    )


def _effect(world, view: str) -> bool:
    with tenant_scope(workspace_id=world.workspace.pk):
        return {
            "barrier-raise": BarrierRoute.objects.filter(to_cycle=world.region_cycle).exists(),
            "barrier-answer": BarrierResponse.objects.exists(),
            "enabler-create": Enabler.objects.exists(),
        }[view]


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, expected, world, raised, make_member):
    actor = make_member(world.workspace, role)
    with tenant_scope(workspace_id=world.workspace.pk):
        for cycle in (world.team_cycle, world.place_cycle):
            CycleMemberFactory(workspace=world.workspace, cycle=cycle, user=actor.user)
    base = "/w/riverside/"
    url, data = {
        "barrier-raise": (
            f"{base}entries/{world.barrier.pk}/raise/",
            {"to_cycle": world.region_cycle.pk},
        ),
        "barrier-inbox": (f"{base}cycles/{world.place_cycle.pk}/barriers/", {}),
        "barrier-detail": (f"{base}barriers/{raised.pk}/", {}),
        "barrier-answer": (
            f"{base}barriers/{raised.pk}/answer/",
            {"state": "acknowledged", "text": ""},
        ),
        "enabler-create": (
            f"{base}cycles/{world.place_cycle.pk}/enablers/new/",
            {"kind": "resource", "text": "A budget for flexible support."},
        ),
    }[view]
    client = signed_in(actor)
    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if method == "POST":
        assert _effect(world, view) is (expected == 302)
