"""The barrier relay starts from the shared cast (tests/conftest.py): a region above a place
above a team, a cycle in each, and people in each relation to them."""

from types import SimpleNamespace

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    EntryFactory,
    SystemFactory,
    SystemMemberFactory,
)


@pytest.fixture
def world(cast, other_workspace, make_member):
    """The shared cast (tests/conftest.py), its organisation as the place (Open Door, with its
    cycle), the North team below it (with its cycle); this adds a region above the place, a
    system elsewhere, a cycle in each, and people in each relation to them. The cast's
    team-mate is in the team's system and its manager, taking part in the place's cycle, is
    the place manager."""
    workspace = cast.workspace
    author = cast.author
    place_steward = make_member(workspace, Role.STEWARD, email="ps@riverside.test")
    place_practitioner = make_member(workspace, Role.PRACTITIONER, email="pp@riverside.test")
    manager_elsewhere = make_member(workspace, Role.MANAGER, email="me@riverside.test")
    region_manager = make_member(workspace, Role.MANAGER, email="rm@riverside.test")
    outsider = make_member(other_workspace, Role.ADMIN, email="out@hilltop.test")
    place = cast.organisation
    place_cycle, team_cycle = cast.upper, cast.cycle
    with tenant_scope(workspace_id=workspace.pk):
        region = SystemFactory(workspace=workspace, name="Region", scale=cast.scale)
        type(place).objects.filter(pk=place.pk).update(parent=region)
        place.refresh_from_db()
        elsewhere = SystemFactory(workspace=workspace, name="Elsewhere", scale=cast.scale)
        region_cycle = CycleFactory(workspace=workspace, system=region, name="Region cycle")
        elsewhere_cycle = CycleFactory(workspace=workspace, system=elsewhere, name="Elsewhere")
        CycleMemberFactory(workspace=workspace, cycle=team_cycle, user=author.user)
        CycleMemberFactory(workspace=workspace, cycle=place_cycle, user=cast.manager.user)
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
        team_mate=cast.team,
        place_manager=cast.manager,
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
