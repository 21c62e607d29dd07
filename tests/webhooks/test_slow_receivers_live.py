"""Slow and hanging webhook receivers with a real worker (issue 17, docs/webhooks.md).

Real processes: a Celery worker (solo pool: one task at a time, the least a deployment runs)
on the test database and a redis-server of the test's own, with WEBHOOK_TIMEOUT_SECONDS cut to
4. Three workspaces' receivers on loopback: Riverside's accepts and never answers, Hilltop's
answers at once, Lakeside's trickles its answer a byte at a time (each byte well within any
socket timeout). Riverside's and Lakeside's deliveries fail at the deadline and wait for their
retry; Hilltop's arrive promptly all the while, without waiting behind them.

The worker reads committed data: `transactional_db`.
"""

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from celery import Celery

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from hls.webhooks.models import WebhookDelivery
from hls.webhooks.services import webhook_emit, webhook_subscription_create
from tests.factories import WorkspaceFactory
from tests.processes import RedisServer, live_database_url, start_worker, stop, wait_for
from tests.webhooks.receivers import Receiver, receiving

pytestmark = pytest.mark.live

TIMEOUT = 4  # WEBHOOK_TIMEOUT_SECONDS for the worker
PROMPT = 2.5  # a prompt receiver's delivery arrives within this of the nudge (< TIMEOUT)
Status = WebhookDelivery.Status


class Stack:
    def __init__(self, tmp: Path, redis_url: str) -> None:
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.hls.outage_settings",
            "DATABASE_URL": live_database_url(),
            "REDIS_URL": redis_url,
            "CONN_MAX_AGE": "0",
            "WEBHOOK_TIMEOUT_SECONDS": str(TIMEOUT),
            "PYTEST_XDIST_WORKER": f"webhooks-{uuid.uuid4().hex[:8]}",
        }
        self.tmp = tmp
        self.broker = Celery(broker=redis_url)  # a publisher of our own: tests run tasks eagerly

    def nudge(self) -> None:
        """What each commit that queues a delivery does: ask a worker to dispatch now."""
        self.broker.send_task("hls.webhooks.tasks.dispatch_webhooks")


@pytest.fixture
def stack(
    transactional_db: None, tmp_path: Path, redis_server: RedisServer, monkeypatch
) -> Iterator[Stack]:
    # Events are written here; the worker is asked to send them by `nudge` alone.
    monkeypatch.setattr("hls.webhooks.services._queue_dispatch", lambda: None)
    found = Stack(tmp_path, redis_server.url)
    worker = start_worker(found.env, tmp_path / "worker.log")
    try:
        yield found
    finally:
        stop(worker, grace=20)
        found.broker.close()


def _subscribe(make_member: Callable[..., Membership], workspace: Workspace, url: str) -> None:
    admin = make_member(workspace, Role.ADMIN, email=f"admin@{workspace.slug}.test")
    with tenant_scope(workspace_id=workspace.pk):
        webhook_subscription_create(
            workspace=workspace, created_by=admin.user, url=url, events=["experiment.ended"]
        )


def _emit(workspace: Workspace, n: int) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        for i in range(n):
            webhook_emit(
                workspace=workspace, event="experiment.ended", resource="experiment",
                object_id=500 + i, data={"cycle": 1, "outcome": "stop"},
            )  # fmt: skip


def _rows(workspace: Workspace) -> list[WebhookDelivery]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(WebhookDelivery.objects.order_by("pk"))


def _arrived(receiver: Receiver, n: int, since: float) -> bool:
    with receiver.lock:
        return len([a for a in receiver.arrivals if a.at >= since]) >= n


def test_hanging_and_trickling_receivers_time_out_while_others_arrive_promptly(
    stack: Stack, workspace: Workspace, other_workspace: Workspace,
    make_member: Callable[..., Membership],
) -> None:  # fmt: skip
    lakeside = WorkspaceFactory(name="Lakeside Trust", slug="lakeside")
    with (
        receiving("hang") as hanging,
        receiving("answer") as prompt,
        receiving("trickle", every=0.5) as trickling,
    ):
        _subscribe(make_member, workspace, hanging.url)
        _subscribe(make_member, other_workspace, prompt.url)
        _subscribe(make_member, lakeside, trickling.url)
        # The worker answers (a first delivery to the prompt receiver) before anything is timed.
        _emit(other_workspace, 1)
        stack.nudge()
        wait_for(lambda: _arrived(prompt, 1, 0), "the worker's first delivery")

        # Riverside's and Lakeside's fall due first, two each, then Hilltop's.
        _emit(workspace, 2)
        _emit(lakeside, 2)
        stack.nudge()
        wait_for(lambda: _arrived(hanging, 1, 0) and _arrived(trickling, 1, 0), "them to start")
        began = time.monotonic()
        for _round in range(2):  # more of Hilltop's while the other two keep a sender waiting
            nudged = time.monotonic()
            _emit(other_workspace, 2)
            stack.nudge()
            wait_for(lambda n=nudged: _arrived(prompt, 2, n), "the prompt deliveries", PROMPT)
            time.sleep(0.3)
        # All the while, each slow receiver had one of its two deliveries in flight.
        assert time.monotonic() - began < 2 * TIMEOUT
        # One at a time to each slow receiver: the second waits for the first's deadline.
        wait_for(lambda: _arrived(hanging, 2, 0), "the second to the hanging receiver", 30)
        wait_for(lambda: _arrived(trickling, 2, 0), "the second to the trickling one", 30)
        with hanging.lock, trickling.lock:
            for slow in (hanging, trickling):
                assert slow.arrivals[1].at - slow.arrivals[0].at >= TIMEOUT - 0.2

        def settled() -> bool:
            rows = _rows(workspace) + _rows(lakeside)
            return all(r.status == Status.FAILED for r in rows)

        wait_for(settled, "both slow receivers' deliveries to be recorded as failed", 30)

    for row in _rows(workspace) + _rows(lakeside):
        assert row.attempts == 1
        assert row.last_status_code is None
        assert row.last_error == f"No answer within {TIMEOUT} seconds."
        assert row.last_response_ms is not None
        assert TIMEOUT * 1000 - 200 <= row.last_response_ms < TIMEOUT * 1000 + 2000
        assert row.next_attempt_at is not None
        assert row.last_attempt_at is not None
        wait = (row.next_attempt_at - row.last_attempt_at).total_seconds()
        assert 60 <= wait <= 66, "tried again after a minute, with jitter"
    hilltop = _rows(other_workspace)
    assert len(hilltop) == 5
    assert {(r.status, r.attempts) for r in hilltop} == {(Status.SUCCEEDED, 1)}
    with prompt.lock:
        assert len({a.delivery for a in prompt.arrivals}) == len(prompt.arrivals) == 5
