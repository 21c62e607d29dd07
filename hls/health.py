"""`/healthz`: the process answers. `/readyz`: database, migrations and Redis are ready.

Answered first in the middleware chain, before host checks, sessions and tenancy, so a load
balancer's probe needs no host name or cookie and opens no transaction.
"""

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse


def _check_database() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return "migrations pending"
    return "ok"


def _check_redis() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def readiness() -> dict[str, str]:
    checks: dict[str, str] = {}
    for name, check in (("database", _check_database), ("redis", _check_redis)):
        try:
            checks[name] = check()
        except Exception as error:
            checks[name] = f"error: {type(error).__name__}"
    return checks


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path_info == "/readyz":
            checks = readiness()
            ready = all(value == "ok" for value in checks.values())
            return JsonResponse(
                {"status": "ready" if ready else "not ready", "checks": checks},
                status=200 if ready else 503,
            )
        return self.get_response(request)
