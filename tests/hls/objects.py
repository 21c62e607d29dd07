"""Objects for the outsider matrix (tests/outsider_objects.py): tenancy's URL keywords."""

from tests.factories import InvitationFactory


def make_invitation(workspace, membership) -> int:
    return InvitationFactory(workspace=workspace, email=f"new@{workspace.slug}.test").pk


MAKERS = {
    "membership_id": lambda workspace, membership: membership.pk,
    "invitation_id": make_invitation,
}
