"""The measures tests start from the shared cast (tests/conftest.py): the North team's cycle
below the Open Door organisation's. This adds the author taking part in the team's cycle, and a
person's own cycle below the team (Maya's life), with a keyworker inside it and Maya recorded
with her consent."""

from types import SimpleNamespace

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
)


@pytest.fixture
def world(cast, other_workspace, make_member):
    workspace = cast.workspace
    keyworker = make_member(workspace, Role.PRACTITIONER, email="key@riverside.test")
    other = make_member(workspace, Role.PRACTITIONER, email="other@riverside.test")
    with tenant_scope(workspace_id=workspace.pk):
        CycleMemberFactory(workspace=workspace, cycle=cast.cycle, user=cast.author.user)
        person_scale = ScaleFactory(workspace=workspace, name="Person", is_person_scale=True)
        life = SystemFactory(
            workspace=workspace, name="Maya's life", scale=person_scale, parent=cast.system
        )
        life_cycle = CycleFactory(workspace=workspace, system=life, name="Maya's cycle")
        CycleMemberFactory(workspace=workspace, cycle=life_cycle, user=keyworker.user)
        person = PersonFactory(
            workspace=workspace,
            system=life,
            alias="Maya",
            created_by=keyworker.user,
            consent_level=ShareLevel.CYCLE,
        )
    return SimpleNamespace(
        **vars(cast),
        other_workspace=other_workspace,
        keyworker=keyworker,
        other=other,
        life=life,
        life_cycle=life_cycle,
        person=person,
    )
