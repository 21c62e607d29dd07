"""PostgreSQL away: a clean 503 with Retry-After, never a 500 (docs/operations.md).

Here the database's errors are raised where a request first needs it (the workspace's
membership, the API key); tests/hls/test_database_restart.py restarts a real server under load.
"""

import logging
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.utils import InterfaceError, OperationalError
from django.test import Client

from hls import outage
from hls.api.problems import CONTENT_TYPE
from hls.api.scopes import ALL_SCOPES
from hls.api.services import api_key_create
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership
from tests.conftest import signed_in

AWAY = [
    OperationalError("server closed the connection unexpectedly"),
    InterfaceError("connection already closed"),
    psycopg.OperationalError("connection failed: Connection refused"),
]


@pytest.fixture(autouse=True)
def _forget_outages() -> Iterator[None]:
    outage.database.reset()
    yield
    outage.database.reset()


def _away(monkeypatch: pytest.MonkeyPatch, target: str, error: BaseException) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(target, fail)


def _page_client(admin: Membership) -> Client:
    client = signed_in(admin)
    client.raise_request_exception = False  # answer as a real server does
    return client


@pytest.mark.parametrize("error", AWAY, ids=lambda e: type(e).__module__ + "." + type(e).__name__)
def test_a_page_answers_the_outage_page_when_the_database_is_away(
    admin: Membership, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    client = _page_client(admin)
    _away(monkeypatch, "hls.tenancy.middleware.membership_for_slug", error)

    response = client.get("/w/riverside/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(outage.DATABASE_RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Back in a moment" in page
    assert "what you typed is kept in this browser" in page
    assert "Traceback" not in page
    assert type(error).__name__ not in page
    assert "<script" not in page
    assert "style=" not in page


def test_a_save_that_finds_the_database_away_is_a_503_too(
    admin: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _page_client(admin)
    _away(monkeypatch, "hls.tenancy.middleware.membership_for_slug", AWAY[0])

    response = client.post("/w/riverside/log/", {"kind": "idea", "text": "Ask about the rent"})

    assert response.status_code == 503
    assert "save it again in a minute" in response.content.decode()


def test_the_api_answers_problem_json_with_retry_after(
    admin: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tenant_scope(workspace_id=admin.workspace_id):
        _key, raw = api_key_create(
            workspace=admin.workspace, created_by=admin.user, name="Partner", scopes=ALL_SCOPES
        )
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}")
    _away(monkeypatch, "hls.api.authentication.api_key_authenticate", AWAY[0])

    response = client.post(
        "/api/v1/entries/", {"kind": "idea"}, content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="retry-me",
    )  # fmt: skip

    assert response.status_code == 503
    assert response["Content-Type"] == CONTENT_TYPE
    assert response["Retry-After"] == str(outage.DATABASE_RETRY_AFTER_SECONDS)
    body = response.json()
    assert body["type"].endswith("/service_unavailable")
    assert (body["status"], body["title"]) == (503, "Service unavailable")
    assert "same Idempotency-Key" in body["detail"]


def test_any_other_error_is_still_a_500_with_its_traceback_logged(
    admin: Membership, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = _page_client(admin)
    _away(monkeypatch, "hls.tenancy.middleware.membership_for_slug", RuntimeError("a bug"))

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/w/riverside/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert any(record.exc_info for record in caplog.records), "a bug keeps its traceback"


def test_an_outage_is_logged_once_and_its_end_once(
    admin: Membership, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = _page_client(admin)
    with monkeypatch.context() as patch, caplog.at_level(logging.WARNING):
        _away(patch, "hls.tenancy.middleware.membership_for_slug", AWAY[0])
        for _i in range(5):
            assert client.get("/w/riverside/").status_code == 503

    said = [r.getMessage() for r in caplog.records if r.name in ("hls.outage", "django.request")]
    assert len(said) == 1, said
    assert said[0].startswith("PostgreSQL is unreachable (OperationalError")

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="hls.outage"):
        # What Django says each time it makes a new connection (the test's own stays open).
        connection_created.send(sender=type(connection), connection=connection)
    assert [r.getMessage() for r in caplog.records] == ["PostgreSQL answers again"]
    assert client.get("/w/riverside/").status_code == 200
