"""Every tenant table's rows, in one query, so a test can tell that a request changed nothing
anywhere in any workspace (not only the tables it thought of)."""

from django.apps import apps
from django.db import connection

from hls.tenancy.models import Workspace
from tests.bypass import all_workspaces


def tenant_tables() -> list[str]:
    """The workspaces table and every table whose rows belong to a workspace (a foreign key to
    it), with the many-to-many tables Django makes for them."""
    tables = {Workspace._meta.db_table}
    for model in apps.get_models():
        fields = model._meta.get_fields()
        if any(f.many_to_one and f.related_model is Workspace for f in fields):
            tables.add(model._meta.db_table)
            for m2m in model._meta.local_many_to_many:
                if m2m.remote_field.through._meta.auto_created:
                    tables.add(m2m.remote_field.through._meta.db_table)
    return sorted(tables)


# Bookkeeping a request may write whatever its answer: when a key was last used, and the
# audit log's record of a key's first use of the day (hls.api.base.ApiViewSet.initial).
BOOKKEEPING = {"api_apikey": ("last_used_at",)}
BOOKKEEPING_ROWS = {"audit_auditevent": "action <> 'api_key.used'"}


def tenant_snapshot() -> dict[str, tuple[int, str]]:
    """{table: (rows, digest of every row's every column)} for every tenant table (less the
    bookkeeping columns and rows above)."""
    quote = connection.ops.quote_name

    def row(table: str) -> str:
        skip = BOOKKEEPING.get(table, ())
        return "(to_jsonb(t)" + "".join(f" - '{column}'" for column in skip) + ")::text"

    parts = [
        f"SELECT %s, count(*), md5(coalesce(string_agg({row(table)}, '|' ORDER BY "
        f"{row(table)}), '')) FROM {quote(table)} t WHERE {BOOKKEEPING_ROWS.get(table, 'true')}"
        for table in tenant_tables()
    ]
    with all_workspaces("test snapshot"), connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), tenant_tables())
        return {table: (rows, digest) for table, rows, digest in cursor.fetchall()}
