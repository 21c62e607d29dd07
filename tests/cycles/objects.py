"""Objects for the outsider matrix (tests/outsider_objects.py): the cycles area's URL keywords."""

from systems.models import ShareLevel
from tests.factories import CycleFactory, CycleMemberFactory, EntryFactory


def make_cycle(workspace, membership) -> int:
    return CycleFactory(workspace=workspace).pk


def make_cycle_member(workspace, membership) -> int:
    return CycleMemberFactory(workspace=workspace, user=membership.user).pk


def make_entry(workspace, membership) -> int:
    # Shared with the whole workspace, so the workspace's own admin reaches it (not a 404).
    return EntryFactory(
        workspace=workspace, author=membership.user, visibility=ShareLevel.WORKSPACE
    ).pk


MAKERS = {
    "cycle_id": make_cycle,
    "cycle_member_id": make_cycle_member,
    "entry_id": make_entry,
}
