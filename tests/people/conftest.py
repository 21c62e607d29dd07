"""Fixtures for people served: a person-scale system with its team, and a person in it."""

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from systems.models import Person, PersonIdentity, System
from systems.people import services
from tests.factories import PersonFactory, ScaleFactory, SystemFactory, SystemMemberFactory


@pytest.fixture
def person_system(workspace: Workspace) -> System:
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, name="A person's life", is_person_scale=True)
        return SystemFactory(workspace=workspace, scale=scale, name="Mo's life")


@pytest.fixture
def team_member(workspace: Workspace, person_system: System, make_member) -> Membership:
    """A practitioner in the team of the person's own system."""
    membership = make_member(workspace, Role.PRACTITIONER, email="tess@riverside.test")
    with tenant_scope(workspace_id=workspace.pk):
        SystemMemberFactory(workspace=workspace, system=person_system, user=membership.user)
    return membership


@pytest.fixture
def person(workspace: Workspace, person_system: System, team_member: Membership) -> Person:
    with tenant_scope(workspace_id=workspace.pk):
        return PersonFactory(
            workspace=workspace,
            reference="P-MOMO",
            alias="Mo",
            system=person_system,
            created_by=team_member.user,
        )


def give_identity(workspace: Workspace, person: Person, actor, name: str = "Morag Example"):
    with tenant_scope(workspace_id=workspace.pk):
        return services.identity_set(
            workspace=workspace,
            person=person,
            actor=actor,
            name=name,
            date_of_birth=None,
            contact="07700 900123",
        )


@pytest.fixture
def identity(workspace: Workspace, person: Person, team_member: Membership) -> PersonIdentity:
    return give_identity(workspace, person, team_member.user)
