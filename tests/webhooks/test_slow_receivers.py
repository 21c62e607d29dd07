"""Receivers that hang or trickle (issue 17): a delivery has one deadline in all, not one per
socket read, and a slow receiver holds up nobody else's deliveries. Real receivers on loopback;
the live test with a real worker is tests/webhooks/test_slow_receivers_live.py."""

import threading
import time

import pytest
from django.db import connection

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from hls.webhooks import delivery
from hls.webhooks.models import WebhookDelivery
from hls.webhooks.services import webhook_emit, webhook_subscription_create
from tests.webhooks.receivers import receiving

HEADERS = {"Content-Type": "application/json"}


def test_a_receiver_that_never_answers_is_cut_off_at_the_deadline() -> None:
    with receiving("hang") as receiver:
        started = time.monotonic()
        outcome = delivery.post(receiver.url, b"{}", HEADERS, timeout=0.5)
        took = time.monotonic() - started

    assert outcome.status_code is None
    assert outcome.error == "No answer within 0.5 seconds."
    assert 0.45 <= took < 2.0
    assert len(receiver.arrivals) == 1, "the request itself was sent"


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_deadline() -> None:
    # A byte every 0.2 s: no single read waits anywhere near the deadline, as urllib's
    # per-read timeout would need; the whole answer would take over 50 s.
    with receiving("trickle", every=0.2) as receiver:
        started = time.monotonic()
        outcome = delivery.post(receiver.url, b"{}", HEADERS, timeout=1.0)
        took = time.monotonic() - started

    assert outcome.status_code is None
    assert outcome.error == "No answer within 1 seconds."
    assert 0.95 <= took < 3.0


def test_a_prompt_answer_is_a_success_and_an_error_status_says_what_it_was() -> None:
    with receiving("answer") as receiver:
        outcome = delivery.post(receiver.url, b"{}", HEADERS, timeout=5)
    assert (outcome.status_code, outcome.error, outcome.ok) == (200, "", True)


def test_the_timeout_is_a_setting(settings) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    with receiving("hang") as receiver:
        outcome = delivery.post(receiver.url, b"{}", HEADERS)
    assert outcome.error == "No answer within 0.3 seconds."


def _subscribe(membership: Membership, url: str) -> int:
    with tenant_scope(workspace_id=membership.workspace_id):
        return webhook_subscription_create(
            workspace=membership.workspace, created_by=membership.user, url=url,
            events=["experiment.ended"],
        ).pk  # fmt: skip


def _emit(workspace: Workspace, n: int) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        for i in range(n):
            webhook_emit(
                workspace=workspace, event="experiment.ended", resource="experiment",
                object_id=100 + i, data={"cycle": 1, "outcome": "adapt"},
            )  # fmt: skip


def _rows(workspace: Workspace) -> list[WebhookDelivery]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(WebhookDelivery.objects.order_by("pk"))


@pytest.mark.django_db(transaction=True)
def test_a_hanging_receiver_holds_one_sender_and_the_others_deliver_everyone_else(
    workspace: Workspace, other_workspace: Workspace, make_member, settings, monkeypatch
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 1.5
    monkeypatch.setattr("hls.webhooks.services._queue_dispatch", lambda: None)  # we dispatch
    hanging_admin = make_member(workspace, Role.ADMIN, email="a@riverside.test")
    prompt_admin = make_member(other_workspace, Role.ADMIN, email="b@hilltop.test")
    with receiving("hang") as hanging, receiving("answer") as prompt:
        _subscribe(hanging_admin, hanging.url)
        _subscribe(prompt_admin, prompt.url)
        _emit(workspace, 3)  # the hanging receiver's are due first
        _emit(other_workspace, 2)
        result: list[int] = []
        started = time.monotonic()
        run = threading.Thread(
            target=lambda: (result.append(delivery.dispatch(senders=4)), connection.close())
        )
        run.start()
        # While the first delivery to the hanging receiver waits, the others are delivered...
        deadline = started + 1.0
        while len(prompt.arrivals) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(prompt.arrivals) == 2, "the prompt receiver's deliveries waited"
        assert len(hanging.arrivals) == 1, "one delivery at a time to the hanging receiver"
        # ...and more that fall due meanwhile, without waiting for the next run.
        _emit(other_workspace, 1)
        deadline = time.monotonic() + 1.0
        while len(prompt.arrivals) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(prompt.arrivals) == 3
        assert time.monotonic() - started < settings.WEBHOOK_TIMEOUT_SECONDS
        run.join(30)
        took = time.monotonic() - started

    assert result == [3]
    # The hanging receiver's three, one after another, each cut off at the deadline.
    assert len(hanging.arrivals) == 3
    gaps = [b.at - a.at for a, b in zip(hanging.arrivals, hanging.arrivals[1:], strict=False)]
    assert all(gap >= 1.4 for gap in gaps), gaps
    assert 4.4 <= took < 12
    rows = _rows(workspace)
    assert [r.status for r in rows] == [WebhookDelivery.Status.FAILED] * 3
    for row in rows:
        assert row.attempts == 1
        assert row.last_error == "No answer within 1.5 seconds."
        assert row.last_response_ms is not None
        assert row.last_response_ms >= 1400
        assert row.next_attempt_at is not None
        assert row.last_attempt_at is not None
        wait = row.next_attempt_at - row.last_attempt_at
        assert 60 <= wait.total_seconds() <= 66, "retried after a minute (with jitter)"
    assert {r.status for r in _rows(other_workspace)} == {WebhookDelivery.Status.SUCCEEDED}


def test_a_status_line_finished_just_before_the_deadline_with_headers_cut_is_no_answer() -> None:
    # "HTTP/1.1 200 OK" complete after about 0.75 s, then the long header is cut at 1 s:
    # http.client would read the cut as the end of the headers, and a 200.
    with receiving("trickle", every=0.05) as receiver:
        outcome = delivery.post(receiver.url, b"{}", HEADERS, timeout=1.0)
    assert receiver.arrivals
    assert (outcome.status_code, outcome.ok) == (None, False)
    assert outcome.error == "No answer within 1 seconds."


def test_an_ipv6_address_without_a_port_is_not_read_as_one() -> None:
    conn, path = delivery._connection("http://[::1]/hook?x=1", 1)
    assert (conn.host, conn.port, path) == ("::1", 80, "/hook?x=1")
    conn, path = delivery._connection("https://[2001:db8::1]", 1)
    assert (conn.host, conn.port, path) == ("2001:db8::1", 443, "/")
