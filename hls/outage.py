"""Remembering, per process, that a helper service (the Redis cache, the Celery broker) is away.

Redis is a cache and a broker, never a single point of failure (docs/operations.md). When a
call to it fails, the caller falls through (a cache miss, a publish left to the outbox sweep)
and the breaker stays open for a few seconds: calls in that time fall through at once instead
of each waiting for a socket timeout, so a frozen Redis costs one request one short timeout,
not every call of every request. The outage is logged once when it starts and once when the
service answers again, never once per call.
"""

import logging
import threading
import time

logger = logging.getLogger("hls.outage")


class Breaker:
    """Open for `cooldown` seconds after a failure; the first call after that tries again."""

    def __init__(self, name: str, *, cooldown: float) -> None:
        self.name = name
        self.cooldown = cooldown
        self._open_until = 0.0
        self._down = False
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    @property
    def down(self) -> bool:
        """Whether the last call failed (the service has not answered since)."""
        return self._down

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.cooldown
            if self._down:
                return
            self._down = True
        logger.warning(
            "%s is unreachable (%s: %s); falling through until it answers again",
            self.name,
            type(error).__name__,
            error,
        )

    def succeeded(self) -> None:
        if not self._down:
            return
        with self._lock:
            if not self._down:
                return
            self._down = False
            self._open_until = 0.0
        logger.warning("%s answers again", self.name)

    def try_now(self) -> None:
        """Let the next call try the service at once, before the cooldown is over (tests)."""
        self._open_until = 0.0

    def reset(self) -> None:
        """Forget any outage (tests, and a process that knows the service is back)."""
        with self._lock:
            self._down = False
            self._open_until = 0.0


_breakers: dict[str, Breaker] = {}
_registry_lock = threading.Lock()


def breaker(name: str, *, cooldown: float) -> Breaker:
    """The process's one breaker for `name` (cache backends are made per thread; the breaker
    is shared, so one thread's timeout spares the others)."""
    with _registry_lock:
        found = _breakers.get(name)
        if found is None:
            found = _breakers[name] = Breaker(name, cooldown=cooldown)
        return found


def reset_all() -> None:
    with _registry_lock:
        for found in _breakers.values():
            found.reset()


# PostgreSQL away ------------------------------------------------------------------------------
#
# PostgreSQL is the system of record: without it no page can be served. A request that finds it
# away (restarting, failing over, out of connections) answers a clean 503 with Retry-After, the
# outage page for people and problem+json for the API (hls.api.problems.server_error), never a
# 500 with a traceback. Connections are checked before reuse (CONN_HEALTH_CHECKS), so the first
# request after the database is back gets a fresh one: nothing needs restarting.

# What a client is told to wait before trying again: a restart or a failover takes seconds.
DATABASE_RETRY_AFTER_SECONDS = 10

# Logged once when requests first find the database away, once when a connection is made again.
database = breaker("PostgreSQL", cooldown=0)


def database_unreachable(error: BaseException | None) -> bool:
    """Whether `error` says the database cannot serve this just now (refused, shut down, the
    connection lost, a statement cancelled by the server): worth trying again shortly, not a
    fault in the request. Django wraps psycopg's errors in its own; both are recognised."""
    import psycopg
    from django.db import utils

    return isinstance(
        error,
        utils.OperationalError
        | utils.InterfaceError
        | psycopg.OperationalError
        | psycopg.InterfaceError,
    )


def database_answers(**_kwargs: object) -> None:
    """`connection_created`: a new connection was made, so the database answers again."""
    database.succeeded()
