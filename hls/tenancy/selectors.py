from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from hls.accounts.models import User
from hls.tenancy.models import Invitation, InvitationStatus, Membership, Workspace
from hls.tenancy.permissions import TWO_FACTOR_ROLES


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


def members_without_two_factor(*, workspace: Workspace) -> list[Membership]:
    """The admins and stewards who have not set up two-step sign-in (for the admins' setting)."""
    confirmed = TOTPDevice.objects.filter(user=OuterRef("user_id"), confirmed=True)
    return list(
        Membership.objects.filter(workspace=workspace, role__in=TWO_FACTOR_ROLES)
        .exclude(Exists(confirmed))
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
