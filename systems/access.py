"""Fetch-or-404 helpers: a missing object and another workspace's object look the same."""

from django.shortcuts import get_object_or_404

from hls.tenancy.models import Workspace
from systems.models import Actor, Factor, MapSnapshot, Person, Relationship, Scale, System


def access_scale(*, workspace: Workspace, scale_id: int) -> Scale:
    return get_object_or_404(Scale, workspace=workspace, pk=scale_id)


def access_system(*, workspace: Workspace, system_id: int) -> System:
    return get_object_or_404(
        System.objects.select_related("scale", "parent__scale"), workspace=workspace, pk=system_id
    )


def access_actor(*, workspace: Workspace, actor_id: int) -> Actor:
    return get_object_or_404(Actor, workspace=workspace, pk=actor_id)


def access_factor(*, workspace: Workspace, factor_id: int) -> Factor:
    return get_object_or_404(Factor, workspace=workspace, pk=factor_id)


def access_person(*, workspace: Workspace, person_id: int) -> Person:
    return get_object_or_404(Person, workspace=workspace, pk=person_id)


def access_relationship(*, workspace: Workspace, relationship_id: int) -> Relationship:
    return get_object_or_404(Relationship, workspace=workspace, pk=relationship_id)


def access_snapshot(*, workspace: Workspace, snapshot_id: int) -> MapSnapshot:
    return get_object_or_404(
        MapSnapshot.objects.select_related("taken_by"), workspace=workspace, pk=snapshot_id
    )
