"""Objects for the outsider matrix (tests/outsider_objects.py): the place set-up's URL keywords."""

from tests.factories import (
    AccountabilityFactory,
    OrganisationFactory,
    ParticipationFactory,
    PrincipleFactory,
    StewardRoleFactory,
)


def make_principle(workspace, membership) -> int:
    return PrincipleFactory(workspace=workspace).pk


def make_steward_role(workspace, membership) -> int:
    return StewardRoleFactory(workspace=workspace).pk


def make_participation(workspace, membership) -> int:
    return ParticipationFactory(workspace=workspace).pk


def make_accountability(workspace, membership) -> int:
    return AccountabilityFactory(workspace=workspace).pk


def make_organisation(workspace, membership) -> int:
    return OrganisationFactory(workspace=workspace).pk


MAKERS = {
    "principle_id": make_principle,
    "steward_role_id": make_steward_role,
    "participation_id": make_participation,
    "accountability_id": make_accountability,
    "organisation_id": make_organisation,
    "step": lambda workspace, membership: "purpose",
}
