"""PostgreSQL row-level security for tenant tables (DESIGN.md §4, layer 3).

Every table of a `WorkspaceOwned` model gets RLS enabled and forced, with a policy that shows a
row only when its workspace is the one set for the current transaction (`app.workspace_id`, set
by `hls.tenancy.context`). Requests and tasks run as `settings.DATABASE_APP_ROLE`, which is
neither superuser nor BYPASSRLS, so the policy always applies. Migrations run as the owner of
`DATABASE_URL` through `owner_mode()`, used by our `migrate` and `flush` commands and the test
database set-up.

A second, restrictive policy keeps the application role to one workspace at a time: for it,
`app.all_workspaces` opens nothing. The few reads that span workspaces are SECURITY DEFINER
functions owned by a role of their own (`hls.tenancy.crossing`; migration tenancy 0003).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections, migrations
from django.db.backends.base.base import BaseDatabaseWrapper

CURRENT_WORKSPACE = "NULLIF(current_setting('app.workspace_id', true), '')::bigint"
CURRENT_USER = "NULLIF(current_setting('app.user_id', true), '')::bigint"
ALL_WORKSPACES = "current_setting('app.all_workspaces', true) = 'on'"
POLICY = "workspace_isolation"
APP_ROLE_ONE_WORKSPACE = "app_role_one_workspace"
# Rows the application role may add but never change or remove (the audit trail).
APPEND_ONLY = ("audit_auditevent",)


def one_workspace_policy(table: str) -> str:
    """The restrictive policy: `app.all_workspaces` opens nothing to the application role (and
    to roles that inherit from it). It names the role, so the roles of search's and crossing's
    functions keep plans free of its condition (a `@@` under a condition that is not
    leakproof could not use the search index).

    Written as `<>` on purpose: the planner counts it as true for 99.5% of rows, where
    `NOT coalesce(... = 'on', false)` counted as a half, on every table of a join, and turned
    a page of 1,000 links into nested loops taking over a minute."""
    role = '"' + settings.DATABASE_APP_ROLE.replace('"', '""') + '"'
    rule = "(coalesce(current_setting('app.all_workspaces', true), '') <> 'on')"
    return (
        f"CREATE POLICY {APP_ROLE_ONE_WORKSPACE} ON {table} AS RESTRICTIVE TO {role}"
        f" USING {rule} WITH CHECK {rule}"
    )


def enable_rls(table: str, *, also_readable_when: str = "") -> migrations.RunSQL:
    """A migration operation that puts `table` under the workspace isolation policy.

    `also_readable_when` widens reading only (never writing), e.g. a user's own memberships.
    """
    check = f"(workspace_id = {CURRENT_WORKSPACE} OR {ALL_WORKSPACES})"
    using = f"({check[1:-1]} OR {also_readable_when})" if also_readable_when else check
    return migrations.RunSQL(
        sql=[
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY {POLICY} ON {table} USING {using} WITH CHECK {check}",
            one_workspace_policy(table),
        ],
        reverse_sql=[
            f"DROP POLICY IF EXISTS {APP_ROLE_ONE_WORKSPACE} ON {table}",
            f"DROP POLICY IF EXISTS {POLICY} ON {table}",
            f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
            f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
        ],
    )


def _quote(connection: BaseDatabaseWrapper, name: str) -> str:
    return connection.ops.quote_name(name)


def ensure_app_role(connection: BaseDatabaseWrapper) -> None:
    """Create the application role if missing (with a login when DATABASE_APP_PASSWORD is
    set), and let the owner switch to it."""
    role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            try:
                cursor.execute(
                    f"CREATE ROLE {_quote(connection, role)} NOLOGIN NOSUPERUSER NOBYPASSRLS"
                )
            except Exception:  # another process created it at the same moment
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                if cursor.fetchone() is None:
                    raise
        if settings.DATABASE_APP_PASSWORD:
            cursor.execute(
                f"ALTER ROLE {_quote(connection, role)} LOGIN PASSWORD %s",
                [settings.DATABASE_APP_PASSWORD],
            )
        cursor.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", [role])
        if not cursor.fetchone()[0]:
            cursor.execute(f"GRANT {_quote(connection, role)} TO CURRENT_USER")


def grant_app_role(connection: BaseDatabaseWrapper) -> None:
    """Give the application role data access (never ownership) to every table; on the
    append-only tables, adding rows only."""
    role = _quote(connection, settings.DATABASE_APP_ROLE)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        for table in APPEND_ONLY:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}")


@contextmanager
def owner_mode(alias: str = "default") -> Iterator[BaseDatabaseWrapper]:
    """Connect as the owner in `DATABASE_URL` instead of the application role."""
    connection = connections[alias]
    options = connection.settings_dict.setdefault("OPTIONS", {})
    role = options.pop("assume_role", None)
    connection.close()
    try:
        yield connection
    finally:
        connection.close()
        if role is not None:
            options["assume_role"] = role
