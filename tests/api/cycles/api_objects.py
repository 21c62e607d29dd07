"""One real object per basename of the cycles family, for the shared outsider matrix: each
`make(workspace, membership) -> id` runs inside `tenant_scope(workspace_id=...)` and makes an
object `membership` (an admin) can see, so another workspace's key must get 404 for it."""

from cycles.models import BarrierRoute
from systems.models import ShareLevel
from tests.factories import (
    CycleFactory,
    CycleLinkFactory,
    CycleMemberFactory,
    EnablerFactory,
    EntryFactory,
    ExperimentFactory,
    SystemFactory,
    ThemeFactory,
)


def make_theme(workspace, membership) -> int:
    return ThemeFactory(workspace=workspace).pk


def make_cycle(workspace, membership) -> int:
    return CycleFactory(workspace=workspace).pk


def make_entry(workspace, membership) -> int:
    return EntryFactory(
        workspace=workspace, author=membership.user, visibility=ShareLevel.WORKSPACE
    ).pk


def make_experiment(workspace, membership) -> int:
    return ExperimentFactory(workspace=workspace).pk


def make_link(workspace, membership) -> int:
    return CycleLinkFactory(workspace=workspace).pk


def make_barrier(workspace, membership) -> int:
    upper = CycleFactory(workspace=workspace)
    below = CycleFactory(
        workspace=workspace, system=SystemFactory(workspace=workspace, parent=upper.system)
    )
    CycleMemberFactory(workspace=workspace, cycle=below, user=membership.user)
    entry = EntryFactory(
        workspace=workspace,
        cycle=below,
        kind="barrier",
        author=membership.user,
        visibility=ShareLevel.SHARED_UPWARD,
    )
    return BarrierRoute.objects.create(
        workspace=workspace, entry=entry, from_cycle=below, to_cycle=upper
    ).pk


def make_enabler(workspace, membership) -> int:
    return EnablerFactory(workspace=workspace).pk


API_MAKERS = {
    "api-theme": make_theme,
    "api-cycle": make_cycle,
    "api-entry": make_entry,
    "api-experiment": make_experiment,
    "api-link": make_link,
    "api-barrier": make_barrier,
    "api-enabler": make_enabler,
}
