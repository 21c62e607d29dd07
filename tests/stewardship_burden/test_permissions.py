"""What each role may do with a cycle's burden ledger, written out by hand. Reading follows the
cycle page (every member); changing it is for those inside the cycle only, whatever their role
(`require_steer`): a member with no tie to the cycle is refused, an admin or steward included."""

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import LearningTime, StopDoing
from tests.conftest import signed_in
from tests.factories import CycleFactory, CycleMemberFactory
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for a member with no tie to the cycle, then one inside:
#                            admin steward manager practitioner learning_partner viewer
EXPECTED = {
    ("learning-time", "GET"): ((200,) * 6, (200,) * 6),
    ("learning-time", "POST"): ((403,) * 6, (302, 302, 302, 302, 302, 302)),
    ("stop-doing-add", "POST"): ((403,) * 6, (302,) * 6),
    ("stop-doing-resume", "POST"): ((403,) * 6, (302,) * 6),
}

CASES = [
    pytest.param(view, method, role, inside, statuses[inside][i],
                 id=f"{view}-{method}-{role}-{'inside' if inside else 'no tie'}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
    for inside in (0, 1)
]  # fmt: skip


def test_the_table_lists_every_role_and_every_ledger_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("stewardship.burden.")}
    assert {view for view, _method in EXPECTED} == names, (
        "a burden ledger view was added or renamed: add its row to EXPECTED"
    )


def _state(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        return (
            list(LearningTime.objects.values_list("pk", "hours", "how", "revision")),
            list(StopDoing.objects.values_list("pk", "what", "status").order_by("pk")),
        )


@pytest.mark.parametrize(("view", "method", "role", "inside", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, inside, expected, workspace, make_member):
    actor = make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        if inside:
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=actor.user)
        item = StopDoing.objects.create(
            workspace=workspace, cycle=cycle, what="The weekly figures return", since="2026-01-05"
        )
    base = f"/w/riverside/cycles/{cycle.pk}/"
    url, data = {
        "learning-time": (f"{base}learning-time/", {"hours": "2", "per": "week", "revision": "0"}),
        "stop-doing-add": (f"{base}stop-doing/", {"what": "Duplicate case notes"}),
        "stop-doing-resume": (
            f"{base}stop-doing/{item.pk}/resume/",
            {f"stop-{item.pk}-why": "The auditors need it after all."},
        ),
    }[view]
    client = signed_in(actor)
    before = _state(workspace)
    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if method == "POST":
        assert (_state(workspace) != before) is (expected == 302)
