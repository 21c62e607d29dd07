"""A small world for the cycles tests: a team system nested under an organisation system, one
cycle in the team, and someone in each relation to it."""

from types import SimpleNamespace

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
)


@pytest.fixture
def world(workspace, other_workspace, make_member):
    author = make_member(workspace, Role.PRACTITIONER, email="author@riverside.test")
    team = make_member(workspace, Role.PRACTITIONER, email="team@riverside.test")
    cycle_member = make_member(workspace, Role.LEARNING_PARTNER, email="cyc@riverside.test")
    manager = make_member(workspace, Role.MANAGER, email="manager@riverside.test")
    other = make_member(workspace, Role.PRACTITIONER, email="other@riverside.test")
    outsider = make_member(other_workspace, Role.ADMIN, email="out@hilltop.test")
    with tenant_scope(workspace_id=workspace.pk):
        organisation = SystemFactory(
            workspace=workspace, name="Open Door", scale=ScaleFactory(workspace=workspace)
        )
        team_system = SystemFactory(
            workspace=workspace, name="North team", parent=organisation, scale=organisation.scale
        )
        cycle = CycleFactory(workspace=workspace, system=team_system, name="North team cycle")
        SystemMemberFactory(workspace=workspace, system=team_system, user=team.user)
        SystemMemberFactory(workspace=workspace, system=organisation, user=manager.user)
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=cycle_member.user)
    return SimpleNamespace(
        workspace=workspace,
        other_workspace=other_workspace,
        organisation=organisation,
        system=team_system,
        cycle=cycle,
        author=author,
        team=team,
        cycle_member=cycle_member,
        manager=manager,
        other=other,
        outsider=outsider,
    )
