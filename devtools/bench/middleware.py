"""Counts the SQL statements a request runs (`X-Bench-Queries`), for `make bench` only: it is
in devtools.bench.settings, never in hls.settings."""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse


class QueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counter(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, *args)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count)
        return response
