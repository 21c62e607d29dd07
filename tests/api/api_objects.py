"""Objects for the API outsider matrix (test_outsider_keys.py): one maker per route basename,
`make(workspace, membership) -> id`, called inside `tenant_scope(workspace)`. Each area's tests
declare theirs in `tests/api/<area>/api_objects.py` as `API_MAKERS`."""

from tests.factories import ThemeFactory


def make_theme(workspace, membership) -> int:
    return ThemeFactory(workspace=workspace).pk


API_MAKERS = {"api-theme": make_theme}
