"""Backups restore (docs/operations.md, "Backups and restore"): the procedure the docs give, run
for real with the server's own pg_dump and pg_restore. A database holding every kind of data
(two workspaces with one of everything each) is dumped (`pg_dump -Fc`, as the owner),
restored into an empty database on the same server (`pg_restore --exit-on-error
--single-transaction`, ownership and grants kept), and compared: every table's rows (count and
checksum) and sequences; row-level security enabled and forced with the same policies on every
tenant table; the same functions with the same owners and SECURITY DEFINER; the same grants.
Connected to the restored database as the application role, a workspace sees its own rows and
no other's, and nothing at all without a workspace; an identity decrypts with the keys, which
the dump does not hold (without them it does not decrypt)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import connection
from psycopg import sql

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role, WorkspaceOwned
from systems.models import ShareLevel
from systems.people import crypto
from systems.people.services import identity_set
from tests.dataio.conftest import make_world
from tests.dataio.everything import make_everything
from tests.factories import (
    ApiKeyFactory,
    AuditEventFactory,
    CalendarFeedFactory,
    EntryDraftFactory,
    EntryFactory,
    ExportRunFactory,
    HeardReceiptFactory,
    IdempotencyRecordFactory,
    ImportRunFactory,
    InvitationFactory,
    NotificationFactory,
    NotificationPreferenceFactory,
    ReminderFactory,
    ReportExportFactory,
    RetentionRunFactory,
    SystemMemberFactory,
    TombstoneFactory,
    WebhookDeliveryFactory,
)

pytestmark = pytest.mark.live

IDENTITY_NAME = "Maria Okonkwo-Lane"


def _server() -> dict[str, Any]:
    db = connection.settings_dict
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": str(db["PORT"] or 5432),
        "user": db["USER"] or "postgres",
        "password": db["PASSWORD"] or "",
    }


def _connect(dbname: str, **options: Any) -> psycopg.Connection[Any]:
    s = _server()
    return psycopg.connect(
        host=s["host"], port=s["port"], user=s["user"], password=s["password"] or None,
        dbname=dbname, **options,
    )  # fmt: skip


def _major(version_text: str) -> int | None:
    found = re.search(r"\(PostgreSQL\) (\d+)", version_text)
    return int(found.group(1)) if found else None


def pg_bin(server_major: int) -> Path:
    """The directory of a pg_dump and pg_restore of the server's major version: the machine's
    PostgreSQL (/usr/lib/postgresql/<major>/bin), the embedded server's (the pgserver package),
    or those on the PATH."""
    candidates = [Path(f"/usr/lib/postgresql/{server_major}/bin")]
    try:
        import pgserver

        candidates.append(Path(pgserver.__file__).parent / "pginstall" / "bin")
    except ImportError:  # pragma: no cover - pgserver is a dev dependency
        pass
    if on_path := shutil.which("pg_dump"):
        candidates.append(Path(on_path).parent)
    for directory in candidates:
        dump, restore = directory / "pg_dump", directory / "pg_restore"
        if dump.exists() and restore.exists():
            out = subprocess.run([dump, "--version"], capture_output=True, text=True, check=True)
            if _major(out.stdout) == server_major:
                return directory
    pytest.fail(f"no pg_dump/pg_restore of PostgreSQL {server_major} among {candidates}")


def _run(argv: list[str | Path]) -> subprocess.CompletedProcess[str]:
    s = _server()
    env = {**os.environ, "PGPASSWORD": s["password"]} if s["password"] else dict(os.environ)
    done = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done


def _tenant_tables() -> list[str]:
    return sorted(m._meta.db_table for m in apps.get_models() if issubclass(m, WorkspaceOwned))


def _world_of_everything(workspace, admin, member, make_member) -> Any:
    world = make_world(workspace, admin, member)
    with tenant_scope(workspace_id=workspace.pk):
        for system in (world.team_system, world.life_system):
            SystemMemberFactory(workspace=workspace, system=system, user=admin.user)
    world.made = make_everything(world, make_member)
    with tenant_scope(workspace_id=workspace.pk):  # counted in patterns' roll-up
        EntryFactory(
            workspace=workspace, cycle=world.made.cycle, author=admin.user,
            visibility=ShareLevel.SHARED_UPWARD,
        )  # fmt: skip
    return world


@pytest.fixture
def every_kind(
    transactional_db: None, workspace, other_workspace, admin, member, make_member
) -> Any:
    """Two workspaces with one of every kind of data each (exported or not), an identity among
    them: the first is checked, the second is the other workspace it must never see."""
    world = _world_of_everything(workspace, admin, member, make_member)
    _world_of_everything(
        other_workspace,
        make_member(other_workspace, Role.ADMIN),
        make_member(other_workspace),
        make_member,
    )
    ws, user, made = workspace, admin.user, world.made
    with tenant_scope(workspace_id=ws.pk):
        world.person = made.story.person
        identity_set(
            workspace=ws, person=world.person, actor=user, name=IDENTITY_NAME,
            date_of_birth=None, contact="",
        )  # fmt: skip
        for factory in (
            EntryDraftFactory, NotificationFactory, NotificationPreferenceFactory,
            CalendarFeedFactory, InvitationFactory, IdempotencyRecordFactory, TombstoneFactory,
            RetentionRunFactory, ImportRunFactory, ExportRunFactory, WebhookDeliveryFactory,
        ):  # fmt: skip
            factory(workspace=ws)
        ReminderFactory(workspace=ws, session=made.session)
        HeardReceiptFactory(workspace=ws, occurrence=made.occurrence, user=user)
        ReportExportFactory(workspace=ws)
        ApiKeyFactory(workspace=ws, created_by=user)
        AuditEventFactory(workspace=ws, actor=user)
    return world


@pytest.fixture
def restored(every_kind: Any, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """Dump the test database and restore it into a new one: (original, restored, dump)."""
    original = connection.settings_dict["NAME"]
    copy = f"{original}_restored_{uuid.uuid4().hex[:8]}"
    with _connect(original) as conn:
        major = conn.info.server_version // 10000
        row = conn.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert row is not None
    assert row[0], "the dump is taken by a superuser or a role with BYPASSRLS (docs/operations.md)"
    tools = pg_bin(major)
    s = _server()
    where = ["-h", s["host"], "-p", s["port"], "-U", s["user"]]
    dump = tmp_path / "hls.dump"
    _run([tools / "pg_dump", *where, "-Fc", "-f", dump, "-d", original])
    with _connect(original, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(copy)))
    try:
        _run([
            tools / "pg_restore", *where, "--exit-on-error", "--single-transaction",
            "-d", copy, dump,
        ])  # fmt: skip
        yield original, copy, dump
    finally:
        with _connect(original, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy))
            )


def _tables(conn: psycopg.Connection[Any]) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1"
        )
    ]


def _rows(conn: psycopg.Connection[Any]) -> dict[str, tuple[int, str]]:
    """Every table: its row count and a checksum of every row's every column."""
    found = {}
    for table in _tables(conn):
        query = sql.SQL(
            "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
            " FROM {} t"
        ).format(sql.Identifier(table))
        row = conn.execute(query).fetchone()
        assert row is not None
        found[table] = (row[0], row[1])
    return found


