"""Objects for the outsider matrix (tests/outsider_objects.py): the barriers area's URL keywords."""

from hls.tenancy.models import Membership
from systems.models import ShareLevel
from tests.factories import BarrierRouteFactory, CycleMemberFactory, EntryFactory


def make_barrier_route(workspace, membership) -> int:
    entry = EntryFactory(
        workspace=workspace,
        author=membership.user,
        kind="barrier",
        visibility=ShareLevel.SHARED_UPWARD,
    )
    route = BarrierRouteFactory(workspace=workspace, entry=entry)
    # The workspace's own members reach it (members of the raising cycle), so only the
    # workspace scoping keeps an outsider out.
    for member in Membership.objects.filter(workspace=workspace):
        CycleMemberFactory(workspace=workspace, cycle=entry.cycle, user=member.user)
    return route.pk


MAKERS = {"barrier_route_id": make_barrier_route}
