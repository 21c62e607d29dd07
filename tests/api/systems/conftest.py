"""Fixtures for the systems and people API: a workspace with scales, a system with a map, a
person-scale system whose team holds the admin (whose key the `api` client sends)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Workspace
from systems.models import Person, Scale, System
from tests.api.conftest import client_for
from tests.factories import PersonFactory, ScaleFactory, SystemFactory, SystemMemberFactory

API = "/api/v1"


@pytest.fixture
def scale(workspace: Workspace) -> Scale:
    with tenant_scope(workspace_id=workspace.pk):
        return ScaleFactory(workspace=workspace, name="Team", position=1)


@pytest.fixture
def person_scale(workspace: Workspace) -> Scale:
    with tenant_scope(workspace_id=workspace.pk):
        return ScaleFactory(
            workspace=workspace, name="A person's life", position=0, is_person_scale=True
        )


@pytest.fixture
def system(workspace: Workspace, scale: Scale) -> System:
    with tenant_scope(workspace_id=workspace.pk):
        return SystemFactory(workspace=workspace, scale=scale, name="Riverside hub")


@pytest.fixture
def person_system(workspace: Workspace, person_scale: Scale, admin: Membership) -> System:
    """Mo's own life, with the admin in its team: the admin works with Mo."""
    with tenant_scope(workspace_id=workspace.pk):
        system = SystemFactory(workspace=workspace, scale=person_scale, name="Mo's life")
        SystemMemberFactory(workspace=workspace, system=system, user=admin.user)
        return system


@pytest.fixture
def person(workspace: Workspace, person_system: System, member: Membership) -> Person:
    with tenant_scope(workspace_id=workspace.pk):
        return PersonFactory(
            workspace=workspace,
            reference="P-MOMO",
            alias="Mo",
            system=person_system,
            created_by=member.user,
        )


@pytest.fixture
def scoped_client(
    admin: Membership, make_key: Callable[..., str]
) -> Callable[[list[str]], APIClient]:
    """A client whose admin key has only the given scopes."""

    def make(scopes: list[str]) -> APIClient:
        return client_for(make_key(admin, scopes=scopes))

    return make


def set_role(membership: Membership, role: str) -> None:
    with tenant_scope(workspace_id=membership.workspace_id):
        Membership.objects.filter(pk=membership.pk).update(role=role)


def in_workspace(workspace: Workspace, make: Callable[[], Any]) -> Any:
    with tenant_scope(workspace_id=workspace.pk):
        return make()


def patch(client: APIClient, url: str, body: dict[str, Any]) -> Any:
    """PATCH with the ETag just read, as a careful client does."""
    etag = client.get(url)["ETag"]
    return client.patch(url, body, format="json", HTTP_IF_MATCH=etag)


def delete(client: APIClient, url: str) -> Any:
    etag = client.get(url)["ETag"]
    return client.delete(url, HTTP_IF_MATCH=etag)


def list_queries(client: APIClient, url: str) -> int:
    """How many queries one list request makes (after a warm-up request)."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def problem_fields(response: Any) -> set[str]:
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    return set(response.json().get("errors", {}))
