"""A form sent twice is saved once (hls/client_tokens.py): the retry after a timeout, the double
click and the concurrent retry each make one entry, on the real PostgreSQL, and, with a real
web server (gunicorn) on loopback, a browser-like client that gave up before the answer."""

import os
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection
from django.test import Client

from cycles.models import Cycle, Entry
from hls.api.models import IdempotencyRecord
from hls.client_tokens import COOKIE, REPLAYED_HEADER
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Workspace
from tests.conftest import signed_in
from tests.factories import CycleFactory
from tests.processes import live_database_url, start_web, stop, wait_for

W = "/w/riverside"


@pytest.fixture
def cycle(workspace: Workspace) -> Cycle:
    with tenant_scope(workspace_id=workspace.pk):
        made: Cycle = CycleFactory(workspace=workspace, name="Front door cycle")
    return made


def _entry(cycle: Cycle, text: str, token: str | None = None, **extra: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "cycle": cycle.pk,
        "kind": "story",
        "text": text,
        "visibility": 0,
        "next": f"{W}/cycles/",
        **extra,
    }
    if token is not None:
        data["client_token"] = token
    return data


def _texts(workspace: Workspace) -> list[str]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(Entry.objects.order_by("pk").values_list("text", flat=True))


def test_a_form_sent_twice_makes_one_entry_and_the_retry_gets_the_same_redirect(
    workspace: Workspace, member_client: Client, cycle: Cycle
) -> None:
    token = str(uuid.uuid4())
    first = member_client.post(f"{W}/log/", _entry(cycle, "She kept the keys", token))
    assert first.status_code == 302
    assert first["Location"] == f"{W}/cycles/"
    assert REPLAYED_HEADER not in first
    assert first.cookies[COOKIE].value == token  # the browser may forget its local draft

    again = member_client.post(f"{W}/log/", _entry(cycle, "She kept the keys", token))
    assert again.status_code == 303
    assert again["Location"] == f"{W}/cycles/"
    assert again[REPLAYED_HEADER] == "true"
    assert again.cookies[COOKIE].value == token
    assert _texts(workspace) == ["She kept the keys"]
    page = member_client.get(f"{W}/cycles/").content.decode()
    assert "This was already saved: it was sent twice and kept once." in page


