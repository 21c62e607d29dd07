"""Progress of a running import or export, kept in the cache (Redis), not in the run's row.

An import writes all its rows in ONE transaction, so an update to its own row would stay
invisible to the page until the very end (and would be rolled back with everything on
failure). The cache is outside the transaction: the worker writes how many rows are done, the
page reads it while the run is running; when the run ends its row holds the final figures."""

from django.core.cache import cache

TIMEOUT = 6 * 3600


def _key(what: str, run_id: int) -> str:
    return f"dataio:{what}:{run_id}:progress"


def write(what: str, run_id: int, done: int) -> None:
    cache.set(_key(what, run_id), done, TIMEOUT)


def read(what: str, run_id: int, default: int) -> int:
    value = cache.get(_key(what, run_id))
    return value if isinstance(value, int) else default


def clear(what: str, run_id: int) -> None:
    cache.delete(_key(what, run_id))
