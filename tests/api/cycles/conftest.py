"""A small world for the cycles API: an organisation system with a team system below it, a
cycle in each, the admin (whose key the `api` fixture holds) taking part in both, and other
members in each relation to the team cycle."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
)


@pytest.fixture
def world(workspace, admin, make_member) -> SimpleNamespace:
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
        SystemMemberFactory(workspace=workspace, system=team_system, user=author.user)
        SystemMemberFactory(workspace=workspace, system=team_system, user=team.user)
        SystemMemberFactory(workspace=workspace, system=organisation, user=manager.user)
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=admin.user)
        CycleMemberFactory(workspace=workspace, cycle=upper, user=admin.user)
    return SimpleNamespace(
        workspace=workspace,
        admin=admin,
        author=author,
        team=team,
        manager=manager,
        organisation=organisation,
        system=team_system,
        upper=upper,
        cycle=cycle,
    )


@pytest.fixture
def in_ws(workspace) -> Callable[[], Any]:
    """`with in_ws():` — make objects inside the workspace's tenant scope."""
    return lambda: tenant_scope(workspace_id=workspace.pk)


@contextmanager
def count_queries() -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as ctx:
        yield ctx


def key_for(make_key: Callable[..., str], membership: Membership, scopes: Any = None) -> str:
    return make_key(membership, scopes)


def session_for(membership: Membership) -> Any:
    """A signed-in browser session on the API (any role: keys belong to admins only)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(membership.user)
    client.credentials(HTTP_X_WORKSPACE=membership.workspace.slug)
    return client
