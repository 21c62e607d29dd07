"""One maker per API basename of the systems and people families, for the shared outsider
matrix: `make(workspace, membership) -> id`, called inside `tenant_scope(workspace_id=...)`,
making a real object the membership can see (and, for people, works with: the identity
endpoint answers only those)."""

from hls.tenancy.models import Membership, Workspace
from tests.factories import (
    ActorFactory,
    FactorFactory,
    PersonFactory,
    RelationshipFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
)


def make_scale(workspace: Workspace, membership: Membership) -> int:
    return ScaleFactory(workspace=workspace).pk


def make_system(workspace: Workspace, membership: Membership) -> int:
    return SystemFactory(workspace=workspace).pk


def make_actor(workspace: Workspace, membership: Membership) -> int:
    return ActorFactory(workspace=workspace).pk


def make_factor(workspace: Workspace, membership: Membership) -> int:
    return FactorFactory(workspace=workspace).pk


def make_relationship(workspace: Workspace, membership: Membership) -> int:
    return RelationshipFactory(workspace=workspace).pk


def make_person(workspace: Workspace, membership: Membership) -> int:
    scale = ScaleFactory(workspace=workspace, is_person_scale=True)
    system = SystemFactory(workspace=workspace, scale=scale)
    SystemMemberFactory(workspace=workspace, system=system, user=membership.user)
    return PersonFactory(workspace=workspace, system=system, created_by=membership.user).pk


API_MAKERS = {
    "api-scale": make_scale,
    "api-system": make_system,
    "api-actor": make_actor,
    "api-factor": make_factor,
    "api-relationship": make_relationship,
    "api-person": make_person,
}