CATALOGUE = {
    "security": "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
    " AND c.relkind IN ('r', 'p') ORDER BY 1",
    "policies": "SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check"
    " FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2",
    "functions": "SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prosecdef,"
    " pg_get_userbyid(p.proowner), md5(pg_get_functiondef(p.oid)), p.proacl::text,"
    " p.proconfig::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
    " WHERE n.nspname = 'public' AND p.prokind = 'f' ORDER BY 1, 2",
    "table_grants": "SELECT grantee, table_name, privilege_type FROM"
    " information_schema.role_table_grants WHERE table_schema = 'public' ORDER BY 1, 2, 3",
    "column_grants": "SELECT grantee, table_name, column_name, privilege_type FROM"
    " information_schema.column_privileges WHERE table_schema = 'public' ORDER BY 1, 2, 3, 4",
    "owners": "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace"
    " n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1",
    "sequences": "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
    " ORDER BY 1",
    "triggers": "SELECT tgrelid::regclass::text, tgname, md5(pg_get_triggerdef(oid)) FROM"
    " pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2",
}


def _catalogue(conn: psycopg.Connection[Any]) -> dict[str, list[tuple[Any, ...]]]:
    return {name: conn.execute(query).fetchall() for name, query in CATALOGUE.items()}


def test_a_dump_restores_into_an_empty_database_whole_and_still_isolated(
    restored: tuple[str, str, Path], every_kind: Any
) -> None:
    original, copy, dump = restored
    with _connect(original) as before_conn, _connect(copy) as after_conn:
        before, after = _rows(before_conn), _rows(after_conn)
        assert after == before
        empty = [t for t in _tenant_tables() if before[t][0] == 0]
        assert empty == []  # every kind of tenant data was there to dump
        catalogue_before, catalogue_after = _catalogue(before_conn), _catalogue(after_conn)
    for name in CATALOGUE:
        assert catalogue_after[name] == catalogue_before[name], name
    security = {table: (on, forced) for table, on, forced in catalogue_after["security"]}
    assert {t: security[t] for t in _tenant_tables()} == dict.fromkeys(
        _tenant_tables(), (True, True)
    )
    with_policy = {row[0] for row in catalogue_after["policies"]}
    assert set(_tenant_tables()) <= with_policy
    # The roles the dump names are those the docs say to create before restoring.
    listing = _run([pg_bin(_server_major(copy)) / "pg_restore", "-f", "-", dump]).stdout
    statements = [line for line in listing.splitlines() if line.startswith(("ALTER ", "GRANT "))]
    named = {role for line in statements for role in re.findall(r"\bTO (\w+);", line)}
    named -= {"PUBLIC"}
    app = settings.DATABASE_APP_ROLE
    assert named <= {_server()["user"], app, f"{app}_search", f"{app}_crossing"}, named
    assert settings.IDENTITY_KEYS[0] not in listing  # the keys are kept apart

    _check_isolation(copy, every_kind, before)
    _check_identity(copy, every_kind)


