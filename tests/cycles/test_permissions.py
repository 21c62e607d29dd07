"""What each role may do with cycles and entries, written out by hand (not read from
CAPABILITIES), so a change to hls/tenancy/permissions.py shows up here as a failing row."""

import pytest
from django.utils import timezone

from cycles.models import Cycle, CycleMember, Entry, EntryDraft, PhaseShift
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import CycleFactory, CycleMemberFactory, EntryFactory, UserFactory
from tests.hls.test_permissions import ROLES
from tests.workspace_urls import workspace_urls

ALL = (200, 200, 200, 200, 200, 200)
# view name, method → expected status for:
#                               admin steward manager practitioner learning_partner viewer
EXPECTED = {
    ("cycle-list", "GET"): ALL,
    ("cycle-create", "GET"): (200, 200, 200, 200, 403, 403),
    ("cycle-create", "POST"): (302, 302, 302, 302, 403, 403),
    ("cycle-detail", "GET"): ALL,
    ("cycle-edit", "GET"): (200, 200, 200, 200, 403, 403),
    ("cycle-edit", "POST"): (302, 302, 302, 302, 403, 403),
    ("cycle-phase", "GET"): (200, 200, 200, 200, 403, 403),
    ("cycle-phase", "POST"): (302, 302, 302, 302, 403, 403),
    ("cycle-members", "GET"): ALL,
    ("cycle-member-add", "POST"): (302, 302, 302, 302, 403, 403),
    ("cycle-member-remove", "POST"): (302, 302, 302, 302, 403, 403),
    ("cycle-timeline", "GET"): ALL,
    ("entry-create", "GET"): (200, 200, 200, 200, 200, 403),
    ("entry-create", "POST"): (302, 302, 302, 302, 302, 403),
    ("entry-row", "GET"): (302, 302, 302, 302, 302, 403),
    ("entry-edit", "GET"): (200, 200, 200, 200, 200, 403),
    ("entry-edit", "POST"): (302, 302, 302, 302, 302, 403),
    ("entry-delete", "GET"): (200, 200, 200, 200, 200, 403),
    ("entry-delete", "POST"): (302, 302, 302, 302, 302, 403),
    ("entry-restore", "POST"): (302, 302, 302, 302, 302, 403),
    ("entry-history", "GET"): ALL,
    ("draft-save", "POST"): (200, 200, 200, 200, 200, 403),
    ("draft-discard", "POST"): (302, 302, 302, 302, 302, 403),
    ("search", "GET"): ALL,
}

# Only those inside a cycle steer it (cycles.trust): these rows are for a member of the cycle;
# test_outsiders_neither_steer_nor_see_the_offer covers everyone else.
STEERING = {"cycle-edit", "cycle-phase", "cycle-member-add", "cycle-member-remove"}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_cycles_view() -> None:
    names = {
        url.name
        for url in workspace_urls("cycles.views")
        if not url.module.startswith("cycles.experiments.")
    }
    assert {view for view, _method in EXPECTED} == names


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, expected, world, make_member) -> None:
    workspace = world.workspace
    actor = make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        cycle = world.cycle
        entry = EntryFactory(
            workspace=workspace, cycle=cycle, author=actor.user, visibility=ShareLevel.WORKSPACE
        )
        if view == "entry-restore":
            entry.deleted_at = timezone.now()
            entry.save()
        guest = UserFactory()
        make_member(workspace, Role.VIEWER, email=guest.email)
        removable = CycleMemberFactory(workspace=workspace, cycle=cycle, user=world.other.user)
        if view in STEERING:  # the role table, for someone inside the cycle (trust: below)
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=actor.user)
        EntryDraft.objects.create(workspace=workspace, author=actor.user, key="capture")
    base = "/w/riverside"
    c = cycle.pk
    url, data = {
        "cycle-list": (f"{base}/cycles/", {}),
        "cycle-create": (
            f"{base}/cycles/new/",
            {"system": world.system.pk, "name": "New one", "purpose": "p", "phase": "embed"},
        ),
        "cycle-detail": (f"{base}/cycles/{c}/", {}),
        "cycle-edit": (
            f"{base}/cycles/{c}/edit/",
            {"system": world.system.pk, "name": "Renamed", "purpose": "p", "status": "paused"},
        ),
        "cycle-phase": (f"{base}/cycles/{c}/phase/", {"to_phase": "embed", "reason": "why"}),
        "cycle-members": (f"{base}/cycles/{c}/members/", {}),
        "cycle-member-add": (f"{base}/cycles/{c}/members/add/", {"user": guest.pk}),
        "cycle-member-remove": (f"{base}/cycle-members/{removable.pk}/remove/", {}),
        "cycle-timeline": (f"{base}/cycles/{c}/timeline/", {}),
        "entry-create": (
            f"{base}/log/",
            {"cycle": c, "kind": "idea", "text": "A new idea", "visibility": 0},
        ),
        "entry-row": (f"{base}/entries/{entry.pk}/", {}),
        "entry-edit": (
            f"{base}/entries/{entry.pk}/edit/",
            {"kind": "idea", "phase": "embed", "text": "Edited", "visibility": 4},
        ),
        "entry-delete": (f"{base}/entries/{entry.pk}/delete/", {}),
        "entry-restore": (f"{base}/entries/{entry.pk}/restore/", {}),
        "entry-history": (f"{base}/entries/{entry.pk}/history/", {}),
        "draft-save": (f"{base}/drafts/save/", {"draft_key": "other", "text": "t"}),
        "draft-discard": (f"{base}/drafts/discard/", {"draft_key": "capture"}),
        "search": (f"{base}/search/?q=letters", {}),
    }[view]
    client = signed_in(actor)

    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if expected == 403:
        assert b"Your role cannot do this" in response.content
    if method == "POST":
        with tenant_scope(workspace_id=workspace.pk):
            entry_now = Entry.objects.get(pk=entry.pk)
            effect = {
                "cycle-create": Cycle.objects.filter(name="New one").exists(),
                "cycle-edit": Cycle.objects.get(pk=c).name == "Renamed",
                "cycle-phase": PhaseShift.objects.filter(cycle=cycle).exists(),
                "cycle-member-add": CycleMember.objects.filter(user=guest).exists(),
                "cycle-member-remove": not CycleMember.objects.filter(pk=removable.pk).exists(),
                "entry-create": Entry.objects.filter(text="A new idea").exists(),
                "entry-edit": entry_now.text == "Edited",
                "entry-delete": entry_now.deleted_at is not None,
                "entry-restore": entry_now.deleted_at is None,
                "draft-save": EntryDraft.objects.filter(key="other").exists(),
                "draft-discard": not EntryDraft.objects.filter(key="capture").exists(),
            }[view]
        assert effect is (expected != 403)


def test_table_control_a_cycle_not_in_the_workspace_is_404(world, admin_client, other_workspace):
    with tenant_scope(workspace_id=other_workspace.pk):
        foreign = CycleFactory(workspace=other_workspace)
    assert admin_client.get(f"/w/riverside/cycles/{foreign.pk}/").status_code == 404
