"""The schema stays ready to run beyond one machine (docs/scaling.md): every tenant table carries
its workspace, never empty and indexed, so a query can always be routed by it; and no new
uniqueness is promised across workspaces (a table distributed by workspace, as Citus does, can
only enforce a unique key that includes the workspace). The keys that do not include it yet are
listed below; the list may only shrink."""

import pytest
from django.db import connection

from tests.hls.test_rls import TENANT_MODELS

pytestmark = pytest.mark.django_db

TENANT_TABLES = sorted({model._meta.db_table for model in TENANT_MODELS})

# Unique keys of tenant tables without the workspace: (table, columns). Each is unique within
# its workspace anyway (it hangs off a row of that workspace, or is a random token); adding the
# workspace to them is the remaining step before distributing by workspace (docs/scaling.md).
WITHOUT_WORKSPACE = {
    ("api_apikey", ("prefix",)),
    ("cycles_contextquestiontarget", ("cycle_id", "question_id")),
    ("cycles_cyclelink", ("cycle_id", "kind", "other_id")),
    ("cycles_cyclemember", ("cycle_id", "user_id")),
    ("cycles_enablertarget", ("cycle_id", "enabler_id")),
    ("cycles_entrytheme", ("entry_id", "theme_id")),
    ("cycles_experiment", ("previous_version_id",)),
    ("stewardship_attendance", ("occurrence_id", "participant_id")),
    ("stewardship_calendarfeed", ("token_hash",)),
    ("stewardship_charter", ("cycle_id",)),
    ("stewardship_chartersignature", ("charter_id", "organisation_id", "version")),
    ("stewardship_heardreceipt", ("occurrence_id", "user_id")),
    ("stewardship_notification", ("reminder_id",)),
    ("stewardship_occurrence", ("original_start", "session_id")),
    ("stewardship_occurrencequestion", ("occurrence_id", "question_id")),
    ("stewardship_placesetup", ("cycle_id",)),
    ("stewardship_reportcycle", ("cycle_id", "report_id")),
    ("stewardship_reportsection", ("key", "report_id")),
    ("stewardship_session", ("uid",)),
    ("stewardship_sessioncycle", ("cycle_id", "session_id")),
    ("stewardship_sessionoutput", ("entry_id",)),
    ("stewardship_sessionoutput", ("experiment_id",)),
    ("stewardship_sessionparticipant", ("email", "session_id")),
    ("stewardship_sessionparticipant", ("session_id", "user_id")),
    ("systems_personidentity", ("person_id",)),
    ("systems_systemmember", ("system_id", "user_id")),
    ("systems_systemorganisation", ("organisation_id", "system_id")),
    ("tenancy_invitation", ("public_id",)),
}


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_every_tenant_table_carries_its_workspace_never_empty_and_indexed_first() -> None:
    nullable = _rows(
        "SELECT table_name, is_nullable FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_name = 'workspace_id' "
        "AND table_name = ANY(%s)",
        [TENANT_TABLES],
    )
    assert sorted(t for t, _n in nullable) == TENANT_TABLES
    assert [t for t, n in nullable if n != "NO"] == []
    led_by_workspace = {
        table
        for (table,) in _rows(
            "SELECT t.relname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] "
            "WHERE a.attname = 'workspace_id' AND t.relname = ANY(%s)",
            [TENANT_TABLES],
        )
    }
    assert sorted(set(TENANT_TABLES) - led_by_workspace) == []


def test_no_new_unique_key_spans_workspaces() -> None:
    keys = _rows(
        "SELECT t.relname, array_agg(a.attname ORDER BY a.attname) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indisunique AND NOT i.indisprimary AND t.relname = ANY(%s) "
        "GROUP BY i.indexrelid, t.relname",
        [TENANT_TABLES],
    )
    without = {(table, tuple(columns)) for table, columns in keys if "workspace_id" not in columns}
    new = without - WITHOUT_WORKSPACE
    assert not new, f"add the workspace to these unique keys (docs/scaling.md): {sorted(new)}"
    gone = WITHOUT_WORKSPACE - without
    assert not gone, f"these now include the workspace: take them off the list: {sorted(gone)}"