def _server_major(dbname: str) -> int:
    with _connect(dbname) as conn:
        return conn.info.server_version // 10000


def _check_isolation(copy: str, world: Any, before: dict[str, tuple[int, str]]) -> None:
    """As the application role in the restored database: one workspace's rows, never another's;
    with no workspace set, no tenant rows at all."""
    ws = world.workspace.pk
    with _connect(copy, autocommit=True) as conn:  # each block below its own transaction
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(settings.DATABASE_APP_ROLE)))
        for table in _tenant_tables():
            with conn.transaction():
                conn.execute("SELECT set_config('app.workspace_id', %s, true)", [str(ws)])
                query = sql.SQL(
                    "SELECT count(*), count(*) FILTER (WHERE workspace_id <> %s) FROM {}"
                ).format(sql.Identifier(table))
                row = conn.execute(query, [ws]).fetchone()
                assert row is not None
                seen, foreign = row
                assert foreign == 0, table
                assert seen > 0, table
            with conn.transaction():
                query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
                row = conn.execute(query).fetchone()
                assert row is not None
                assert row[0] == 0, table
    with _connect(copy) as conn:  # as the owner: the other workspaces' rows are all there
        total = conn.execute("SELECT count(DISTINCT workspace_id) FROM cycles_cycle").fetchone()
        assert total is not None
        assert total[0] == 2


def _check_identity(copy: str, world: Any) -> None:
    with _connect(copy, autocommit=True) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(settings.DATABASE_APP_ROLE)))
        with conn.transaction():
            conn.execute(
                "SELECT set_config('app.workspace_id', %s, true)", [str(world.workspace.pk)]
            )
            row = conn.execute(
                "SELECT name FROM systems_personidentity WHERE person_id = %s", [world.person.pk]
            ).fetchone()
    assert row is not None
    stored = bytes(row[0])
    assert IDENTITY_NAME.encode() not in stored  # encrypted at rest, in the backup too
    assert crypto.decrypt(stored) == IDENTITY_NAME
    with pytest.raises(InvalidToken):  # without the keys a restored backup names nobody
        MultiFernet([Fernet(Fernet.generate_key())]).decrypt(stored)
