"""The application role cannot widen its own reach (docs/security.md, "Tenancy in the database").

Until now `app.all_workspaces = 'on'` opened every workspace to whoever set it, the application
role included: row-level security guarded against code that forgot to scope, not against SQL
run as the application role (an injection, a compromised worker). From here:

- Every tenant table gets a second, restrictive policy for the application role (and roles
  that inherit from it): `app.all_workspaces` opens nothing. (A superuser owner running
  migrations keeps it; `enable_rls` adds the same policy to tables made later.)
- The few reads that truly span workspaces are SECURITY DEFINER functions `hls_cross_*`, owned
  by a role of their own (`<DATABASE_APP_ROLE>_crossing`: NOLOGIN, not superuser, no BYPASSRLS,
  no member but the owner), which may read only the columns they use. Each answers one
  question with ids (the workspace and the row), never content; the caller then reads the row
  as the application role inside that workspace's scope. Only the application role may
  execute them (`hls.tenancy.crossing` is the one place that calls them).
- The search candidate functions (cycles 0012/0014) no longer honour `app.all_workspaces`.

The roles are cluster-wide and may serve other databases: reversing drops the functions and
the policies, and leaves the role.
"""

from django.conf import settings
from django.db import migrations

from hls.tenancy.rls import APP_ROLE_ONE_WORKSPACE, one_workspace_policy

SEARCH_TABLES = ("cycles_entry", "cycles_experiment")

# What the crossing role may read (and, for the rows it locks, UPDATE on `id` alone, which
# SELECT ... FOR UPDATE needs; no function updates anything).
READS = {
    "dataio_exportrun": ("id", "workspace_id", "status", "created_at"),
    "dataio_importrun": ("id", "workspace_id", "status", "started_at"),
    "stewardship_calendarfeed": ("id", "workspace_id", "token_hash", "revoked_at", "user_id"),
    "accounts_user": ("id", "is_active"),
    "stewardship_reminder": ("id", "workspace_id", "status", "due_at", "kind", "recipient_id"),
    "stewardship_methodrun": ("id", "workspace_id", "guest_code", "status"),
    "stewardship_runparticipant": ("id", "workspace_id", "run_id", "token", "user_id"),
    "stewardship_learningreport": ("id", "workspace_id", "status", "assembly", "updated_at"),
    "stewardship_reportexport": ("id", "workspace_id", "state", "created_at"),
    "tenancy_invitation": (
        "id", "workspace_id", "status", "expires_at", "public_id", "emailed_count",
        "send_count", "last_sent_at",
    ),
    "api_apikey": ("id", "workspace_id", "prefix"),
    "webhooks_webhookdelivery": ("id", "workspace_id", "status", "next_attempt_at", "subscription_id"),
    "webhooks_webhooksubscription": ("id", "active"),
}  # fmt: skip
LOCKS = ("dataio_importrun", "stewardship_reminder", "webhooks_webhookdelivery")

