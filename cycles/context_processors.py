from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cycles.trust import request_trust


def trust(request: HttpRequest) -> dict[str, Any]:
    """`trust` in every workspace page: who is named and who may steer (cycles.trust). Lazy, so
    pages that name nobody pay no query."""
    if getattr(request, "workspace", None) is None or not request.user.is_authenticated:
        return {}
    return {"trust": SimpleLazyObject(lambda: request_trust(request))}
