"""Delivering the webhook outbox (DESIGN.md §5; modelled on stewardship/notifications).

Each delivery in its own transaction:

    lock the next due row and its subscription (SKIP LOCKED) → sign and POST it → record the
    outcome (success; or a retry with exponential backoff; or give up) → commit.

The lock is held until commit, so two workers never send the same row at once, and a row
committed as delivered is never sent again. A dispatch run sends with WEBHOOK_SENDERS threads
at once; as the subscription is locked too, a receiver has at most one delivery in flight, and
one that hangs or trickles holds one sender for at most WEBHOOK_TIMEOUT_SECONDS (a deadline for
the whole exchange, not per read) while the others deliver everyone else's.

A worker killed after the receiver answered but before our commit sends it again on the next
run with the same `X-HLS-Delivery` (the event id), so receivers deduplicate by it: delivery is
at-least-once at that one point.

After `DISABLE_AFTER` failed attempts in a row across a subscription, or when one delivery has
used its `MAX_ATTEMPTS`, the subscription is turned off and the workspace's admins are told.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import logging
import random
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hls.audit.services import audit_record
from hls.tenancy import crossing
from hls.tenancy.context import tenant_scope
from hls.webhooks.models import WebhookDelivery, WebhookSubscription
from hls.webhooks.services import tell_admins_disabled
from hls.webhooks.signing import signature_header
from hls.webhooks.urlcheck import UrlRefused, check_url

logger = logging.getLogger(__name__)

USER_AGENT = "HLS-Learning-Cycles-Webhooks/1"
MAX_ATTEMPTS = 12  # 1, 2, 4 … minutes, capped at 6 hours: about a day in all
DISABLE_AFTER = 10  # failed attempts in a row across a subscription
BACKOFF_CAP = dt.timedelta(hours=6)
ERROR_MAX = 500
RUN_SECONDS = 50  # a dispatch run stops taking new rows after this (the soft limit is 100)
RUN_MAX = 500
IDLE_LOOK = 0.5  # seconds between an idle sender's looks while another is still sending
DUE = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, at most six hours,
    plus up to 10% jitter so failed receivers are not hit by every retry at once."""
    base = min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    return base + base * random.uniform(0, 0.1)  # noqa: S311 - jitter, not security


# Sending --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status_code: int | None
    error: str
    milliseconds: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _excerpt(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace").strip()
    return " ".join(text.split())[:200]


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.hostname or ""
    if parts.scheme == "https":  # the port always given: an IPv6 address is not read as one
        context = ssl.create_default_context()
        port = parts.port or 443
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=context), path
    return http.client.HTTPConnection(host, parts.port or 80, timeout=timeout), path


def _cut(conn: http.client.HTTPConnection, fired: threading.Event) -> None:
    """End the connection under a read or write that is still waiting (from the deadline's
    timer thread): the socket's own shutdown, under TLS too, so the waiting call returns."""
    fired.set()
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float | None = None
) -> Outcome:
    """POST `body` to `url` (checked again now: DNS may have changed since it was saved).

    `timeout` (settings.WEBHOOK_TIMEOUT_SECONDS) bounds the whole exchange, from connecting
    to the answer's status and headers, not each read: a receiver that never answers, or
    trickles its answer a byte at a time, is cut off at the deadline like one that is down.
    Redirects are not followed and no proxy is used (http.client does neither)."""
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        check_url(url)
    except UrlRefused as error:
        return Outcome(None, str(error), 0)
    conn, path = _connection(url, timeout)
    fired = threading.Event()
    deadline = threading.Timer(timeout, _cut, args=(conn, fired))
    deadline.daemon = True
    deadline.start()
    try:
        conn.connect()  # TCP within the socket's timeout; a slow TLS handshake is cut too
        if fired.is_set():
            raise TimeoutError
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        if fired.is_set():  # cut off mid-headers: http.client takes the cut for their end
            raise TimeoutError
        if 200 <= response.status < 300:
            return Outcome(response.status, "", took())
        try:
            detail = _excerpt(response.read(1024))
        except Exception:  # the body is only a courtesy
            detail = ""
        message = f"HTTP {response.status} {response.reason}" + (f": {detail}" if detail else "")
        return Outcome(response.status, message, took())
    except (OSError, http.client.HTTPException, ValueError) as error:
        if fired.is_set() or isinstance(error, TimeoutError):
            return Outcome(None, f"No answer within {timeout:g} seconds.", took())
        return Outcome(None, f"{type(error).__name__}: {error}".strip(": "), took())
    finally:
        deadline.cancel()
        conn.close()


def body_of(row: WebhookDelivery) -> bytes:
    return json.dumps(row.payload, separators=(",", ":"), ensure_ascii=False).encode()


def headers_for(row: WebhookDelivery, body: bytes, *, now: dt.datetime) -> dict[str, str]:
    subscription = row.subscription
    secrets = [subscription.secret]
    if subscription.previous_secret and (
        subscription.previous_secret_until is not None and subscription.previous_secret_until > now
    ):
        secrets.append(subscription.previous_secret)
    # The signature's time is the real clock's, whatever `now` the scheduler was given.
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-HLS-Event": row.event,
        "X-HLS-Delivery": str(row.event_id),
        "X-HLS-Signature": signature_header(secrets, timestamp, body),
    }


# Recording the outcome ------------------------------------------------------------------------


def _disable(subscription: WebhookSubscription, reason: str, now: dt.datetime) -> None:
    subscription.active = False
    subscription.disabled_at = now
    subscription.disabled_reason = reason[:300]
    subscription.save(update_fields=["active", "disabled_at", "disabled_reason", "updated_at"])
    audit_record(
        workspace=subscription.workspace, actor=None, action="webhook.auto_disable",
        target=subscription, failures=subscription.consecutive_failures,
    )  # fmt: skip
    tell_admins_disabled(subscription=subscription, workspace=subscription.workspace)


