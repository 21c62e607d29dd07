"""Objects for the API outsider matrix and the conformance world: a measure seen by the whole
workspace, in a cycle the member takes part in, with enough values (12) to show a signal."""

import datetime as dt

from django.utils import timezone

from systems.models import ShareLevel
from tests.factories import CycleFactory, CycleMemberFactory, DataPointFactory, MeasureFactory


def make_measure(workspace, membership) -> int:
    cycle = CycleFactory(workspace=workspace)
    CycleMemberFactory(workspace=workspace, cycle=cycle, user=membership.user)
    measure = MeasureFactory(
        workspace=workspace, cycle=cycle, visibility=ShareLevel.WORKSPACE, signal_note="A shift."
    )
    today = timezone.localdate()
    for days_ago, value in enumerate([9, 9, 9, 9, 9, 9, 9, 9, 3, 3, 3, 3]):
        DataPointFactory(
            workspace=workspace,
            measure=measure,
            on=today - dt.timedelta(days=days_ago),
            value=value,
        )
    return measure.pk


API_MAKERS = {"api-measure": make_measure}
