"""The application role cannot widen its own reach (issue 17; docs/security.md, "Tenancy in
the database"): SQL run as `hls_app` itself (an injection, a compromised worker), over a
connection that logs in as the role, sees one workspace at a time whatever it sets, cannot
become another role, and crosses workspaces only through the `hls_cross_*` functions, which
answer with ids and read only the columns they need. The audit trail is append-only for it."""

import secrets
from collections.abc import Iterator

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from hls.tenancy import crossing
from hls.tenancy.rls import APPEND_ONLY

pytestmark = pytest.mark.django_db

APP = settings.DATABASE_APP_ROLE
CROSSING = f"{APP}_crossing"


def _params(**overrides: str) -> dict[str, str]:
    db = connection.settings_dict
    params = {
        "dbname": db["NAME"],
        "host": db["HOST"] or "127.0.0.1",
        "port": str(db["PORT"] or 5432),
        "user": db["USER"] or "postgres",
        "password": db["PASSWORD"] or "",
    }
    return {**params, **overrides}


@pytest.fixture
def as_app_role() -> Iterator[psycopg.Connection]:
    """A connection that logs in as the application role, as production's web and workers do
    (DATABASE_URL=postgres://hls_app:...): no session user to fall back on. Committed rows
    it makes are its test's to remove."""
    password = secrets.token_urlsafe(16)
    with psycopg.connect(**_params(), autocommit=True) as owner:
        could_log_in = owner.execute(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [APP]
        ).fetchone()[0]
        owner.execute(
            sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(APP), sql.Literal(password)
            )
        )
        try:
            with psycopg.connect(**_params(user=APP, password=password), autocommit=True) as app:
                yield app
        finally:
            if not could_log_in:
                owner.execute(
                    sql.SQL("ALTER ROLE {} NOLOGIN PASSWORD NULL").format(sql.Identifier(APP))
                )


def _in(app: psycopg.Connection, workspace_id: int | str, sql: str, params=()) -> list:  # type: ignore[no-untyped-def]
    with app.transaction():
        app.execute("SELECT set_config('app.workspace_id', %s, true)", [str(workspace_id)])
        cursor = app.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def test_as_the_application_role_no_setting_opens_another_workspace(as_app_role) -> None:
    app = as_app_role
    session, current = app.execute("SELECT session_user, current_user").fetchone()
    assert (session, current) == (APP, APP)
    slugs = [f"reach-{secrets.token_hex(4)}" for _ in range(2)]
    ids = [
        app.execute(
            "INSERT INTO tenancy_workspace (name, slug, small_count_threshold, created_at,"
            " require_two_factor) VALUES (%s, %s, 3, now(), false) RETURNING id",
            [slug, slug],
        ).fetchone()[0]
        for slug in slugs
    ]
    a, b = ids
    try:
        for workspace_id in ids:
            _in(
                app,
                workspace_id,
                "INSERT INTO tenancy_organisation (workspace_id, name, created_at)"
                " VALUES (%s, 'Riverside', now())",
                [workspace_id],
            )
        assert _in(app, a, "SELECT count(*) FROM tenancy_organisation") == [(1,)]
        attempts = [
            {"app.all_workspaces": "on", "app.workspace_id": ""},
            {"app.all_workspaces": "on", "app.workspace_id": str(a)},
            {"app.all_workspaces": "on", "app.user_id": "1"},
            {"app.all_workspaces": "yes"},
        ]
        for attempt in attempts:
            with app.transaction():
                for name, value in attempt.items():
                    app.execute("SELECT set_config(%s, %s, false)", [name, value])
                seen = app.execute(
                    "SELECT count(*) FROM tenancy_organisation WHERE workspace_id = %s", [b]
                ).fetchone()[0]
            assert seen == 0, attempt
        # Nor can it become another role: not the owner, not the crossing or search roles.
        for role in (
            settings.DATABASES["default"]["USER"] or "postgres",
            CROSSING,
            f"{APP}_search",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), app.transaction():
                app.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        app.execute("RESET ROLE")
        assert app.execute("SELECT current_user").fetchone() == (APP,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege), app.transaction():
            app.execute("SET SESSION AUTHORIZATION postgres")
    finally:
        app.execute("SELECT set_config('app.all_workspaces', '', false)")
        for workspace_id in ids:
            _in(app, workspace_id, "DELETE FROM tenancy_organisation WHERE workspace_id = %s",
                [workspace_id])  # fmt: skip
        app.execute("DELETE FROM tenancy_workspace WHERE id = ANY(%s)", [ids])


def test_the_crossing_functions_are_the_only_way_across_and_narrow() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname, r.rolname, p.prosecdef,"
            " has_function_privilege(%s, p.oid, 'EXECUTE'),"
            " has_function_privilege('public', p.oid, 'EXECUTE')"
            " FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner"
            " WHERE p.proname LIKE 'hls\\_cross\\_%%'",
            [APP],
        )
        functions = {name: rest for name, *rest in cursor.fetchall()}
        cursor.execute(
            "SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s",
            [CROSSING],
        )
        role = cursor.fetchone()
        cursor.execute(
            "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid"
            " JOIN pg_roles m ON m.oid = a.member WHERE r.rolname = %s",
            [CROSSING],
        )
        members = {name for (name,) in cursor.fetchall()}
        # What the crossing role may read, column by column, in any table.
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.column_privileges"
            " WHERE grantee = %s AND privilege_type = 'SELECT'",
            [CROSSING],
        )
        readable = set(cursor.fetchall())
    questions = set(crossing.Question.__args__)  # type: ignore[attr-defined]
    assert set(functions) == {f"hls_cross_{q}" for q in questions}
    for name, (owner, definer, app_may, public_may) in functions.items():
        assert (owner, definer, app_may, public_may) == (CROSSING, True, True, False), name
    assert role == (False, False, False)
    assert APP not in members
    # Ids, workspaces, states and times; never what people wrote or who they are.
    content = {"body", "title", "name", "email", "what_matters", "data", "secret_hash", "text"}
    assert not {column for _table, column in readable} & content


def test_the_audit_trail_is_append_only_for_the_application_role() -> None:
    with connection.cursor() as cursor:
        for table in APPEND_ONLY:
            cursor.execute(
                "SELECT has_table_privilege(%s, %s, 'INSERT'), has_table_privilege(%s, %s,"
                " 'UPDATE'), has_table_privilege(%s, %s, 'DELETE'),"
                " has_table_privilege(%s, %s, 'TRUNCATE')",
                [APP, table] * 4,
            )
            assert cursor.fetchone() == (True, False, False, False), table