def attempt(row: WebhookDelivery, *, now: dt.datetime) -> str:
    """Send a locked due row (inside its workspace's scope) and record what happened."""
    if row.status not in DUE or not row.subscription.active:
        return "skipped"
    body = body_of(row)
    outcome = post(row.subscription.url, body, headers_for(row, body, now=now))
    row.attempts += 1
    row.last_attempt_at = now
    row.last_status_code = outcome.status_code
    row.last_error = outcome.error[:ERROR_MAX]
    row.last_response_ms = outcome.milliseconds
    fields = ["attempts", "last_attempt_at", "last_status_code", "last_error", "last_response_ms"]
    subscription = WebhookSubscription.objects.select_for_update().get(pk=row.subscription_id)
    if outcome.ok:
        row.status = WebhookDelivery.Status.SUCCEEDED
        row.delivered_at = now
        row.next_attempt_at = None
        row.save(update_fields=[*fields, "status", "delivered_at", "next_attempt_at", "updated_at"])
        if subscription.consecutive_failures:
            subscription.consecutive_failures = 0
            subscription.save(update_fields=["consecutive_failures", "updated_at"])
        return "succeeded"

    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    subscription.refresh_from_db(fields=["consecutive_failures"])
    if row.attempts >= MAX_ATTEMPTS:
        row.status = WebhookDelivery.Status.ABANDONED
        row.next_attempt_at = None
    else:
        row.status = WebhookDelivery.Status.FAILED
        row.next_attempt_at = now + backoff(row.attempts)
    row.save(update_fields=[*fields, "status", "next_attempt_at", "updated_at"])
    if subscription.active and row.status == WebhookDelivery.Status.ABANDONED:
        _disable(
            subscription,
            _("A delivery failed %(n)d times, the most it is tried.") % {"n": row.attempts},
            now,
        )
    elif subscription.active and subscription.consecutive_failures >= DISABLE_AFTER:
        _disable(
            subscription,
            _("%(n)d deliveries in a row failed; the last: %(error)s")
            % {"n": subscription.consecutive_failures, "error": row.last_error or "—"},
            now,
        )
    return "abandoned" if row.status == WebhookDelivery.Status.ABANDONED else "failed"


# Taking due rows ------------------------------------------------------------------------------


def deliver_next(*, now: dt.datetime | None = None) -> str | None:
    """Take the next due delivery of any workspace and send it, in one transaction. None when
    nothing is due."""
    now = now or timezone.now()
    with tenant_scope():  # one transaction, in no workspace until the row names one
        claimed = crossing.first("next_due_webhook_delivery", now)
        if claimed is None:
            return None
        workspace_id, pk = claimed
        # The work runs in the row's own workspace (a savepoint in the same transaction, so
        # the lock is held until the commit).
        with tenant_scope(workspace_id=workspace_id):
            row = WebhookDelivery.objects.select_related(
                "subscription", "subscription__workspace"
            ).get(pk=pk)
            return attempt(row, now=now)


class _Run:
    """One dispatch run, shared by its senders: how many more rows it may take, until when,
    how many were delivered, and how many senders are in the middle of a delivery."""

    def __init__(self, *, now: dt.datetime | None, seconds: float, limit: int) -> None:
        self.now = now
        self.ends = time.monotonic() + seconds
        self.left = limit
        self.delivered = 0
        self.busy = 0
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()

    def _take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() > self.ends or self.errors:
                return False
            self.left -= 1
            self.busy += 1
            return True

    def send(self) -> None:
        """Deliver due rows one at a time until none is due, the run's rows or time are used
        up. While another sender is still waiting on a receiver, an idle one looks again every
        IDLE_LOOK seconds for work that fell due meanwhile, rather than stopping."""
        while self._take():
            outcome: str | None = None
            try:
                outcome = deliver_next(now=self.now)
            finally:
                with self.lock:
                    self.busy -= 1
                    if outcome is None:
                        self.left += 1  # nothing was taken
                    self.delivered += outcome == "succeeded"
                    others = self.busy
            if outcome is None:
                if not others:
                    return
                time.sleep(IDLE_LOOK)

    def send_in_thread(self) -> None:
        try:
            self.send()
        except BaseException as error:
            with self.lock:
                self.errors.append(error)
        finally:
            connection.close()  # this thread's own connection


def dispatch(
    *,
    now: dt.datetime | None = None,
    seconds: float = RUN_SECONDS,
    limit: int = RUN_MAX,
    senders: int | None = None,
) -> int:
    """Send what is due, one transaction each, until none is left (or the run's time or rows
    are used up). Returns how many were delivered.

    `senders` (settings.WEBHOOK_SENDERS) threads send at once, each on its own database
    connection, and a receiver has at most one delivery in flight (the claim skips the rows of
    a subscription whose row another sender holds): a receiver that hangs holds one sender for
    at most WEBHOOK_TIMEOUT_SECONDS at a time while the others deliver everyone else's. Inside
    a caller's transaction (whose rows other connections cannot see yet) it sends on this one."""
    senders = settings.WEBHOOK_SENDERS if senders is None else senders
    run = _Run(now=now, seconds=seconds, limit=limit)
    if senders <= 1 or connection.in_atomic_block:
        run.send()
        return run.delivered
    threads = [
        threading.Thread(target=run.send_in_thread, name=f"webhook-sender-{n}", daemon=True)
        for n in range(senders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if run.errors:
        raise run.errors[0]
    return run.delivered
