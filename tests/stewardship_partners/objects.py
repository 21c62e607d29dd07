"""Objects for the outsider matrix (tests/outsider_objects.py): a heads-up note's keyword.
(`cycle_id` comes from the cycles' makers; the note belongs to some cycle of the workspace, and
the page answers 404 when the two do not match, as for an outsider.)"""

from tests.factories import CycleFactory, HeadsUpFactory


def make_heads_up(workspace, membership) -> int:
    cycle = CycleFactory(workspace=workspace)
    return HeadsUpFactory(workspace=workspace, cycle=cycle, author=membership.user).pk


MAKERS = {"heads_up_id": make_heads_up}
