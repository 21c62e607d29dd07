"""The cycles tests start from the shared cast (tests/conftest.py): a team system nested under an
organisation system, a cycle in each, and someone in each relation to the team's cycle; this
adds a learning partner taking part in the cycle, a practitioner with no tie to it and an admin
of another workspace."""

from types import SimpleNamespace

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.factories import CycleMemberFactory


@pytest.fixture
def world(cast, other_workspace, make_member):
    workspace = cast.workspace
    cycle_member = make_member(workspace, Role.LEARNING_PARTNER, email="cyc@riverside.test")
    other = make_member(workspace, Role.PRACTITIONER, email="other@riverside.test")
    outsider = make_member(other_workspace, Role.ADMIN, email="out@hilltop.test")
    with tenant_scope(workspace_id=workspace.pk):
        CycleMemberFactory(workspace=workspace, cycle=cast.cycle, user=cycle_member.user)
    return SimpleNamespace(
        **vars(cast),
        other_workspace=other_workspace,
        cycle_member=cycle_member,
        other=other,
        outsider=outsider,
    )
