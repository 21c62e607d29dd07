"""Objects for the outsider matrix (tests/outsider_objects.py): a method run's keyword. The run is
started by the member in a cycle they work in, with guests allowed. (`cycle_id` comes from the
cycles' makers.)"""

from stewardship.methods import services
from tests.factories import CycleFactory, CycleMemberFactory


def make_run(workspace, membership) -> int:
    cycle = CycleFactory(workspace=workspace)
    CycleMemberFactory(workspace=workspace, cycle=cycle, user=membership.user)
    run = services.run_start(
        workspace=workspace, user=membership.user, cycle=cycle, builtin="rapid_learning",
        guests=True,
    )  # fmt: skip
    return run.pk


MAKERS = {"run_id": make_run}
