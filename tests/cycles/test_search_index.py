"""Search keeps its indexes under row-level security (issue 14; docs/architecture.md, Tenancy):
entries' candidates come from `cycles_entry_ids_matching`, which reads the GIN index and only
ids of the current workspace; experiments match a stored vector with its own GIN index. What
search finds is unchanged (tests/cycles/test_views.py, the trust matrix)."""

import pytest
from django.conf import settings
from django.db import connection

from cycles import selectors
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.factories import CycleFactory, EntryFactory, ExperimentFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def _index_scans(index: str) -> int:
    """Index scans of `index` in this transaction (the test's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_get_xact_numscans(%s::regclass)", [index])
        return int(cursor.fetchone()[0])


def _no_seqscan() -> None:
    """As on a big table: the planner takes an index wherever it may use one."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")


def _plan(sql: str, params: list[object]) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_under_rls_the_match_alone_cannot_use_the_index(cast):
    """Why the function exists: as the application role, `@@` is not leakproof, so the planner
    applies the workspace policy first and never reads the search index for it."""
    with tenant_scope(workspace_id=cast.workspace.pk):
        _no_seqscan()
        plan = _plan(
            "SELECT id FROM cycles_entry WHERE search @@ websearch_to_tsquery('english', %s)",
            ["kingfisher"],
        )
    assert "cycles_entry_search" not in plan


def test_entry_search_reads_the_index_and_finds_the_same(cast):
    with tenant_scope(workspace_id=cast.workspace.pk):
        seen = EntryFactory(
            workspace=cast.workspace,
            cycle=cast.cycle,
            author=cast.author.user,
            text="A kingfisher by the canal",
        )
        EntryFactory(
            workspace=cast.workspace,
            cycle=cast.cycle,
            author=cast.team.user,
            text="Another kingfisher, kept private",
            visibility=ShareLevel.PRIVATE,
        )
        EntryFactory(workspace=cast.workspace, cycle=cast.cycle, text="Nothing of the sort")
        _no_seqscan()
        before = _index_scans("cycles_entry_search")
        found = selectors.search(workspace=cast.workspace, user=cast.author.user, q="kingfishers")
        assert _index_scans("cycles_entry_search") > before
    assert [entry.pk for entry in found.entries] == [seen.pk]  # the visibility rule still holds


def test_the_candidates_are_the_current_workspace_only(cast):
    other = WorkspaceFactory(slug="elsewhere")
    with tenant_scope(workspace_id=other.pk):
        theirs = EntryFactory(
            workspace=other, cycle=CycleFactory(workspace=other), text="A kingfisher there"
        )
    with tenant_scope(workspace_id=cast.workspace.pk):
        ours = EntryFactory(workspace=cast.workspace, cycle=cast.cycle, text="A kingfisher here")
    candidates = "SELECT * FROM cycles_entry_ids_matching(websearch_to_tsquery('english', %s))"
    with tenant_scope(workspace_id=cast.workspace.pk), connection.cursor() as cursor:
        cursor.execute(candidates, ["kingfisher"])
        assert [row[0] for row in cursor.fetchall()] == [ours.pk]
    with tenant_scope(workspace_id=other.pk), connection.cursor() as cursor:
        cursor.execute(candidates, ["kingfisher"])
        assert [row[0] for row in cursor.fetchall()] == [theirs.pk]
    with connection.cursor() as cursor:  # no workspace set: nothing, as under the policy
        cursor.execute(candidates, ["kingfisher"])
        assert cursor.fetchall() == []


@pytest.mark.parametrize("table", ["cycles_entry", "cycles_experiment"])
def test_the_candidates_role_reads_no_content(table):
    """The functions' owner may read ids and vectors only, and nobody may act as it."""
    content = {"cycles_entry": "text", "cycles_experiment": "learnt"}[table]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolbypassrls,"
            " has_column_privilege(r.oid, %s, %s, 'SELECT'),"
            " has_column_privilege(r.oid, %s, 'search', 'SELECT'),"
            " has_table_privilege(r.oid, %s, 'INSERT, UPDATE, DELETE'),"
            " pg_has_role(current_user, r.oid, 'MEMBER'), p.prosecdef"
            " FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner"
            " WHERE p.proname = %s",
            [table, content, table, table, f"{table}_ids_matching"],
        )
        row = cursor.fetchone()
    assert row[0] == f"{settings.DATABASE_APP_ROLE}_search"
    assert row[1:] == (False, False, False, False, True, False, False, True)


def test_experiment_search_reads_its_stored_vector(cast):
    with tenant_scope(workspace_id=cast.workspace.pk):
        found = ExperimentFactory(
            workspace=cast.workspace,
            cycle=cast.cycle,
            title="Allotment mornings",
            what_we_will_try="Meet at the gate",
            learnt="Kingfishers come at dawn",
        )
        ExperimentFactory(workspace=cast.workspace, cycle=cast.cycle, title="Letters")
        _no_seqscan()
        before = _index_scans("cycles_experiment_search")
        results = selectors.search(workspace=cast.workspace, user=cast.author.user, q="kingfisher")
        assert _index_scans("cycles_experiment_search") > before
    assert [experiment.pk for experiment in results.experiments] == [found.pk]
    assert "<mark>" in results.experiments[0].headline


def test_the_candidates_are_the_newest_first_and_bounded(cast):
    """A common word matches a large part of a workspace: the function gives its newest
    matches first, at most `newest` of them (all when it is not given)."""
    with tenant_scope(workspace_id=cast.workspace.pk):
        ids = [
            EntryFactory(workspace=cast.workspace, cycle=cast.cycle, text=f"Kingfisher {n}").pk
            for n in range(3)
        ]
        EntryFactory(workspace=cast.workspace, cycle=cast.cycle, text="Nothing of the sort")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM cycles_entry_ids_matching(websearch_to_tsquery('english', %s), 2)",
                ["kingfisher"],
            )
            assert [row[0] for row in cursor.fetchall()] == sorted(ids, reverse=True)[:2]
            cursor.execute(
                "SELECT * FROM cycles_entry_ids_matching(websearch_to_tsquery('english', %s))",
                ["kingfisher"],
            )
            assert sorted(row[0] for row in cursor.fetchall()) == sorted(ids)


def test_search_ranks_the_newest_matches_only(cast, monkeypatch):
    """Search ranks the newest SEARCH_CANDIDATES matches, never all of a common word's: an
    older entry, however well it ranks, gives way to newer ones; each shown passes the rule."""
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 2)
    with tenant_scope(workspace_id=cast.workspace.pk):
        older, *newer = (
            EntryFactory(
                workspace=cast.workspace, cycle=cast.cycle, author=cast.author.user, text=text
            )
            for text in ("Kingfisher, kingfisher", "A kingfisher and more", "One kingfisher")
        )
        for n in range(3):
            ExperimentFactory(workspace=cast.workspace, cycle=cast.cycle, title=f"Kingfisher {n}")
        found = selectors.search(workspace=cast.workspace, user=cast.author.user, q="kingfisher")
    assert {entry.pk for entry in found.entries} == {entry.pk for entry in newer}
    assert older.pk not in {entry.pk for entry in found.entries}
    assert len(found.experiments) == 2
    assert all("<mark>" in entry.headline for entry in found.entries)
