"""A small world for the barrier relay: a region above a place above a team, a cycle in each,
and people in each relation to them."""

from types import SimpleNamespace

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    EntryFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
)


@pytest.fixture
def world(workspace, other_workspace, make_member):
    author = make_member(workspace, Role.PRACTITIONER, email="author@riverside.test")
    team_mate = make_member(workspace, Role.PRACTITIONER, email="mate@riverside.test")
    place_manager = make_member(workspace, Role.MANAGER, email="pm@riverside.test")
    place_steward = make_member(workspace, Role.STEWARD, email="ps@riverside.test")
    place_practitioner = make_member(workspace, Role.PRACTITIONER, email="pp@riverside.test")
    manager_elsewhere = make_member(workspace, Role.MANAGER, email="me@riverside.test")
    region_manager = make_member(workspace, Role.MANAGER, email="rm@riverside.test")
    outsider = make_member(other_workspace, Role.ADMIN, email="out@hilltop.test")
    with tenant_scope(workspace_id=workspace.pk):
        region = SystemFactory(
            workspace=workspace, name="Region", scale=ScaleFactory(workspace=workspace)
        )
        place = SystemFactory(
            workspace=workspace, name="Riverside place", parent=region, scale=region.scale
        )
        team = SystemFactory(
            workspace=workspace, name="North team", parent=place, scale=place.scale
        )
        elsewhere = SystemFactory(workspace=workspace, name="Elsewhere", scale=place.scale)
        region_cycle = CycleFactory(workspace=workspace, system=region, name="Region cycle")
        place_cycle = CycleFactory(workspace=workspace, system=place, name="Place cycle")
        team_cycle = CycleFactory(workspace=workspace, system=team, name="Team cycle")
        elsewhere_cycle = CycleFactory(workspace=workspace, system=elsewhere, name="Elsewhere")
        CycleMemberFactory(workspace=workspace, cycle=team_cycle, user=author.user)
        SystemMemberFactory(workspace=workspace, system=team, user=team_mate.user)
        CycleMemberFactory(workspace=workspace, cycle=place_cycle, user=place_manager.user)
        SystemMemberFactory(workspace=workspace, system=place, user=place_steward.user)
        CycleMemberFactory(workspace=workspace, cycle=place_cycle, user=place_practitioner.user)
        CycleMemberFactory(workspace=workspace, cycle=elsewhere_cycle, user=manager_elsewhere.user)
        CycleMemberFactory(workspace=workspace, cycle=region_cycle, user=region_manager.user)
        barrier = EntryFactory(
            workspace=workspace,
            cycle=team_cycle,
            author=author.user,
            kind="barrier",
            text="The allocation rule blocks a move that would change Sam's life.",
            visibility=ShareLevel.SHARED_UPWARD,
        )
    return SimpleNamespace(
        workspace=workspace,
        region_cycle=region_cycle,
        place_cycle=place_cycle,
        team_cycle=team_cycle,
        elsewhere_cycle=elsewhere_cycle,
        author=author,
        team_mate=team_mate,
        place_manager=place_manager,
        place_steward=place_steward,
        place_practitioner=place_practitioner,
        manager_elsewhere=manager_elsewhere,
        region_manager=region_manager,
        outsider=outsider,
        barrier=barrier,
    )


@pytest.fixture
def raised(world):
    """The barrier raised from the team to the place."""
    from cycles.barriers.services import barrier_raise

    with tenant_scope(workspace_id=world.workspace.pk):
        return barrier_raise(
            workspace=world.workspace,
            entry=world.barrier,
            to_cycle=world.place_cycle,
            raised_by=world.author.user,
        )
