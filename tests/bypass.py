"""Tests only: look at (or set up) every workspace's rows at once.

The application role cannot do this by any setting (hls/tenancy/rls.py, docs/security.md), so a
test that must counts rows or arranges them across workspaces as the superuser the test database
was made with: the connection's session user, whose role the application role was assumed
over (`assume_role`)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction


@contextmanager
def all_workspaces(reason: str) -> Iterator[None]:
    """Inside: every row of every workspace, as the superuser. Say why (for the reader)."""
    assert reason
    app = connection.ops.quote_name(settings.DATABASE_APP_ROLE)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE NONE")
        yield
        # On an error the savepoint's rollback gives the role back by itself.
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {app}")
