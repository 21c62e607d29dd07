"""What each role may do with signifiers, written out by hand. Reading sets and a cycle's placed
stories is for every member; writing sets is `themes.manage` (admin, steward, manager); choosing
a cycle's set is `cycles.manage` and being inside the cycle; placing a story is for its author
(`entries.create`): anyone else, an admin included, is refused."""

import pytest

from cycles.models import CycleSignifiers, Placement, SignifierSet
from cycles.signifiers import services
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import CycleFactory, CycleMemberFactory, EntryFactory, UserFactory
from tests.signifiers.helpers import TRIAD_SET
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]
ALL = (200,) * 6
SETS_GET = (200, 200, 200, 403, 403, 403)
SETS_POST = (302, 302, 302, 403, 403, 403)

# view, method → expected status for a member with no tie to the cycle (and not the story's
# author), then for one inside the cycle (and the story's author):
#                          admin steward manager practitioner learning_partner viewer
EXPECTED = {
    ("signifier-sets", "GET"): (ALL, ALL),
    ("signifier-set-new", "GET"): (SETS_GET, SETS_GET),
    ("signifier-set-new", "POST"): (SETS_POST, SETS_POST),
    ("signifier-set", "GET"): (ALL, ALL),
    ("signifier-set-edit", "GET"): (SETS_GET, SETS_GET),
    ("signifier-set-edit", "POST"): (SETS_POST, SETS_POST),
    ("signifier-set-archive", "POST"): (SETS_POST, SETS_POST),
    ("cycle-signifiers", "GET"): (ALL, ALL),
    ("cycle-signifiers", "POST"): ((403,) * 6, (302, 302, 302, 302, 403, 403)),
    ("cycle-placements", "GET"): (ALL, ALL),
    ("entry-place", "GET"): ((403,) * 6, (200, 200, 200, 200, 200, 403)),
    ("entry-place", "POST"): ((403,) * 6, (302, 302, 302, 302, 302, 403)),
}

CASES = [
    pytest.param(view, method, role, inside, statuses[inside][i],
                 id=f"{view}-{method}-{role}-{'inside' if inside else 'no tie'}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
    for inside in (0, 1)
]  # fmt: skip


def test_the_table_lists_every_role_and_every_signifier_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("cycles.signifiers.")}
    assert {view for view, _method in EXPECTED} == names, (
        "a signifiers view was added or renamed: add its row to EXPECTED"
    )


def _state(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        return (
            list(SignifierSet.objects.values_list("pk", "name", "version", "archived")),
            list(CycleSignifiers.objects.values_list("cycle_id", "signifier_set_id")),
            list(Placement.objects.values_list("entry_id", "data")),
        )


@pytest.mark.parametrize(("view", "method", "role", "inside", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, inside, expected, workspace, make_member):
    actor = make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        steward = UserFactory()
        s = services.signifier_set_create(
            workspace=workspace, user=steward, name="What helped", definition=TRIAD_SET
        )
        other = services.signifier_set_create(
            workspace=workspace, user=steward, name="Another", definition=TRIAD_SET
        )
        CycleSignifiers.objects.create(workspace=workspace, cycle=cycle, signifier_set=s)
        if inside:
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=actor.user)
        story = EntryFactory(
            workspace=workspace, cycle=cycle, kind="story", visibility=ShareLevel.WORKSPACE,
            author=actor.user if inside else steward,
        )  # fmt: skip
    w = "/w/riverside/"
    edit = {"revision": "1", "name": "Renamed", "description": "", "definition": '{"signifiers"'
            ': [{"key": "h", "type": "dyad", "prompt": "P", "labels": ["L", "R"]}]}'}  # fmt: skip
    url, data = {
        "signifier-sets": (f"{w}signifiers/", {}),
        "signifier-set-new": (f"{w}signifiers/new/", {**edit, "revision": "0"}),
        "signifier-set": (f"{w}signifiers/{s.pk}/", {}),
        "signifier-set-edit": (f"{w}signifiers/{s.pk}/edit/", edit),
        "signifier-set-archive": (f"{w}signifiers/{s.pk}/archive/", {"archived": "1"}),
        "cycle-signifiers": (f"{w}cycles/{cycle.pk}/signifiers/", {"signifier_set": other.pk}),
        "cycle-placements": (f"{w}cycles/{cycle.pk}/placements/", {}),
        "entry-place": (
            f"{w}entries/{story.pk}/place/",
            {"helped__a": "50", "helped__b": "25", "helped__c": "25", "revision": "0"},
        ),
    }[view]
    client = signed_in(actor)
    before = _state(workspace)
    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if method == "POST":
        assert (_state(workspace) != before) is (expected == 302)
