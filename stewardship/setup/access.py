"""Fetch-or-404 helpers for the place set-up: another workspace's object is a 404."""

from django.shortcuts import get_object_or_404

from hls.tenancy.models import Organisation, Workspace
from stewardship.models import Accountability, Participation, Principle, StewardRole


def access_principle(*, workspace: Workspace, principle_id: int) -> Principle:
    return get_object_or_404(
        Principle.objects.select_related("charter__cycle"), workspace=workspace, pk=principle_id
    )


def access_steward_role(*, workspace: Workspace, steward_role_id: int) -> StewardRole:
    return get_object_or_404(
        StewardRole.objects.select_related("cycle"), workspace=workspace, pk=steward_role_id
    )


def access_participation(*, workspace: Workspace, participation_id: int) -> Participation:
    return get_object_or_404(
        Participation.objects.select_related("cycle"), workspace=workspace, pk=participation_id
    )


def access_accountability(*, workspace: Workspace, accountability_id: int) -> Accountability:
    return get_object_or_404(
        Accountability.objects.select_related("cycle"), workspace=workspace, pk=accountability_id
    )


def access_organisation(*, workspace: Workspace, organisation_id: int) -> Organisation:
    return get_object_or_404(Organisation, workspace=workspace, pk=organisation_id)
