"""The cycles API starts from the shared cast (tests/conftest.py): an organisation system with
a team system below it, a cycle in each, the admin (whose key the `api` fixture holds) taking
part in both, and other members in each relation to the team cycle."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership
from tests.factories import CycleMemberFactory, SystemMemberFactory


@pytest.fixture
def world(cast) -> SimpleNamespace:
    """The shared cast (tests/conftest.py), with the author in the team's system and the admin
    taking part in both cycles."""
    with tenant_scope(workspace_id=cast.workspace.pk):
        SystemMemberFactory(workspace=cast.workspace, system=cast.system, user=cast.author.user)
        CycleMemberFactory(workspace=cast.workspace, cycle=cast.cycle, user=cast.admin.user)
        CycleMemberFactory(workspace=cast.workspace, cycle=cast.upper, user=cast.admin.user)
    return cast


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
