"""Probes for the load balancer and the orchestrator."""

import pytest
from django.test import Client


@pytest.mark.parametrize("host", ["testserver", "10.0.0.7:8000", "unknown.example"])
def test_healthz_answers_ok_for_any_host(client: Client, host: str) -> None:
    response = client.get("/healthz", HTTP_HOST=host)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_other_paths_still_check_the_host(client: Client, db) -> None:
    assert client.get("/accounts/login/", HTTP_HOST="unknown.example").status_code == 400


def test_readyz_reports_database_and_redis_ready(client: Client, db) -> None:
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}


def test_readyz_is_503_when_redis_is_unreachable(client: Client, db, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error: ")
