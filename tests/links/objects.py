"""Objects for the outsider matrix (tests/outsider_objects.py): the links area's URL keywords.
`cycle_id` and `entry_id` are registered by tests/cycles/objects.py."""

from systems.models import ShareLevel
from tests.factories import CycleLinkFactory, EntryFactory, EntrySourceFactory


def make_entry_source(workspace, membership) -> int:
    entry = EntryFactory(
        workspace=workspace, author=membership.user, kind="insight", visibility=ShareLevel.WORKSPACE
    )
    return EntrySourceFactory(workspace=workspace, entry=entry).pk


MAKERS = {
    "cycle_link_id": lambda workspace, membership: CycleLinkFactory(workspace=workspace).pk,
    "entry_source_id": make_entry_source,
}
