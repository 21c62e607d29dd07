"""Search keeps its GIN indexes under row-level security (docs/architecture.md, Tenancy).

Under RLS the planner must apply the workspace policy before any qual that is not leakproof,
and `@@` is not, so a search as the application role filters every entry of the workspace. The
candidates are found instead by `cycles_entry_ids_matching(tsquery)` (and
`cycles_experiment_ids_matching` for experiments): a SECURITY DEFINER SQL function owned by a
role of its own (`<DATABASE_APP_ROLE>_search`: NOLOGIN, no superuser, no BYPASSRLS, no member
but the owner) that may read three columns only (id, workspace_id, search), under a read-only
policy of its own, and that applies the workspace rule itself. It returns ids, never
content; the search then reads those rows as the application role, under the workspace policy
(and for entries the visibility rule), as before.

The role is cluster-wide and may serve other databases: reversing drops the function, the
policy and the grant, and leaves the role.
"""

from django.conf import settings
from django.db import migrations

TABLES = ("cycles_entry", "cycles_experiment")  # each with a stored `search` vector


def _roles(schema_editor):  # type: ignore[no-untyped-def]
    quote = schema_editor.connection.ops.quote_name
    app = settings.DATABASE_APP_ROLE
    return quote(f"{app}_search"), f"{app}_search", quote(app)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    search, search_name, app = _roles(schema_editor)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [search_name])
        if cursor.fetchone() is None:
            try:
                cursor.execute("SAVEPOINT search_role")
                cursor.execute(f"CREATE ROLE {search} NOLOGIN NOSUPERUSER NOBYPASSRLS")
                cursor.execute("RELEASE SAVEPOINT search_role")
            except Exception:  # another database's migration created it at the same moment
                cursor.execute("ROLLBACK TO SAVEPOINT search_role")
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [search_name])
                if cursor.fetchone() is None:
                    raise
        cursor.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", [search_name])
        if not cursor.fetchone()[0]:
            cursor.execute(f"GRANT {search} TO CURRENT_USER")
        for table in TABLES:
            _candidates(cursor, table, search, app)


def _candidates(cursor, table, search, app):  # type: ignore[no-untyped-def]
    function = f"public.{table}_ids_matching(tsquery)"
    cursor.execute(f"GRANT SELECT (id, workspace_id, search) ON {table} TO {search}")
    cursor.execute(
        f"CREATE POLICY search_candidates ON {table} FOR SELECT TO {search} USING (true)"
    )
    cursor.execute(
        f"""
        CREATE FUNCTION {function}
        RETURNS SETOF bigint
        LANGUAGE sql STABLE STRICT SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp
        AS $$
            SELECT id FROM public.{table}
             WHERE search @@ $1
               AND (workspace_id = NULLIF(current_setting('app.workspace_id', true), '')::bigint
                    OR current_setting('app.all_workspaces', true) = 'on')
        $$
        """  # noqa: S608 - the names are TABLES', no input
    )
    cursor.execute(f"ALTER FUNCTION {function} OWNER TO {search}")
    cursor.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    cursor.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    search, _name, _app = _roles(schema_editor)
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP FUNCTION IF EXISTS public.{table}_ids_matching(tsquery)")
            cursor.execute(f"DROP POLICY IF EXISTS search_candidates ON {table}")
            cursor.execute(f"REVOKE ALL ON {table} FROM {search}")


class Migration(migrations.Migration):
    dependencies = [("cycles", "0011_search_and_list_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
