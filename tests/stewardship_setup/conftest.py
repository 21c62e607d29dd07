"""A place cycle with a member organisation, one row of each kind, and a steward to set it up."""

from types import SimpleNamespace

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import PlaceSetup
from systems.models import SystemOrganisation
from tests.factories import (
    AccountabilityFactory,
    CharterFactory,
    CycleFactory,
    CycleMemberFactory,
    OrganisationFactory,
    ParticipationFactory,
    PrincipleFactory,
    ScaleFactory,
    StewardRoleFactory,
    SystemFactory,
)


@pytest.fixture
def place(workspace, make_member):
    steward = make_member(workspace, Role.STEWARD, email="sam@riverside.test", full_name="Sam")
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, name="Place", position=3)
        system = SystemFactory(workspace=workspace, scale=scale, name="Riverside")
        cycle = CycleFactory(workspace=workspace, system=system, name="Riverside alliance")
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=steward.user)  # Sam steers it
        setup = PlaceSetup.objects.create(workspace=workspace, cycle=cycle)
        charter = CharterFactory(workspace=workspace, cycle=cycle)
        council = OrganisationFactory(workspace=workspace, name="City council")
        trust = OrganisationFactory(workspace=workspace, name="Health trust")
        SystemOrganisation.objects.create(workspace=workspace, system=system, organisation=council)
        principle = PrincipleFactory(
            workspace=workspace, charter=charter, title="Start with people"
        )
        role = StewardRoleFactory(workspace=workspace, cycle=cycle, holder_name="Jo")
        row = ParticipationFactory(workspace=workspace, cycle=cycle, name="Tenants' forum")
        account = AccountabilityFactory(workspace=workspace, cycle=cycle)
    return SimpleNamespace(
        workspace=workspace, steward=steward, scale=scale, system=system, cycle=cycle,
        setup=setup, charter=charter, council=council, trust=trust, principle=principle,
        role=role, row=row, account=account,
    )  # fmt: skip