# name(arguments) -> (returns, body). Each is the narrowest answer its caller needs.
FUNCTIONS = {
    "pending_exports(before timestamptz)": (
        "TABLE(workspace_id bigint, id bigint)",
        """SELECT e.workspace_id, e.id FROM public.dataio_exportrun e
            WHERE e.status = 'pending' AND e.created_at <= $1""",
    ),
    "stalled_imports(before timestamptz)": (
        "TABLE(workspace_id bigint, id bigint)",
        """SELECT i.workspace_id, i.id FROM public.dataio_importrun i
            WHERE i.status = 'running' AND i.started_at <= $1
              FOR UPDATE SKIP LOCKED""",
    ),
    "calendar_feed(token_hash text)": (
        "TABLE(workspace_id bigint, id bigint)",
        """SELECT f.workspace_id, f.id FROM public.stewardship_calendarfeed f
             JOIN public.accounts_user u ON u.id = f.user_id
            WHERE f.token_hash = $1 AND f.revoked_at IS NULL AND u.is_active
            LIMIT 1""",
    ),
    "next_due_reminder(now timestamptz)": (
        "TABLE(workspace_id bigint, id bigint, kind text)",
        """SELECT r.workspace_id, r.id, r.kind::text FROM public.stewardship_reminder r
            WHERE r.status = 'pending' AND r.due_at <= $1
            ORDER BY r.due_at, r.id LIMIT 1
              FOR UPDATE SKIP LOCKED""",
    ),
    "reminders_due_beyond(now timestamptz, more_than integer)": (
        "boolean",
        """SELECT EXISTS (SELECT 1 FROM public.stewardship_reminder r
                           WHERE r.status = 'pending' AND r.due_at <= $1
                           ORDER BY r.due_at, r.id OFFSET $2 LIMIT 1)""",
    ),
    "digest_recipients(now timestamptz)": (
        "TABLE(workspace_id bigint, user_id bigint)",
        """SELECT DISTINCT r.workspace_id, r.recipient_id FROM public.stewardship_reminder r
            WHERE r.status = 'held' AND r.due_at <= $1 AND r.recipient_id IS NOT NULL""",
    ),
    "open_run_by_guest_code(code text)": (
        "TABLE(workspace_id bigint, id bigint)",
        """SELECT m.workspace_id, m.id FROM public.stewardship_methodrun m
            WHERE m.guest_code = $1 AND m.status = 'open' LIMIT 2""",
    ),
    "run_of_guest(token text)": (
        "TABLE(workspace_id bigint, id bigint)",
        """SELECT p.workspace_id, p.run_id FROM public.stewardship_runparticipant p
            WHERE p.token = $1 AND p.user_id IS NULL LIMIT 1""",
    ),
    "pending_reports(before timestamptz)": (
        "TABLE(workspace_id bigint, id bigint)",
        """SELECT r.workspace_id, r.id FROM public.stewardship_learningreport r
            WHERE r.status = 'draft' AND r.assembly = 'pending' AND r.updated_at <= $1""",
    ),
    "pending_report_exports(before timestamptz)": (
        "TABLE(workspace_id bigint, id bigint)",
        """SELECT e.workspace_id, e.id FROM public.stewardship_reportexport e
            WHERE e.state = 'pending' AND e.created_at <= $1""",
    ),
    "invitations_past_expiry(now timestamptz)": (
        "TABLE(workspace_id bigint, id bigint)",
        """SELECT i.workspace_id, i.id FROM public.tenancy_invitation i
            WHERE i.status = 'pending' AND i.expires_at <= $1""",
    ),
    "invitation(public_id uuid)": (
        "TABLE(workspace_id bigint, id bigint)",
        """SELECT i.workspace_id, i.id FROM public.tenancy_invitation i
            WHERE i.public_id = $1""",
    ),
    "invitations_unsent(before timestamptz, now timestamptz)": (
        "TABLE(workspace_id bigint, id bigint, send_count integer)",
        """SELECT i.workspace_id, i.id, i.send_count::integer FROM public.tenancy_invitation i
            WHERE i.status = 'pending' AND i.emailed_count < i.send_count
              AND i.last_sent_at <= $1 AND i.expires_at > $2""",
    ),
    # Enters the key's workspace for the rest of the transaction (as the application role may
    # itself), so that authenticating a request costs no more queries than before.
    "enter_api_key_workspace(prefix text)": (
        "bigint",
        """SELECT set_config('app.workspace_id', k.workspace_id::text, true)::bigint
             FROM public.api_apikey k WHERE k.prefix = $1 LIMIT 1""",
    ),
    "next_due_webhook_delivery(now timestamptz)": (
        "TABLE(workspace_id bigint, id bigint)",
        """SELECT d.workspace_id, d.id FROM public.webhooks_webhookdelivery d
             JOIN public.webhooks_webhooksubscription s ON s.id = d.subscription_id
            WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= $1 AND s.active
            ORDER BY d.next_attempt_at, d.id LIMIT 1
              FOR UPDATE OF d SKIP LOCKED""",
    ),
}


def _names(schema_editor):  # type: ignore[no-untyped-def]
    quote = schema_editor.connection.ops.quote_name
    app = settings.DATABASE_APP_ROLE
    return quote(f"{app}_crossing"), f"{app}_crossing", quote(app), quote(f"{app}_search")


