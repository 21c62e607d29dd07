"""Fetch-or-404 helpers: a missing object and another workspace's object look the same."""

from django.shortcuts import get_object_or_404

from hls.tenancy.models import Invitation, Membership, Workspace


def access_membership(*, workspace: Workspace, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), workspace=workspace, pk=membership_id
    )


def access_invitation(*, workspace: Workspace, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation, workspace=workspace, pk=invitation_id)
