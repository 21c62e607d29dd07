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
    ScaleFactory,
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


def steering_world(workspace, admin, make_member) -> SimpleNamespace:
    """An organisation (its manager above), two teams below it (North, whose cycle holds a
    planned and a running experiment owned by Ola Owner, and South, a peer), and the admin,
    who takes part in none."""
    owner = make_member(
        workspace, Role.PRACTITIONER, email="owner@riverside.test", full_name="Ola Owner"
    )
    colleague = make_member(
        workspace, Role.PRACTITIONER, email="colleague@riverside.test", full_name="Cal Colleague"
    )
    manager = make_member(workspace, Role.MANAGER, email="manager@riverside.test")
    peer = make_member(workspace, Role.PRACTITIONER, email="peer@riverside.test")
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace)
        org = SystemFactory(workspace=workspace, name="Open Door", scale=scale)
        north = SystemFactory(workspace=workspace, name="North team", parent=org, scale=scale)
        south = SystemFactory(workspace=workspace, name="South team", parent=org, scale=scale)
        org_cycle = CycleFactory(workspace=workspace, system=org, name="Open Door cycle")
        cycle = CycleFactory(workspace=workspace, system=north, name="North cycle")
        south_cycle = CycleFactory(workspace=workspace, system=south, name="South cycle")
        SystemMemberFactory(workspace=workspace, system=north, user=owner.user)
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=colleague.user)
        SystemMemberFactory(workspace=workspace, system=org, user=manager.user)
        CycleMemberFactory(workspace=workspace, cycle=org_cycle, user=manager.user)
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
        manager_above=manager,
        peer=peer,
        admin=admin,
        cycle=cycle,
        org_cycle=org_cycle,
        south_cycle=south_cycle,
        planned=planned,
        running=running,
    )
