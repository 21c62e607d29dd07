"""`/api/v1/` itself: a JSON map of the API for anyone who asks (issue 11, finding 7).

It names the resource families (from the router, so a new one appears by itself), where the
schema, its docs page and the guide are, and how to authenticate. It reveals nothing about any
workspace, so it answers the same to a key and to an anonymous caller, and needs neither."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from rest_framework.routers import SimpleRouter


def api_root_view(router: SimpleRouter) -> Callable[[HttpRequest], JsonResponse]:
    prefixes = sorted(prefix for prefix, _viewset, _basename in router.registry)

    @require_safe
    def api_root(request: HttpRequest) -> JsonResponse:
        base = request.build_absolute_uri(request.path)
        return JsonResponse(
            {
                "resources": {prefix: f"{base}{prefix}/" for prefix in prefixes},
                "schema": request.build_absolute_uri(reverse("api-schema")),
                "docs": request.build_absolute_uri(reverse("api-docs")),
                "guide": "docs/api.md",
                "authentication": "Send `Authorization: Bearer <key>`; a workspace admin makes "
                "keys on the workspace's API keys page.",
            },
            json_dumps_params={"indent": 2},
        )

    return api_root
