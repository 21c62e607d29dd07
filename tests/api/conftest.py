"""Fixtures for the partner API: keys made through the service, clients that send them."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from hls.api.scopes import ALL_SCOPES
from hls.api.services import api_key_create
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership
from tests.api.conformance import check


@pytest.fixture(autouse=True)
def _every_api_response_conforms_to_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every answer an API test receives through APIClient is checked against the committed
    schema (status documented, content type, body): the API's own tests become conformance
    tests too, with the objects and states each of them builds."""
    original = APIClient.request

    def request(self: APIClient, **kwargs: Any) -> Any:
        response = original(self, **kwargs)
        check(response)
        return response

    monkeypatch.setattr(APIClient, "request", request)


@pytest.fixture
def make_key(db: None) -> Callable[..., str]:
    """A raw key for an admin membership, with the given scopes (all by default)."""

    def make(membership: Membership, scopes: list[str] | None = None, **kwargs: Any) -> str:
        with tenant_scope(workspace_id=membership.workspace_id):
            _key, raw = api_key_create(
                workspace=membership.workspace,
                created_by=membership.user,
                name=kwargs.pop("name", "Partner"),
                scopes=ALL_SCOPES if scopes is None else scopes,
                **kwargs,
            )
        return raw

    return make


def client_for(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api(admin: Membership, make_key: Callable[..., str]) -> APIClient:
    """A client with an all-scopes key of Riverside's admin."""
    return client_for(make_key(admin))


@pytest.fixture
def outsider_api(outsider: Membership, make_key: Callable[..., str]) -> APIClient:
    """A client with an all-scopes key of another workspace's admin."""
    return client_for(make_key(outsider))