def _ensure_role(cursor, crossing: str, crossing_name: str) -> None:  # type: ignore[no-untyped-def]
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [crossing_name])
    if cursor.fetchone() is None:
        try:
            cursor.execute("SAVEPOINT crossing_role")
            cursor.execute(f"CREATE ROLE {crossing} NOLOGIN NOSUPERUSER NOBYPASSRLS")
            cursor.execute("RELEASE SAVEPOINT crossing_role")
        except Exception:  # another database's migration created it at the same moment
            cursor.execute("ROLLBACK TO SAVEPOINT crossing_role")
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [crossing_name])
            if cursor.fetchone() is None:
                raise
    cursor.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", [crossing_name])
    if not cursor.fetchone()[0]:
        cursor.execute(f"GRANT {crossing} TO CURRENT_USER")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    crossing, crossing_name, app, search = _names(schema_editor)
    with schema_editor.connection.cursor() as cursor:
        # 1. The restrictive policy on every tenant table that does not have it yet.
        cursor.execute(
            "SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = %s"
            " AND tablename NOT IN (SELECT tablename FROM pg_policies WHERE policyname = %s)",
            ["workspace_isolation", APP_ROLE_ONE_WORKSPACE],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(one_workspace_policy(table))
        # 2. The crossing role, what it may read, and its functions.
        _ensure_role(cursor, crossing, crossing_name)
        for table, columns in READS.items():
            cursor.execute(f"GRANT SELECT ({', '.join(columns)}) ON public.{table} TO {crossing}")
        for table in LOCKS:
            cursor.execute(f"GRANT UPDATE (id) ON public.{table} TO {crossing}")
        for signature, (returns, body) in FUNCTIONS.items():
            function = f"public.hls_cross_{signature}"
            cursor.execute(
                f"""
                CREATE FUNCTION {function} RETURNS {returns}
                LANGUAGE sql VOLATILE SECURITY DEFINER
                SET search_path = pg_catalog, pg_temp
                SET app.all_workspaces = 'on'
                AS $$ {body} $$
                """
            )
            cursor.execute(f"ALTER FUNCTION {function} OWNER TO {crossing}")
            cursor.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
            cursor.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")
        # 3. Search candidates: the current workspace only, whatever else is set.
        for table in SEARCH_TABLES:
            _search_candidates(cursor, table, search, app)


def _search_candidates(cursor, table: str, search: str, app: str) -> None:  # type: ignore[no-untyped-def]
    function = f"public.{table}_ids_matching(tsquery, integer)"
    cursor.execute(
        f"""
        CREATE OR REPLACE FUNCTION public.{table}_ids_matching(
            query tsquery, newest integer DEFAULT NULL
        ) RETURNS SETOF bigint
        LANGUAGE plpgsql STABLE SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp
        AS $fn$
        DECLARE
            ws bigint := NULLIF(current_setting('app.workspace_id', true), '')::bigint;
            seen integer;
            found bigint[];
        BEGIN
            -- Up to `newest` + 1 matches in the whole table, from the GIN index: if that is
            -- all of them (a rare word), the workspace's are among them.
            EXECUTE 'SELECT count(*), array_agg(id) FILTER (WHERE workspace_id = $2)'
                    ' FROM (SELECT id, workspace_id FROM public.{table}'
                    ' WHERE search @@ $1 LIMIT $3) m'
                INTO seen, found USING query, ws, newest + 1;
            IF newest IS NULL OR seen <= newest THEN
                RETURN QUERY SELECT id FROM unnest(found) id ORDER BY id DESC;
            ELSE  -- a common word: the workspace's newest (planned with both known)
                RETURN QUERY EXECUTE 'SELECT id FROM public.{table}'
                    ' WHERE workspace_id = $2 AND search @@ $1'
                    ' ORDER BY id DESC LIMIT $3'
                    USING query, ws, newest;
            END IF;
        END
        $fn$
        """  # noqa: S608 - the names are SEARCH_TABLES', no input
    )
    cursor.execute(f"ALTER FUNCTION {function} OWNER TO {search}")
    cursor.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    cursor.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {app}")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        for signature in FUNCTIONS:
            name, _sep, arguments = signature.partition("(")
            types = ", ".join(a.split()[-1] for a in arguments.rstrip(")").split(", ") if a)
            cursor.execute(f"DROP FUNCTION IF EXISTS public.hls_cross_{name}({types})")
        cursor.execute(
            "SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = %s",
            [APP_ROLE_ONE_WORKSPACE],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"DROP POLICY {APP_ROLE_ONE_WORKSPACE} ON public.{table}")


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0002_security_and_retention_settings"),
        ("accounts", "0001_initial"),
        ("api", "0001_initial"),
        ("webhooks", "0001_initial"),
        ("dataio", "0002_import_data_points"),
        ("stewardship", "0011_run_links_only"),
        ("cycles", "0018_cycle_closed_at"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
