"""The workspace URLs (`/w/<slug:workspace_slug>/...`), collected from the URL conf.

Tests that must cover every workspace URL (the outsider matrix, the role table) read this list,
so a new URL joins them without anyone remembering to add it.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

WORKSPACE_KWARG = "workspace_slug"
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class WorkspaceUrl:
    route: str  # e.g. "w/<slug:workspace_slug>/members/<int:membership_id>/role/"
    name: str  # the url name, or the route when the pattern has none
    module: str  # the view's module, e.g. "hls.tenancy.views"

    @property
    def kwargs(self) -> list[str]:
        return [m["name"] for m in _PARAMETER.finditer(self.route) if m["name"] != WORKSPACE_KWARG]

    def build(self, slug: str, values: dict[str, object]) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match["name"]
            return slug if name == WORKSPACE_KWARG else str(values[name])

        return "/" + _PARAMETER.sub(fill, self.route)

    def __str__(self) -> str:
        return self.name


def _walk(patterns: list, prefix: str = "") -> list[WorkspaceUrl]:
    found: list[WorkspaceUrl] = []
    for entry in patterns:
        if not isinstance(entry.pattern, RoutePattern):
            if f":{WORKSPACE_KWARG}>" not in prefix:
                continue  # outside /w/<slug>/ (the API router's regex routes)
            raise AssertionError(
                f"{prefix}{entry.pattern} is a regex pattern: tests/workspace_urls.py only reads "
                "path() routes. Use path(), or teach it to build regex URLs."
            )
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and f":{WORKSPACE_KWARG}>" in route:
            module = getattr(entry.callback, "__module__", "")
            found.append(WorkspaceUrl(route=route, name=entry.name or route, module=module))
    return found


def workspace_urls(module_prefix: str = "") -> list[WorkspaceUrl]:
    """Every workspace URL, or those whose view lives under `module_prefix` (e.g. "cycles.")."""
    return [u for u in _walk(get_resolver().url_patterns) if u.module.startswith(module_prefix)]
