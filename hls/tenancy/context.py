"""The workspace (and user) that the current database transaction may see.

Row-level security policies read `app.workspace_id` and `app.user_id` (hls/tenancy/rls.py).
They are set with `set_config(..., is_local => true)`, so they last for the transaction only:
every request and task runs inside one of these blocks. Nothing here spans workspaces: the few
reads that must are `hls.tenancy.crossing`'s.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from django.db import connection, transaction

_KEYS = ("app.workspace_id", "app.user_id")


def _get() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["coalesce(current_setting(%s, true), '')"] * 2), _KEYS
        )
        row = cursor.fetchone()
    return row[0], row[1]


def _set(workspace_id: str, user_id: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [_KEYS[0], workspace_id, _KEYS[1], user_id],
        )


@contextmanager
def _scope(workspace_id: str, user_id: str) -> Iterator[None]:
    nested = connection.in_atomic_block
    with transaction.atomic():
        previous = _get() if nested else None
        _set(workspace_id, user_id)
        yield
        if previous is not None:  # an outer transaction goes on: give it back its scope
            _set(*previous)


def tenant_scope(
    *, workspace_id: int | None = None, user_id: int | None = None
) -> AbstractContextManager[None]:
    """Run the block in a transaction that sees `workspace_id`'s rows (and `user_id`'s own
    memberships across workspaces). With neither, the block sees no tenant rows at all."""
    return _scope(str(workspace_id or ""), str(user_id or ""))


def narrow_to_workspace(workspace_id: int) -> None:
    """From now on the transaction sees only this workspace's rows, as in
    `tenant_scope(workspace_id=...)`, with no user (one statement; no savepoint). For the
    scheduler, once a crossing function has locked a row and named its workspace."""
    _set(str(workspace_id), "")


def scope_to_workspace(workspace_id: int | None) -> None:
    """Inside a `tenant_scope` block: from now on the transaction sees this workspace's rows
    (None: no workspace's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [_KEYS[0], str(workspace_id or "")])
