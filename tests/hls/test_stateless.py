"""Statelessness (docs/scaling.md): two web processes on loopback against one PostgreSQL and
Redis serve one person as one. Signed in through one, they are served by the other; signed out
through the other, the first no longer knows them; what one counts in the cache (an API key's
rate) the other sees. (Two workers delivering one batch once each, as two beats would start
it, is `tests/stewardship_notifications/test_worker.py`.)"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from hls.api.scopes import ALL_SCOPES
from hls.api.services import api_key_create
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership
from tests.factories import PASSWORD
from tests.processes import live_database_url, start_web, stop

pytestmark = pytest.mark.live


@pytest.fixture
def two_webs(transactional_db: None, tmp_path: Path) -> Iterator[tuple[str, str]]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hls.settings_test",
        "DATABASE_URL": live_database_url(),
        "CONN_MAX_AGE": "0",
        "API_RATE": "5/min",
        "PYTEST_XDIST_WORKER": f"stateless-{uuid.uuid4().hex[:8]}",  # the cache's key prefix
    }
    one, first = start_web(env, tmp_path / "one.log")
    try:
        two, second = start_web(env, tmp_path / "two.log")
        try:
            yield first, second
        finally:
            stop(two)
    finally:
        stop(one)


def _sign_in(http: requests.Session, base: str, email: str) -> None:
    http.get(f"{base}/accounts/login/", timeout=60)
    answer = http.post(
        f"{base}/accounts/login/",
        data={"username": email, "password": PASSWORD},
        headers={"X-CSRFToken": http.cookies["csrftoken"], "Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, answer.text[:500]


def test_one_person_is_served_as_one_by_two_web_processes(
    two_webs: tuple[str, str], admin: Membership
) -> None:
    first, second = two_webs
    http = requests.Session()
    _sign_in(http, first, admin.user.email)

    today = http.get(f"{second}/w/riverside/", allow_redirects=False, timeout=60)
    assert today.status_code == 200
    assert "Today, Ada Admin" in today.text

    out = http.post(
        f"{second}/accounts/logout/",
        headers={"X-CSRFToken": http.cookies["csrftoken"], "Referer": f"{second}/"},
        allow_redirects=False,
        timeout=60,
    )
    assert out.status_code == 302
    again = http.get(f"{first}/w/riverside/", allow_redirects=False, timeout=60)
    assert again.status_code == 302
    assert "/accounts/login/" in again.headers["Location"]


def test_an_api_keys_rate_is_counted_once_across_both(
    two_webs: tuple[str, str], admin: Membership
) -> None:
    with tenant_scope(workspace_id=admin.workspace_id):
        _key, raw = api_key_create(
            workspace=admin.workspace, created_by=admin.user, name="Partner", scopes=ALL_SCOPES
        )
    headers = {"Authorization": f"Bearer {raw}"}
    answers = [
        requests.get(f"{base}/api/v1/cycles/", headers=headers, timeout=60).status_code
        for base in (*two_webs, *two_webs, *two_webs)
    ]
    assert answers == [200] * 5 + [429]  # 5 a minute, wherever they were counted
