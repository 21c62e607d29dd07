"""Publishing work to Celery: after commit, promptly, and never lost (docs/operations.md).

Every piece of background work the product queues already has its row in PostgreSQL, written
in the same transaction as the change that asked for it: a report waiting to be assembled, an
export or an import waiting to run, an invitation email not yet sent, a reminder or a webhook
delivery that is due. Those rows are the outbox. Publishing the Celery message is only a
nudge to start now:

- `publish_on_commit(task, *args)` publishes once the transaction has committed (a rolled-back
  change queues nothing), with the broker's short timeouts and no retry in the request;
- when the broker is away or frozen, the error is logged (once per outage, hls/outage.py) and
  swallowed, so the person's change stands and the page answers within a couple of seconds;
- the sweeps (`republish_queued` in the tasks modules of reports, data import/export and
  invitations; reminders and webhooks are dispatched every minute by beat anyway) publish
  again whatever is still queued after settings.JOBS_REPUBLISH_AFTER. Every task is safe to
  run twice, so a message that was in fact sent costs nothing more than a no-op.
"""

import datetime as dt
import logging
import socket
from functools import partial
from typing import Any

import redis
from celery import Task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from hls.outage import breaker

logger = logging.getLogger(__name__)

# What "the broker is away" looks like to a publisher.
BROKER_UNREACHABLE = (
    OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    socket.timeout,
    OSError,
)

# After a failed publish, later publishes in this process skip the broker for this long (their
# work is in the outbox), so a frozen broker costs one request one timeout, not each of them.
RETRY_AFTER_SECONDS = 10.0

broker = breaker("Redis (the Celery broker)", cooldown=RETRY_AFTER_SECONDS)


def publish(task: Task[Any, Any], *args: Any) -> bool:
    """Send `task(*args)` to the broker now. Returns whether it was sent; when the broker is
    away, logs (once per outage) and returns False: the work stays queued in its row."""
    if task.app.conf.task_always_eager:  # tests: the task runs here, its errors propagate
        task.apply_async(args)
        return True
    if broker.is_open():
        logger.info("broker away: %s%r left to the outbox sweep", task.name, args)
        return False
    try:
        task.apply_async(args, retry=False)
    except BROKER_UNREACHABLE as error:
        broker.failed(error)
        logger.info("broker away: %s%r left to the outbox sweep", task.name, args)
        return False
    broker.succeeded()
    return True


def publish_on_commit(task: Task[Any, Any], *args: Any) -> None:
    """Publish `task(*args)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(publish, task, *args))


def queued_before(older_than_seconds: float | None = None) -> dt.datetime:
    """The sweeps' cut-off: work queued before it and still waiting is published again."""
    age = (
        settings.JOBS_REPUBLISH_AFTER
        if older_than_seconds is None
        else dt.timedelta(seconds=older_than_seconds)
    )
    return timezone.now() - age


# A worker normally picks work up within a second or two; after this, a progress page says the
# work is waiting (the broker or the worker is away) rather than showing a bar that never moves.
WAITING_NOTICE_AFTER = dt.timedelta(seconds=15)


def waiting_for_worker(*, queued: bool, since: dt.datetime | None) -> bool:
    """Whether a progress page should say its work is waiting for the background worker: the
    work is `queued` (no worker has started it) and this process found the broker away, or it
    has waited since `since` longer than a worker takes to pick work up. The work is kept in
    its row and starts by itself when the worker can take it (the sweeps above)."""
    if not queued or since is None:
        return False
    return broker.down or timezone.now() - since > WAITING_NOTICE_AFTER