def test_an_htmx_fragment_is_answered_again_as_it_was(
    workspace: Workspace, member_client: Client, cycle: Cycle
) -> None:
    token = str(uuid.uuid4())
    data = _entry(cycle, "Ask about *lockers*", token, inline="1")
    first = member_client.post(f"{W}/log/", data, HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    assert "<em>lockers</em>" in first.content.decode()
    again = member_client.post(f"{W}/log/", data, HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    assert again[REPLAYED_HEADER] == "true"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert COOKIE in again.cookies
    assert _texts(workspace) == ["Ask about *lockers*"]


def test_an_answer_with_errors_is_not_remembered_so_the_corrected_form_is_saved(
    workspace: Workspace, member_client: Client, cycle: Cycle
) -> None:
    token = str(uuid.uuid4())
    refused = member_client.post(f"{W}/log/", _entry(cycle, "   ", token))
    assert refused.status_code == 400
    assert COOKIE not in refused.cookies  # not saved: the browser keeps its draft
    with tenant_scope(workspace_id=workspace.pk):
        assert not IdempotencyRecord.objects.exists()
    fixed = member_client.post(f"{W}/log/", _entry(cycle, "Now with words", token))
    assert fixed.status_code == 302
    assert REPLAYED_HEADER not in fixed
    assert _texts(workspace) == ["Now with words"]


def test_a_token_is_only_replayed_to_its_own_user_in_its_own_workspace(
    workspace: Workspace,
    other_workspace: Workspace,
    member: Membership,
    admin: Membership,
    outsider: Membership,
    cycle: Cycle,
) -> None:
    token = str(uuid.uuid4())
    assert signed_in(member).post(f"{W}/log/", _entry(cycle, "Pat's", token)).status_code == 302
    # Another member sending the same token is not answered with Pat's redirect.
    theirs = signed_in(admin).post(f"{W}/log/", _entry(cycle, "Ada's", token, next=f"{W}/"))
    assert theirs.status_code == 302
    assert theirs["Location"] == f"{W}/"
    assert REPLAYED_HEADER not in theirs
    assert _texts(workspace) == ["Pat's", "Ada's"]
    # Nor is anyone in another workspace.
    with tenant_scope(workspace_id=other_workspace.pk):
        hilltop = CycleFactory(workspace=other_workspace)
    data = {**_entry(hilltop, "Olly's", token), "next": "/w/hilltop/cycles/"}
    elsewhere = signed_in(outsider).post("/w/hilltop/log/", data)
    assert elsewhere.status_code == 302
    assert REPLAYED_HEADER not in elsewhere
    assert _texts(other_workspace) == ["Olly's"]
    assert _texts(workspace) == ["Pat's", "Ada's"]


def test_forms_without_a_token_work_as_before(
    workspace: Workspace, member_client: Client, cycle: Cycle
) -> None:
    for _ in range(2):
        response = member_client.post(f"{W}/log/", _entry(cycle, "No token"))
        assert response.status_code == 302
        assert COOKIE not in response.cookies
    # A malformed token is no token at all.
    response = member_client.post(f"{W}/log/", _entry(cycle, "No token", "not-a-uuid"))
    assert response.status_code == 302
    assert _texts(workspace) == ["No token"] * 3
    with tenant_scope(workspace_id=workspace.pk):
        assert not IdempotencyRecord.objects.exists()


def test_records_older_than_the_time_to_live_are_forgotten(
    workspace: Workspace, member: Membership, member_client: Client, cycle: Cycle
) -> None:
    token = str(uuid.uuid4())
    member_client.post(f"{W}/log/", _entry(cycle, "Long ago", token))
    with tenant_scope(workspace_id=workspace.pk):
        IdempotencyRecord.objects.update(created_at="2020-01-01T00:00:00Z")
    again = member_client.post(f"{W}/log/", _entry(cycle, "Long ago", token))
    assert again.status_code == 302
    assert REPLAYED_HEADER not in again
    assert _texts(workspace) == ["Long ago", "Long ago"]


# Concurrent retries, each on its own database connection ----------------------------------


def _waiting_for_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        row = cursor.fetchone()
    return int(row[0])


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_with_one_token_make_one_entry(
    workspace: Workspace, member: Membership, cycle: Cycle
) -> None:
    """The first request takes the token's row and is held (the cycle row is locked by a third
    connection); the second waits on the token's row; when the first commits, the second is
    answered from it."""
    token = str(uuid.uuid4())
    clients = [signed_in(member), signed_in(member)]
    release = threading.Event()
    holding = threading.Event()

    def hold_the_cycle() -> None:
        try:
            with tenant_scope(workspace_id=workspace.pk):
                Cycle.objects.select_for_update().get(pk=cycle.pk)
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    def post(client: Client) -> Any:
        try:
            return client.post(f"{W}/log/", _entry(cycle, "Sent twice at once", token))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=3) as pool:
        holder = pool.submit(hold_the_cycle)
        assert holding.wait(20)
        first = pool.submit(post, clients[0])
        wait_for(lambda: _waiting_for_locks() >= 1, "the first request to wait on the cycle")
        second = pool.submit(post, clients[1])
        wait_for(lambda: _waiting_for_locks() >= 2, "the second request to wait on the token")
        release.set()
        answers = sorted([first.result(30), second.result(30)], key=lambda r: r.status_code)
        holder.result(30)

    assert [a.status_code for a in answers] == [302, 303]
    assert answers[1][REPLAYED_HEADER] == "true"
    assert answers[0]["Location"] == answers[1]["Location"] == f"{W}/cycles/"
    assert _texts(workspace) == ["Sent twice at once"]


# A real web server on loopback ------------------------------------------------------------


@pytest.fixture
def web_server(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """gunicorn serving the test database on a free loopback port; yields its base URL. A slow
    answer (tests/hls/slow_answer.py) creates `tmp_path / "reached"` when its work is done."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.hls.client_token_settings",
        "DATABASE_URL": live_database_url(),
        "CONN_MAX_AGE": "0",
        "SLOW_ANSWER_REACHED": str(tmp_path / "reached"),
    }
    proc, base = start_web(env, tmp_path / "gunicorn.log", workers=2)
    try:
        yield base
    finally:
        stop(proc)


@pytest.mark.live
def test_a_post_retried_after_a_timeout_makes_one_entry(
    web_server: str, tmp_path: Path, workspace: Workspace, member: Membership, cycle: Cycle
) -> None:
    browser = requests.Session()
    signed = signed_in(member)
    browser.cookies.set("sessionid", signed.cookies["sessionid"].value)
    page = browser.get(f"{web_server}{W}/log/", timeout=30)
    assert page.status_code == 200, (tmp_path / "gunicorn.log").read_text()[-4000:]
    token = str(uuid.uuid4())
    data = _entry(cycle, "Typed while the server was slow", token)
    data["csrfmiddlewaretoken"] = browser.cookies["csrftoken"]

    # The server does the work but answers only after 3 s; the client gives up after 0.5 s.
    with pytest.raises(requests.Timeout):
        browser.post(
            f"{web_server}{W}/log/",
            data=data,
            headers={"X-Test-Slow-Answer": "3"},
            allow_redirects=False,
            timeout=0.5,
        )
    # Retried at once (the first has saved, not yet committed): the retry waits on the first
    # and gets its answer.
    wait_for((tmp_path / "reached").exists, "the first request to do its work")
    retry = browser.post(f"{web_server}{W}/log/", data=data, allow_redirects=False, timeout=30)
    assert retry.status_code == 303
    assert retry.headers["Location"] == f"{W}/cycles/"
    assert retry.headers[REPLAYED_HEADER] == "true"
    assert browser.cookies[COOKIE] == token
    # And once more, later: the same answer, still one entry.
    later = browser.post(f"{web_server}{W}/log/", data=data, allow_redirects=False, timeout=30)
    assert later.status_code == 303
    assert _texts(workspace) == ["Typed while the server was slow"]

    # A new form (a new token) is a new entry.
    data["client_token"] = str(uuid.uuid4())
    fresh = browser.post(f"{web_server}{W}/log/", data=data, allow_redirects=False, timeout=30)
    assert fresh.status_code == 302
    assert _texts(workspace) == ["Typed while the server was slow"] * 2


@pytest.mark.live
def test_a_retry_waiting_on_a_refused_request_runs_normally(
    web_server: str, tmp_path: Path, workspace: Workspace, member: Membership, cycle: Cycle
) -> None:
    """The first request is refused (400) after holding the token for 5 s; the retry, sent
    meanwhile with the text corrected, waits for it, is not answered with the refusal, and
    saves."""
    browser = requests.Session()
    browser.cookies.set("sessionid", signed_in(member).cookies["sessionid"].value)
    page = browser.get(f"{web_server}{W}/log/", timeout=30)
    assert page.status_code == 200, (tmp_path / "gunicorn.log").read_text()[-4000:]
    token = str(uuid.uuid4())
    refused_data = _entry(cycle, "   ", token)
    refused_data["csrfmiddlewaretoken"] = browser.cookies["csrftoken"]
    fixed_data = {**refused_data, "text": "Corrected"}

    def send(data: dict[str, Any], slow: str) -> requests.Response:
        tab = requests.Session()  # a Session is not shared between threads
        tab.cookies.update(browser.cookies)
        return tab.post(
            f"{web_server}{W}/log/",
            data=data,
            headers={"X-Test-Slow-Answer": slow} if slow else {},
            allow_redirects=False,
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(send, refused_data, "5")
        wait_for((tmp_path / "reached").exists, "the first request to be refused")
        # It is held for 5 s more, uncommitted; the retry waits for it.
        started = time.monotonic()
        retry = send(fixed_data, "")
        waited = time.monotonic() - started
        assert first.result(60).status_code == 400
    assert retry.status_code == 302
    assert REPLAYED_HEADER not in retry.headers
    assert waited > 1  # it waited for the first to finish
    assert _texts(workspace) == ["Corrected"]
