"""Delivering the webhook outbox (DESIGN.md §5; modelled on stewardship/notifications).

One delivery at a time, each in its own transaction:

    lock the next due row (FOR UPDATE SKIP LOCKED) → sign and POST it → record the outcome
    (success; or a retry with exponential backoff; or give up) → commit.

The lock is held until commit, so two workers never send the same row at once, and a row
committed as delivered is never sent again. A worker killed after the receiver answered but
before our commit sends it again on the next run with the same `X-HLS-Delivery` (the event id),
so receivers deduplicate by it: delivery is at-least-once at that one point.

After `DISABLE_AFTER` failed attempts in a row across a subscription, or when one delivery has
used its `MAX_ATTEMPTS`, the subscription is turned off and the workspace's admins are told.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hls.audit.services import audit_record
from hls.tenancy.context import all_workspaces, tenant_scope
from hls.webhooks.models import WebhookDelivery, WebhookSubscription
from hls.webhooks.services import tell_admins_disabled
from hls.webhooks.signing import signature_header
from hls.webhooks.urlcheck import UrlRefused, check_url

logger = logging.getLogger(__name__)

USER_AGENT = "HLS-Learning-Cycles-Webhooks/1"
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 12  # 1, 2, 4 … minutes, capped at 6 hours: about a day in all
DISABLE_AFTER = 10  # failed attempts in a row across a subscription
BACKOFF_CAP = dt.timedelta(hours=6)
ERROR_MAX = 500
RUN_SECONDS = 50  # a dispatch run stops taking new rows after this (the soft limit is 100)
RUN_MAX = 500
DUE = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4 … minutes, at most six hours,
    plus up to 10% jitter so failed receivers are not hit by every retry at once."""
    base = min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    return base + base * random.uniform(0, 0.1)  # noqa: S311 - jitter, not security


# Sending --------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: following it could lead anywhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


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


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `url` (checked again now: DNS may have changed since it was saved)."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        check_url(url)
    except UrlRefused as error:
        return Outcome(None, str(error), 0)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) only, checked above
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(64 * 1024)
            return Outcome(response.status, "", took())
    except urllib.error.HTTPError as error:
        try:
            detail = _excerpt(error.read(1024))
        except Exception:  # the body is only a courtesy
            detail = ""
        message = f"HTTP {error.code} {error.reason}" + (f": {detail}" if detail else "")
        return Outcome(error.code, message, took())
    except urllib.error.URLError as error:
        return Outcome(None, str(error.reason), took())
    except (TimeoutError, OSError, http.client.HTTPException, ValueError) as error:
        return Outcome(None, f"{type(error).__name__}: {error}".strip(": "), took())


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
    with all_workspaces("webhook delivery: lock the next due delivery"):
        row = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=DUE, next_attempt_at__lte=now, subscription__active=True)
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if row is None:
            return None
        # The work runs in the row's own workspace (a savepoint in the same transaction, so
        # the lock is held until the commit).
        with tenant_scope(workspace_id=row.workspace_id):
            row = WebhookDelivery.objects.select_related(
                "subscription", "subscription__workspace"
            ).get(pk=row.pk)
            return attempt(row, now=now)


def dispatch(
    *, now: dt.datetime | None = None, seconds: float = RUN_SECONDS, limit: int = RUN_MAX
) -> int:
    """Send what is due, one transaction each, until none is left (or time is up). Returns
    how many were delivered."""
    started = time.monotonic()
    delivered = 0
    for _i in range(limit):
        outcome = deliver_next(now=now)
        if outcome is None:
            break
        delivered += outcome == "succeeded"
        if time.monotonic() - started > seconds:
            break
    return delivered
