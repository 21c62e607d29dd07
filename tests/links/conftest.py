"""A small world for the links tests: an organisation system with two team systems (North and
South) and a sub-team under North, one cycle in each, and people in each relation to them."""

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
    north_member = make_member(workspace, Role.PRACTITIONER, email="north@riverside.test")
    south_member = make_member(workspace, Role.PRACTITIONER, email="south@riverside.test")
    manager = make_member(workspace, Role.MANAGER, email="manager@riverside.test")
    stranger = make_member(workspace, Role.PRACTITIONER, email="stranger@riverside.test")
    make_member(other_workspace, Role.ADMIN, email="out@hilltop.test")
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace)
        org = SystemFactory(workspace=workspace, name="Open Door", scale=scale)
        north = SystemFactory(workspace=workspace, name="North team", parent=org, scale=scale)
        south = SystemFactory(workspace=workspace, name="South team", parent=org, scale=scale)
        sub = SystemFactory(workspace=workspace, name="North duty desk", parent=north, scale=scale)
        org_cycle = CycleFactory(workspace=workspace, system=org, name="Open Door cycle")
        north_cycle = CycleFactory(workspace=workspace, system=north, name="North cycle")
        south_cycle = CycleFactory(workspace=workspace, system=south, name="South cycle")
        sub_cycle = CycleFactory(workspace=workspace, system=sub, name="Duty desk cycle")
        SystemMemberFactory(workspace=workspace, system=north, user=north_member.user)
        CycleMemberFactory(workspace=workspace, cycle=north_cycle, user=north_member.user)
        SystemMemberFactory(workspace=workspace, system=south, user=south_member.user)
        SystemMemberFactory(workspace=workspace, system=org, user=manager.user)
    with tenant_scope(workspace_id=other_workspace.pk):
        foreign_cycle = CycleFactory(workspace=other_workspace, name="Hilltop cycle")
    return SimpleNamespace(
        workspace=workspace,
        other_workspace=other_workspace,
        org=org,
        north=north,
        south=south,
        sub=sub,
        org_cycle=org_cycle,
        north_cycle=north_cycle,
        south_cycle=south_cycle,
        sub_cycle=sub_cycle,
        foreign_cycle=foreign_cycle,
        north_member=north_member,
        south_member=south_member,
        manager=manager,
        stranger=stranger,
    )
