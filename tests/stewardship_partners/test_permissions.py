"""What each role may do with learning partners' pages, written out by hand. The partner home
is a learning partner's own. Heads-up notes follow the cycle (stewardship/partners/access.py):
a partner inside writes them; those inside who are not partners read and answer them (a viewer
only reads); a member with no tie to the cycle is refused, an admin or steward included, and a
note they may not read is a 404. (Holders of a cycle's steward role from outside it:
tests/stewardship_partners/test_services.py.)"""

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import HeadsUp
from tests.conftest import signed_in
from tests.factories import CycleFactory, CycleMemberFactory, HeadsUpFactory
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for a member with no tie to the cycle, then one inside:
#                                    admin steward manager practitioner learning_partner viewer
EXPECTED = {
    ("partner-home", "GET"): ((403, 403, 403, 403, 200, 403), (403, 403, 403, 403, 200, 403)),
    ("cycle-heads-ups", "GET"): ((403,) * 6, (200,) * 6),
    ("cycle-heads-ups", "POST"): ((403,) * 6, (403, 403, 403, 403, 302, 403)),
    ("cycle-heads-up-answer", "POST"): ((404,) * 6, (302, 302, 302, 302, 404, 403)),
}

CASES = [
    pytest.param(view, method, role, inside, statuses[inside][i],
                 id=f"{view}-{method}-{role}-{'inside' if inside else 'no tie'}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
    for inside in (0, 1)
]  # fmt: skip


def test_the_table_lists_every_role_and_every_partner_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("stewardship.partners.")}
    assert {view for view, _method in EXPECTED} == names, (
        "a learning partners' view was added or renamed: add its row to EXPECTED"
    )


def _state(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        return list(HeadsUp.objects.values_list("pk", "status", "answer").order_by("pk"))


@pytest.mark.parametrize(("view", "method", "role", "inside", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, inside, expected, workspace, make_member):
    actor = make_member(workspace, role)
    author = make_member(workspace, Role.LEARNING_PARTNER, email="lee@riverside.test")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=author.user)
        if inside:
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=actor.user)
        note = HeadsUpFactory(workspace=workspace, cycle=cycle, author=author.user)
    base = f"/w/riverside/cycles/{cycle.pk}/heads-up/"
    url, data = {
        "partner-home": ("/w/riverside/partner/", {}),
        "cycle-heads-ups": (base, {"text": "Nobody from the night shelter came this month."}),
        "cycle-heads-up-answer": (
            f"{base}{note.pk}/answer/",
            {f"heads-up-{note.pk}-answer": "We will ask them what time suits."},
        ),
    }[view]
    client = signed_in(actor)
    before = _state(workspace)
    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if method == "POST":
        assert (_state(workspace) != before) is (expected == 302)
