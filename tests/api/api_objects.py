"""Objects for the API outsider matrix (test_outsider_keys.py): one maker per route basename,
`make(workspace, membership) -> id`, called inside `tenant_scope(workspace)`. Each area's tests
declare theirs in `tests/api/<area>/api_objects.py` as `API_MAKERS`."""

from tests.factories import ThemeFactory, TombstoneFactory


def make_theme(workspace, membership) -> int:
    return ThemeFactory(workspace=workspace).pk


def make_tombstone(workspace, membership) -> int:
    """A deletion the feed lists (a list-only resource: no object route, but a list)."""
    return TombstoneFactory(workspace=workspace, resource="themes", object_id="4242").pk


API_MAKERS = {"api-theme": make_theme, "api-deletion": make_tombstone}
