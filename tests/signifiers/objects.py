"""Objects for the outsider matrix (tests/outsider_objects.py): the signifiers' URL keywords.
(`cycle_id` and `entry_id` come from the cycles' makers.)"""

from cycles.signifiers import services
from tests.signifiers.helpers import TRIAD_SET


def make_signifier_set(workspace, membership) -> int:
    return services.signifier_set_create(
        workspace=workspace, user=membership.user, name="What helped", definition=TRIAD_SET
    ).pk


MAKERS = {"signifier_set_id": make_signifier_set}
