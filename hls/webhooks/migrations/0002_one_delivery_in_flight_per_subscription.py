"""One delivery in flight per webhook subscription (docs/webhooks.md, "Slow receivers").

The crossing function that claims the next due delivery (tenancy 0003) also locks the
delivery's subscription, FOR NO KEY UPDATE SKIP LOCKED, until the claiming transaction ends:
while one sender waits on a receiver that hangs or trickles, the other senders pass over every
delivery to it and deliver everyone else's. NO KEY UPDATE does not conflict with the KEY SHARE
lock that writing a new delivery (its foreign key) takes, so events keep being queued meanwhile;
an admin changing the subscription waits for the delivery in flight (at most
WEBHOOK_TIMEOUT_SECONDS). The crossing role may lock the subscription row (UPDATE on `id`,
which the lock needs; the function updates nothing).
"""

from django.conf import settings
from django.db import migrations

SIGNATURE = "public.hls_cross_next_due_webhook_delivery(now timestamptz)"
SELECT = """SELECT d.workspace_id, d.id FROM public.webhooks_webhookdelivery d
             JOIN public.webhooks_webhooksubscription s ON s.id = d.subscription_id
            WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= $1 AND s.active
            ORDER BY d.next_attempt_at, d.id LIMIT 1
              FOR UPDATE OF d SKIP LOCKED"""
ONE_IN_FLIGHT = SELECT + " FOR NO KEY UPDATE OF s SKIP LOCKED"


def _crossing(schema_editor) -> str:  # type: ignore[no-untyped-def]
    return schema_editor.connection.ops.quote_name(f"{settings.DATABASE_APP_ROLE}_crossing")


def _define(cursor, body: str) -> None:  # type: ignore[no-untyped-def]
    # CREATE OR REPLACE keeps the function's owner (the crossing role) and who may run it.
    cursor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {SIGNATURE} RETURNS TABLE(workspace_id bigint, id bigint)
        LANGUAGE sql VOLATILE SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp
        SET app.all_workspaces = 'on'
        AS $$ {body} $$
        """
    )


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "GRANT UPDATE (id) ON public.webhooks_webhooksubscription TO "
            + _crossing(schema_editor)
        )
        _define(cursor, ONE_IN_FLIGHT)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        _define(cursor, SELECT)
        cursor.execute(
            "REVOKE UPDATE (id) ON public.webhooks_webhooksubscription FROM "
            + _crossing(schema_editor)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("tenancy", "0003_crossing_functions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
