"""Objects for the API outsider matrix and the conformance world: a signifier set, and a story
of the member's, in a cycle they work in, placed on that cycle's attached set."""

from cycles.signifiers import services
from tests.factories import CycleFactory, CycleMemberFactory
from tests.signifiers.helpers import TRIAD_SET, attach, placed_story


def make_signifier_set(workspace, membership) -> int:
    return services.signifier_set_create(
        workspace=workspace, user=membership.user, name="What helped", definition=TRIAD_SET
    ).pk


def make_placement(workspace, membership) -> int:
    cycle = CycleFactory(workspace=workspace)
    CycleMemberFactory(workspace=workspace, cycle=cycle, user=membership.user)
    attach(workspace, cycle, membership.user, name="Placed on")
    _entry, placement = placed_story(workspace, cycle, membership.user)
    return placement.pk


API_MAKERS = {"api-signifier-set": make_signifier_set, "api-placement": make_placement}
