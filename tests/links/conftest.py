"""The links tests start from the shared cast (tests/conftest.py): the Open Door organisation
and its North team, a cycle in each; this adds a South team and a sub-team under North, a cycle
in each, and people in each relation to them."""

from types import SimpleNamespace

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    SystemFactory,
    SystemMemberFactory,
)


@pytest.fixture
def world(cast, other_workspace, make_member):
    workspace = cast.workspace
    north_member = make_member(workspace, Role.PRACTITIONER, email="north@riverside.test")
    south_member = make_member(workspace, Role.PRACTITIONER, email="south@riverside.test")
    stranger = make_member(workspace, Role.PRACTITIONER, email="stranger@riverside.test")
    make_member(other_workspace, Role.ADMIN, email="out@hilltop.test")
    org, north, scale = cast.organisation, cast.system, cast.scale
    with tenant_scope(workspace_id=workspace.pk):
        south = SystemFactory(workspace=workspace, name="South team", parent=org, scale=scale)
        sub = SystemFactory(workspace=workspace, name="North duty desk", parent=north, scale=scale)
        south_cycle = CycleFactory(workspace=workspace, system=south, name="South cycle")
        sub_cycle = CycleFactory(workspace=workspace, system=sub, name="Duty desk cycle")
        SystemMemberFactory(workspace=workspace, system=north, user=north_member.user)
        CycleMemberFactory(workspace=workspace, cycle=cast.cycle, user=north_member.user)
        SystemMemberFactory(workspace=workspace, system=south, user=south_member.user)
    with tenant_scope(workspace_id=other_workspace.pk):
        foreign_cycle = CycleFactory(workspace=other_workspace, name="Hilltop cycle")
    return SimpleNamespace(
        **vars(cast),
        other_workspace=other_workspace,
        org=org,
        north=north,
        south=south,
        sub=sub,
        org_cycle=cast.upper,
        north_cycle=cast.cycle,
        south_cycle=south_cycle,
        sub_cycle=sub_cycle,
        foreign_cycle=foreign_cycle,
        north_member=north_member,
        south_member=south_member,
        stranger=stranger,
    )
