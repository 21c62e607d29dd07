"""The cache backend: Django's own RedisCache, failing soft (docs/operations.md, "Redis away").

Why a small subclass of Django's backend rather than django-redis: Django's backend is what the
project already runs, and what it lacks is small and specific. django-redis's
IGNORE_EXCEPTIONS would turn errors into misses too, but every call would still wait for its
own socket timeout (a frozen Redis would cost each request several timeouts) and it logs every
ignored call. Here the short timeouts come from OPTIONS (socket_connect_timeout,
socket_timeout, passed to redis-py's pool), and a per-process breaker (hls/outage.py) turns the
first failure into a few seconds of immediate misses, logged once.

While Redis is away: reads are misses, writes are dropped, `add` says it did not add, `incr`
says the key is missing. Everything built on the cache therefore falls through to PostgreSQL:
cached-db sessions are read from the database, DRF throttles count nothing (they let requests
through), import and export progress shows the figures kept on the run's row.
"""

from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from hls.outage import breaker

# What "Redis is away" looks like: refused, reset, timed out, still loading its data.
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

# After a failure, calls fall through at once for this long; then one call tries again.
RETRY_AFTER_SECONDS = 5.0


class FailSoftRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.breaker = breaker("Redis (the cache)", cooldown=RETRY_AFTER_SECONDS)

    def _soft(self, fallback: Any, call: Any, *args: Any, **kwargs: Any) -> Any:
        if self.breaker.is_open():
            return fallback
        try:
            result = call(*args, **kwargs)
        except UNREACHABLE as error:
            self.breaker.failed(error)
            return fallback
        self.breaker.succeeded()
        return result

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(self._soft(False, super().add, key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._soft(default, super().get, key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._soft(None, super().set, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._soft(False, super().touch, key, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return bool(self._soft(False, super().delete, key, version))

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        found: dict[Any, Any] = self._soft({}, super().get_many, keys, version)
        return found

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return bool(self._soft(False, super().has_key, key, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        missing = object()
        value = self._soft(missing, super().incr, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found")  # as for any missing key
        return int(value)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        failed: list[Any] = self._soft(list(data), super().set_many, data, timeout, version)
        return failed

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._soft(None, super().delete_many, keys, version)

    def clear(self) -> None:
        self._soft(None, super().clear)

    def ping(self) -> bool:
        """Ask Redis directly, past the breaker (for /readyz): raises when it is away."""
        client = self._cache.get_client(write=True)  # type: ignore[attr-defined]
        return bool(client.ping())
