"""Objects for the outsider matrix (tests/outsider_objects.py): the measures' URL keywords.
(`cycle_id` comes from the cycles' makers.) `membership` takes part in each cycle; the
measures are seen by the whole workspace, so its admin reaches their pages."""

from systems.models import ShareLevel
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    DataPointFactory,
    MeasureFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
    WhatMattersFactory,
)


def _cycle(workspace, membership, **kwargs):
    cycle = CycleFactory(workspace=workspace, **kwargs)
    CycleMemberFactory(workspace=workspace, cycle=cycle, user=membership.user)
    return cycle


def make_measure(workspace, membership) -> int:
    cycle = _cycle(workspace, membership)
    return MeasureFactory(workspace=workspace, cycle=cycle, visibility=ShareLevel.WORKSPACE).pk


def make_data_point(workspace, membership) -> int:
    measure = MeasureFactory(
        workspace=workspace, cycle=_cycle(workspace, membership), visibility=ShareLevel.WORKSPACE
    )
    return DataPointFactory(workspace=workspace, measure=measure).pk


def make_what_matters(workspace, membership) -> int:
    scale = ScaleFactory(workspace=workspace, is_person_scale=True)
    life = SystemFactory(workspace=workspace, scale=scale)
    cycle = _cycle(workspace, membership, system=life)
    person = PersonFactory(workspace=workspace, system=life)
    return WhatMattersFactory(workspace=workspace, cycle=cycle, person=person).pk


MAKERS = {
    "measure_id": make_measure,
    "data_point_id": make_data_point,
    "what_matters_id": make_what_matters,
}
