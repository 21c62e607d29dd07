"""The workspace (and user) that the current database transaction may see.

Row-level security policies read `app.workspace_id`, `app.user_id` and `app.all_workspaces`
(hls/tenancy/rls.py). They are set with `set_config(..., is_local => true)`, so they last for
the transaction only: every request and task runs inside one of these blocks.
"""

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from django.db import connection, transaction

logger = logging.getLogger(__name__)

_KEYS = ("app.workspace_id", "app.user_id", "app.all_workspaces")


def _get() -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["coalesce(current_setting(%s, true), '')"] * 3), _KEYS
        )
        row = cursor.fetchone()
    return row[0], row[1], row[2]


def _set(workspace_id: str, user_id: str, all_workspaces: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true), set_config(%s, %s, true)",
            [_KEYS[0], workspace_id, _KEYS[1], user_id, _KEYS[2], all_workspaces],
        )


@contextmanager
def _scope(workspace_id: str, user_id: str, all_workspaces: str) -> Iterator[None]:
    nested = connection.in_atomic_block
    with transaction.atomic():
        previous = _get() if nested else None
        _set(workspace_id, user_id, all_workspaces)
        yield
        if previous is not None:  # an outer transaction goes on: give it back its scope
            _set(*previous)


def tenant_scope(
    *, workspace_id: int | None = None, user_id: int | None = None
) -> AbstractContextManager[None]:
    """Run the block in a transaction that sees `workspace_id`'s rows (and `user_id`'s own
    memberships across workspaces). With neither, the block sees no tenant rows at all."""
    return _scope(str(workspace_id or ""), str(user_id or ""), "")


def all_workspaces(reason: str) -> AbstractContextManager[None]:
    """The narrow, explicitly named path for work that truly spans workspaces (the scheduler,
    following an invitation link). Say why; it is logged."""
    logger.debug("all_workspaces: %s", reason)
    return _scope("", "", "on")


def narrow_to_workspace(workspace_id: int) -> None:
    """Inside an `all_workspaces` block: from now on the transaction sees only this workspace's
    rows, as in `tenant_scope(workspace_id=...)`, until the block ends (one statement; no
    savepoint). For the scheduler, once it has locked a row and knows its workspace."""
    _set(str(workspace_id), "", "")


def scope_to_workspace(workspace_id: int) -> None:
    """Inside a `tenant_scope` block: from now on the transaction sees this workspace's rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [_KEYS[0], str(workspace_id)])
