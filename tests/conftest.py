"""Shared fixtures: a workspace with a member of each role, and an outsider in another one.

Every write a test client sends that is refused (a 4xx answer) is checked to have changed
nothing in any tenant table (`refusals_change_nothing` below), so no refusal is checked by its
status alone.

The test database is created and migrated as the owner in DATABASE_URL; tests then run as the
application role, so row-level security applies to them exactly as it does in production.
"""

import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.test.client import Client as DjangoClient

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from hls.tenancy.rls import owner_mode
from tests.factories import (
    CycleFactory,
    MembershipFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
    UserFactory,
    WorkspaceFactory,
)
from tests.processes import RedisServer
from tests.tenant_snapshot import tenant_snapshot

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "refusal_writes(reason): a refused request in this test writes on purpose (say why), "
        "so the check that refusals change nothing is off for it",
    )


@pytest.fixture(autouse=True)
def refusals_change_nothing(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test client's write that is refused (any 4xx) leaves every tenant table as it was
    (tests/tenant_snapshot.py). Tests without the database, and those marked
    `refusal_writes`, are left alone."""
    uses_db = {"db", "transactional_db", "django_db_reset_sequences"} & set(
        request.fixturenames
    ) or request.node.get_closest_marker("django_db")
    if not uses_db or request.node.get_closest_marker("refusal_writes"):
        return
    send = DjangoClient.request

    def checked(self: DjangoClient, **environ: Any) -> Any:
        if environ.get("REQUEST_METHOD") not in WRITES:
            return send(self, **environ)
        before = tenant_snapshot()
        response = send(self, **environ)
        if 400 <= response.status_code < 500:
            after = tenant_snapshot()
            changed = sorted(table for table in after if after[table] != before.get(table))
            assert not changed, (
                f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO')} was refused "
                f"({response.status_code}) but changed {changed}"
            )
        return response

    monkeypatch.setattr(DjangoClient, "request", checked)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Create and migrate the test database as the owner (see django_db_setup below)."""
    connections["default"].settings_dict["OPTIONS"].pop("assume_role", None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    from django.conf import settings

    options = connections["default"].settings_dict["OPTIONS"]
    options["assume_role"] = settings.DATABASE_APP_ROLE
    with django_db_blocker.unblock():
        connections["default"].close()
    yield
    with django_db_blocker.unblock(), owner_mode():
        pass  # the test database is dropped as the owner after this
    options.pop("assume_role", None)


@pytest.fixture
def make_member(db: None) -> Callable[..., Membership]:
    def make(workspace: Workspace, role: str = Role.PRACTITIONER, **user: Any) -> Membership:
        with tenant_scope(workspace_id=workspace.pk):
            membership: Membership = MembershipFactory(
                workspace=workspace, role=role, user=UserFactory(**user)
            )
        return membership

    return make


@pytest.fixture
def workspace(db: None) -> Workspace:
    return WorkspaceFactory(name="Riverside Partnership", slug="riverside")


@pytest.fixture
def other_workspace(db: None) -> Workspace:
    return WorkspaceFactory(name="Hilltop Council", slug="hilltop")


@pytest.fixture
def admin(workspace: Workspace, make_member: Callable[..., Membership]) -> Membership:
    return make_member(workspace, Role.ADMIN, email="admin@riverside.test", full_name="Ada Admin")


@pytest.fixture
def member(workspace: Workspace, make_member: Callable[..., Membership]) -> Membership:
    return make_member(
        workspace, Role.PRACTITIONER, email="pat@riverside.test", full_name="Pat Practitioner"
    )


@pytest.fixture
def outsider(other_workspace: Workspace, make_member: Callable[..., Membership]) -> Membership:
    return make_member(other_workspace, Role.ADMIN, email="olly@hilltop.test", full_name="Olly")


def signed_in(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def admin_client(admin: Membership) -> Client:
    return signed_in(admin)


@pytest.fixture
def member_client(member: Membership) -> Client:
    return signed_in(member)


@pytest.fixture
def outsider_client(outsider: Membership) -> Client:
    return signed_in(outsider)


@pytest.fixture
def cast(workspace: Workspace, admin: Membership, make_member: Callable[..., Membership]) -> Any:
    """The shared cast a test starts from: Riverside's Open Door organisation with the North
    team below it and a cycle in each; Ada the admin; a team-mate belongs to the team's system,
    a manager to the organisation's, and an author (a practitioner) has no tie yet. An area's
    own `world` adds what only it needs to this cast (who takes part in which cycle, say)
    rather than building another."""
    author = make_member(workspace, Role.PRACTITIONER, email="author@riverside.test")
    team = make_member(workspace, Role.PRACTITIONER, email="team@riverside.test")
    manager = make_member(workspace, Role.MANAGER, email="manager@riverside.test")
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace)
        organisation = SystemFactory(workspace=workspace, name="Open Door", scale=scale)
        team_system = SystemFactory(
            workspace=workspace, name="North team", parent=organisation, scale=scale
        )
        upper = CycleFactory(workspace=workspace, system=organisation, name="Open Door cycle")
        cycle = CycleFactory(workspace=workspace, system=team_system, name="North team cycle")
        SystemMemberFactory(workspace=workspace, system=team_system, user=team.user)
        SystemMemberFactory(workspace=workspace, system=organisation, user=manager.user)
    return SimpleNamespace(
        workspace=workspace,
        admin=admin,
        author=author,
        team=team,
        manager=manager,
        scale=scale,
        organisation=organisation,
        system=team_system,
        upper=upper,
        cycle=cycle,
    )


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own (for tests that start real processes); stopped even
    when a test froze it."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        if server.proc is not None and server.proc.poll() is None:
            server.proc.send_signal(signal.SIGCONT)
            server.proc.kill()
            server.proc.wait(10)
