from django.db.models import QuerySet

from hls.accounts.models import User
from hls.tenancy.models import Invitation, InvitationStatus, Membership, Workspace


def membership_for_slug(*, user: User, slug: str) -> Membership | None:
    return (
        Membership.objects.select_related("workspace", "organisation")
        .filter(user=user, workspace__slug=slug)
        .first()
    )


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    """All of a user's workspaces (readable across workspaces by the membership policy)."""
    return (
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )


def workspace_members(*, workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user", "organisation")
        .order_by("user__full_name", "user__email")
    )


def pending_invitations(*, workspace: Workspace) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        workspace=workspace, status=InvitationStatus.PENDING
    ).select_related("invited_by")
