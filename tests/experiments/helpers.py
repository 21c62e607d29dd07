"""Set-up shared by the experiments and themes tests."""

import datetime

from cycles.experiments.services import ExperimentDesign
from hls.tenancy.context import tenant_scope
from tests.factories import CycleFactory, SystemMemberFactory

TODAY = datetime.date(2030, 5, 1)


def design(**overrides) -> ExperimentDesign:
    values = {
        "title": "Call before the letter",
        "what_we_will_try": "Phone people a week before the reminder letter goes out.",
        "why": "Letters frighten people more than the debt.",
        "prediction": "Fewer people will stop opening their post.",
        "how_we_will_know": "We ask them, and we listen.",
        "safe_to_fail_limits": "Stop if anyone finds the calls intrusive.",
        "starts_on": datetime.date(2030, 4, 1),
        "ends_on": datetime.date(2030, 6, 1),
    }
    values.update(overrides)
    return ExperimentDesign(**values)


def cycle_for(workspace, *members):
    """A cycle whose system's team holds the given memberships."""
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        for membership in members:
            SystemMemberFactory(workspace=workspace, system=cycle.system, user=membership.user)
    return cycle
