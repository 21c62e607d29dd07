"""A place with a team below it, each with a cycle: Lee, a learning partner the team's cycle
invited; Kim, another partner of the same cycle; Sol, who holds the team cycle's steward role
from outside it; Tam, in the team's cycle; Vic, a viewer in it; Abe, in the place's cycle (the
cycle above); Ada, the workspace's admin, in neither."""

from dataclasses import dataclass

import pytest

from cycles.models import Cycle
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    ScaleFactory,
    StewardRoleFactory,
    SystemFactory,
)


@dataclass
class World:
    place_cycle: Cycle
    team_cycle: Cycle
    lee: Membership  # partner, invited into the team's cycle
    kim: Membership  # another partner of the team's cycle
    sol: Membership  # holds the team cycle's steward role, not inside it
    tam: Membership  # practitioner inside the team's cycle
    vic: Membership  # viewer inside the team's cycle
    abe: Membership  # manager inside the place's cycle (the cycle above)
    ada: Membership  # admin, inside neither


@pytest.fixture
def world(workspace, make_member) -> World:
    def member(role, name):
        return make_member(workspace, role, email=f"{name.lower()}@riverside.test", full_name=name)

    people = {
        "lee": member(Role.LEARNING_PARTNER, "Lee"),
        "kim": member(Role.LEARNING_PARTNER, "Kim"),
        "sol": member(Role.STEWARD, "Sol"),
        "tam": member(Role.PRACTITIONER, "Tam"),
        "vic": member(Role.VIEWER, "Vic"),
        "abe": member(Role.MANAGER, "Abe"),
        "ada": member(Role.ADMIN, "Ada"),
    }
    with tenant_scope(workspace_id=workspace.pk):
        place_scale = ScaleFactory(workspace=workspace, name="Place", position=5)
        team_scale = ScaleFactory(workspace=workspace, name="Team", position=2)
        place = SystemFactory(workspace=workspace, name="Northfield", scale=place_scale)
        team = SystemFactory(workspace=workspace, name="North team", scale=team_scale, parent=place)
        place_cycle = CycleFactory(workspace=workspace, system=place, name="Northfield together")
        team_cycle = CycleFactory(workspace=workspace, system=team, name="North team cycle")
        for key in ("lee", "kim", "tam", "vic"):
            CycleMemberFactory(workspace=workspace, cycle=team_cycle, user=people[key].user)
        CycleMemberFactory(workspace=workspace, cycle=place_cycle, user=people["abe"].user)
        StewardRoleFactory(
            workspace=workspace, cycle=team_cycle, user=people["sol"].user, holder_name="Sol"
        )
    return World(place_cycle=place_cycle, team_cycle=team_cycle, **people)
