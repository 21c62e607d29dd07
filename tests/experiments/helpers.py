"""Set-up shared by the experiments and themes tests."""

import datetime
from types import SimpleNamespace

from cycles.experiments.services import ExperimentDesign
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    ExperimentFactory,
    SystemFactory,
    SystemMemberFactory,
)

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


DATES = {"starts_on": datetime.date(2030, 1, 1), "ends_on": datetime.date(2030, 2, 1)}


def steering_world(cast, make_member) -> SimpleNamespace:
    """The shared cast (tests/conftest.py): the Open Door organisation (its manager above, who
    also takes part in its cycle) and the North team, whose cycle holds a planned and a running
    experiment owned by Ola Owner; with a South team beside North (a peer) added. The admin
    takes part in none."""
    workspace = cast.workspace
    owner = make_member(
        workspace, Role.PRACTITIONER, email="owner@riverside.test", full_name="Ola Owner"
    )
    colleague = make_member(
        workspace, Role.PRACTITIONER, email="colleague@riverside.test", full_name="Cal Colleague"
    )
    peer = make_member(workspace, Role.PRACTITIONER, email="peer@riverside.test")
    org, north, cycle = cast.organisation, cast.system, cast.cycle
    with tenant_scope(workspace_id=workspace.pk):
        south = SystemFactory(workspace=workspace, name="South team", parent=org, scale=cast.scale)
        south_cycle = CycleFactory(workspace=workspace, system=south, name="South cycle")
        SystemMemberFactory(workspace=workspace, system=north, user=owner.user)
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=colleague.user)
        CycleMemberFactory(workspace=workspace, cycle=cast.upper, user=cast.manager.user)
        SystemMemberFactory(workspace=workspace, system=south, user=peer.user)
        planned = ExperimentFactory(
            workspace=workspace, cycle=cycle, owner=owner.user, title="Planned try", **DATES
        )
        running = ExperimentFactory(
            workspace=workspace,
            cycle=cycle,
            owner=owner.user,
            status="running",
            title="Running try",
            **DATES,
        )
    return SimpleNamespace(
        workspace=workspace,
        owner=owner,
        colleague=colleague,
        manager_above=cast.manager,
        peer=peer,
        admin=cast.admin,
        cycle=cycle,
        org_cycle=cast.upper,
        south_cycle=south_cycle,
        planned=planned,
        running=running,
    )
