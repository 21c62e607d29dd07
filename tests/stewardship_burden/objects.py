"""Objects for the outsider matrix (tests/outsider_objects.py): the burden ledger's keyword.
(`cycle_id` comes from the cycles' makers; a stop-doing item belongs to some cycle of the
workspace, and the page answers 404 when the two do not match, as for an outsider.)"""

from stewardship.models import StopDoing
from tests.factories import CycleFactory


def make_stop_doing(workspace, membership) -> int:
    cycle = CycleFactory(workspace=workspace)
    return StopDoing.objects.create(
        workspace=workspace, cycle=cycle, what="Weekly figures return", since="2026-01-05"
    ).pk


MAKERS = {"stop_doing_id": make_stop_doing}
