"""Search's candidates, newest first and bounded (docs/architecture.md, "Search under row-level
security"; docs/performance.md).

`cycles_entry_ids_matching(tsquery, newest integer DEFAULT NULL)` (and the experiments') return
the ids of the current workspace's rows that match, newest (highest id) first, at most `newest`
of them (all when it is NULL, as before). A common word matches a seventh of a big workspace
(146,000 entries in a million): listing and ranking them all took half a second before the
visibility rule had even started. The function first takes up to `newest` + 1 matches of the
whole table from the GIN index (ids and workspaces, never returned but the workspace's): if that
is all of them (a rare word), the workspace's are among them. If not (a common word), it asks
for the workspace's newest `newest`, planned with the word and the workspace known (PL/pgSQL's
EXECUTE ... USING): in a big workspace, walking the primary key backwards until enough match;
in a small one, from its own rows. The owner, the
grants, the policy and the workspace rule are those of 0012: ids only, of the current workspace
only, and nothing when no workspace is set.
"""

from django.conf import settings
from django.db import migrations

TABLES = ("cycles_entry", "cycles_experiment")


def _roles(schema_editor):  # type: ignore[no-untyped-def]
    quote = schema_editor.connection.ops.quote_name
    app = settings.DATABASE_APP_ROLE
    return quote(f"{app}_search"), quote(app)


def _own(cursor, function, search, app):  # type: ignore[no-untyped-def]
    cursor.execute(f"ALTER FUNCTION {function} OWNER TO {search}")
    cursor.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    cursor.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    search, app = _roles(schema_editor)
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP FUNCTION public.{table}_ids_matching(tsquery)")
            cursor.execute(
                f"""
                CREATE FUNCTION public.{table}_ids_matching(
                    query tsquery, newest integer DEFAULT NULL
                ) RETURNS SETOF bigint
                LANGUAGE plpgsql STABLE SECURITY DEFINER
                SET search_path = pg_catalog, pg_temp
                AS $fn$
                DECLARE
                    everywhere boolean := current_setting('app.all_workspaces', true) = 'on';
                    ws bigint := NULLIF(current_setting('app.workspace_id', true), '')::bigint;
                    seen integer;
                    found bigint[];
                BEGIN
                    -- Up to `newest` + 1 matches in the whole table, from the GIN index: if
                    -- that is all of them (a rare word), the workspace's are among them.
                    EXECUTE 'SELECT count(*), array_agg(id) FILTER (WHERE $3 OR workspace_id = $2)'
                            ' FROM (SELECT id, workspace_id FROM public.{table}'
                            ' WHERE search @@ $1 LIMIT $4) m'
                        INTO seen, found USING query, ws, everywhere, newest + 1;
                    IF newest IS NULL OR seen <= newest THEN
                        RETURN QUERY SELECT id FROM unnest(found) id ORDER BY id DESC;
                    ELSE  -- a common word: the workspace's newest (planned with both known)
                        RETURN QUERY EXECUTE 'SELECT id FROM public.{table}'
                            ' WHERE ($3 OR workspace_id = $2) AND search @@ $1'
                            ' ORDER BY id DESC LIMIT $4'
                            USING query, ws, everywhere, newest;
                    END IF;
                END
                $fn$
                """  # noqa: S608 - the names are TABLES', no input
            )
            _own(cursor, f"public.{table}_ids_matching(tsquery, integer)", search, app)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    search, app = _roles(schema_editor)
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP FUNCTION public.{table}_ids_matching(tsquery, integer)")
            cursor.execute(
                f"""
                CREATE FUNCTION public.{table}_ids_matching(tsquery)
                RETURNS SETOF bigint
                LANGUAGE sql STABLE STRICT SECURITY DEFINER
                SET search_path = pg_catalog, pg_temp
                AS $$
                    SELECT id FROM public.{table}
                     WHERE search @@ $1
                       AND (workspace_id
                              = NULLIF(current_setting('app.workspace_id', true), '')::bigint
                            OR current_setting('app.all_workspaces', true) = 'on')
                $$
                """  # noqa: S608 - the names are TABLES', no input
            )
            _own(cursor, f"public.{table}_ids_matching(tsquery)", search, app)


class Migration(migrations.Migration):
    dependencies = [("cycles", "0013_entry_rollup")]

    operations = [migrations.RunPython(forwards, backwards)]
