"""Probes for the load balancer and the orchestrator."""

from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.test import Client

from hls.celery import app
from hls.health import ready_response
from hls.outage import reset_all

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_away(settings) -> Iterator[None]:
    """Both the cache and the broker point at a port where nothing listens."""
    settings.CACHES = {"default": {**django_settings.CACHES["default"], "LOCATION": UNREACHABLE}}
    saved = app.conf.broker_url
    app.conf.broker_url = UNREACHABLE
    try:
        yield
    finally:
        app.conf.broker_url = saved
        reset_all()


@pytest.mark.parametrize("host", ["testserver", "10.0.0.7:8000", "unknown.example"])
def test_healthz_answers_ok_for_any_host(client: Client, host: str) -> None:
    response = client.get("/healthz", HTTP_HOST=host)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_other_paths_still_check_the_host(client: Client, db) -> None:
    assert client.get("/accounts/login/", HTTP_HOST="unknown.example").status_code == 400


def test_readyz_reports_database_cache_and_broker_ready(client: Client, db) -> None:
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "down": [],
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def test_readyz_stays_in_rotation_but_names_redis_when_it_is_away(
    client: Client, db, redis_away
) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200  # pages still work: keep the process in rotation
    body = response.json()
    assert body["status"] == "degraded"
    assert body["down"] == ["broker", "cache"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("error: ")
    assert body["checks"]["broker"].startswith("error: ")


def test_strict_readyz_is_503_when_any_part_is_away(client: Client, db, redis_away) -> None:
    response = client.get("/readyz?strict=1")

    assert response.status_code == 503
    assert response.json()["status"] == "degraded"


def test_readyz_is_503_when_the_database_is_not_ready() -> None:
    checks = {"database": "migrations pending", "cache": "ok", "broker": "ok"}

    response = ready_response(checks, strict=False)

    assert response.status_code == 503
    assert b'"status": "not ready"' in response.content
