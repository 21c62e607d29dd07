"""`/healthz`: the process answers. `/readyz`: what this web process depends on, and whether it
can serve people's pages.

Answered first in the middleware chain, before host checks, sessions and tenancy, so a load
balancer's probe needs no host name or cookie and opens no transaction.

What "ready" means (docs/operations.md): the process can serve people's pages and save their
work, which needs PostgreSQL with every migration applied, and nothing else. Redis is a cache
and a broker: while it is away pages still work (sessions fall through to the database, queued
work waits in its outbox rows), so `/readyz` still answers 200, with status "degraded" and the
part that is down named; a load balancer keeps every web process in rotation. Only when the
database is down or behind its migrations does it answer 503 ("not ready"). Monitoring that
wants to hear about any part being down asks `/readyz?strict=1`: 503 whenever a check fails.

Each check is bounded by short timeouts, so a frozen Redis cannot hang the probe.
"""

from collections.abc import Callable

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

# The parts a web process cannot serve pages without; the others only degrade it.
NEEDED = frozenset({"database"})


def _check_database() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return "migrations pending"
    return "ok"


def _check_cache() -> str:
    """Redis as the cache, asked directly (past the fail-soft backend and its breaker)."""
    cache = caches["default"]
    ping = getattr(cache, "ping", None)
    if ping is None:  # a cache without a server (e.g. local memory): nothing can be down
        return "ok"
    ping()
    return "ok"


def _check_broker() -> str:
    """The Celery broker: a connection and one channel (kombu's Redis channel pings)."""
    from hls.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
        if connection.default_channel is None:  # opening the channel pings Redis
            return "no channel"
    return "ok"


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("database", _check_database),
    ("cache", _check_cache),
    ("broker", _check_broker),
)


def readiness() -> dict[str, str]:
    checks: dict[str, str] = {}
    for name, check in CHECKS:
        try:
            checks[name] = check()
        except Exception as error:
            checks[name] = f"error: {type(error).__name__}"
    return checks


def ready_response(checks: dict[str, str], *, strict: bool) -> JsonResponse:
    down = sorted(name for name, value in checks.items() if value != "ok")
    serving = not any(name in NEEDED for name in down)
    if not down:
        status = "ready"
    elif serving:
        status = "degraded"
    else:
        status = "not ready"
    ok = serving and not (strict and down)
    return JsonResponse(
        {"status": status, "down": down, "checks": checks}, status=200 if ok else 503
    )


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path_info == "/readyz":
            strict = request.GET.get("strict", "") not in ("", "0", "false")
            return ready_response(readiness(), strict=strict)
        return self.get_response(request)
