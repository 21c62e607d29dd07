"""Fetch-or-404 for measures, their points and a person's own terms: a missing object, another
workspace's object and one the member may not see look the same."""

from __future__ import annotations

from collections.abc import Collection

from django.http import Http404
from django.shortcuts import get_object_or_404

from cycles.measures.selectors import MEASURE_CYCLE_NAMING, measures_visible_to
from cycles.models import Cycle, DataPoint, Measure, WhatMatters
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from systems.models import Person
from systems.selectors import people_worked_with


def access_measure(
    *, workspace: Workspace, user: User, measure_id: int, worked_in: Collection[int] | None = None
) -> Measure:
    return get_object_or_404(
        measures_visible_to(workspace=workspace, user=user, worked_in=worked_in).select_related(
            "person", *MEASURE_CYCLE_NAMING
        ),
        pk=measure_id,
    )


def access_point(
    *, workspace: Workspace, user: User, point_id: int, worked_in: Collection[int] | None = None
) -> DataPoint:
    point = get_object_or_404(
        DataPoint.objects.select_related("measure"), workspace=workspace, pk=point_id
    )
    point.measure = access_measure(
        workspace=workspace, user=user, measure_id=point.measure_id, worked_in=worked_in
    )
    return point


def access_own_terms(
    *, workspace: Workspace, user: User, cycle: Cycle, worked_in: Collection[int]
) -> Person:
    """The person of a person-scale cycle, for those who work with them (inside the cycle);
    a 404 for everyone else, and for a cycle that is not a person's."""
    if not cycle.system.scale.is_person_scale or cycle.system_id not in worked_in:
        raise Http404
    person = (
        people_worked_with(workspace=workspace, user=user)
        .filter(system_id=cycle.system_id)
        .order_by("pk")
        .first()
    )
    if person is None:
        raise Http404
    return person


def access_item(
    *, workspace: Workspace, user: User, item_id: int, worked_in: Collection[int]
) -> WhatMatters:
    item = get_object_or_404(
        WhatMatters.objects.select_related("cycle__system__scale", "person"),
        workspace=workspace,
        pk=item_id,
    )
    access_own_terms(workspace=workspace, user=user, cycle=item.cycle, worked_in=worked_in)
    if item.person.system_id != item.cycle.system_id:
        raise Http404
    return item
