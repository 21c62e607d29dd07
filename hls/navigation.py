"""The workspace navigation: one table of where each item goes (`NAVIGATION`), shown to a
member only where the page would answer them.

An item names the URL it links to, never a permission: whether a role may open it is read
from the view behind that URL (`workspace_view("<capability>")` leaves the capability on the
view), so the menu and the pages cannot drift apart. `tests/hls/test_navigation.py` walks every
item for every role and opens it.

The core names the apps' pages by URL name only (it imports no domain app). Everyday pages
are in the bar; the reference pages are grouped under "More", the workspace's own settings
(members, scales, integrations, data) under "Workspace", so the bar fits a 1280 px screen on
one line; on a phone the whole list folds into a menu button (`templates/workspace_nav.html`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hls.tenancy.permissions import CAPABILITIES, can


@dataclass(frozen=True)
class NavLink:
    url_name: str  # a workspace URL that takes no argument but the slug
    label: str | Promise
    # What marks the link as the current page: URL names, or prefixes ending in "-"
    # ("cycle-" for every cycle page). The longest match wins, so "cycle-pattern-" (Patterns)
    # beats "cycle-" (Cycles).
    matches: tuple[str, ...] = ()

    @property
    def capability(self) -> str:
        return view_capability(self.url_name)

    def match_length(self, url_name: str) -> int:
        """How closely this link matches the current page's URL name (0: not at all)."""
        best = 0
        for pattern in (self.url_name, *self.matches):
            exact = url_name == pattern
            prefix = pattern.endswith("-") and url_name.startswith(pattern)
            if exact or prefix:
                best = max(best, len(pattern) + (1 if exact else 0))
        return best


@dataclass(frozen=True)
class NavGroup:
    key: str  # for ids in the markup
    label: str | Promise
    links: tuple[NavLink, ...]


NAVIGATION: tuple[NavLink | NavGroup, ...] = (
    NavLink("workspace-home", _("Today")),
    NavLink("partner-home", _("Partner home"), ("partner-",)),  # learning partners only
    NavLink("cycle-list", _("Cycles"), ("cycle-", "entry-", "barrier-", "enabler-")),
    NavLink(
        "patterns-home",
        _("Patterns"),
        ("cycle-patterns", "cycle-pattern-", "cycle-questions", "context-"),
    ),
    NavLink("experiment-list", _("Experiments"), ("experiment-", "cycle-experiments")),
    NavLink("people", _("People"), ("person-",)),
    NavLink("session-list", _("Sessions"), ("session-", "meeting-")),
    NavLink("report-list", _("Reports"), ("report-",)),
    NavGroup(
        "more",
        _("More"),
        (
            NavLink("place-list", _("Place cycles"), ("place-",)),
            NavLink(
                "systems",
                _("Systems"),
                ("system-", "actor-", "factor-", "relationship-", "snapshots", "snapshot-"),
            ),
            NavLink("theme-list", _("Themes"), ("theme-",)),
            NavLink("question-list", _("Question bank"), ("question-",)),
            NavLink("methods", _("Methods"), ("method",)),
            NavLink("signifier-sets", _("Signifier sets"), ("signifier-",)),
        ),
    ),
    NavGroup(
        "workspace",
        _("Workspace"),
        (
            NavLink("members", _("Members"), ("member-", "invitation-")),
            NavLink("scales", _("Scales"), ("scale-",)),
            NavLink("api-keys", _("Integrations"), ("api-", "webhook-")),
            NavLink("data-import", _("Data import and export"), ("data-",)),
            NavLink("retention", _("Retention"), ("retention-",)),
            NavLink("audit-log", _("Audit log"), ("audit-",)),
        ),
    ),
)


def links() -> list[NavLink]:
    """Every link of the navigation, groups opened."""
    found: list[NavLink] = []
    for item in NAVIGATION:
        found += item.links if isinstance(item, NavGroup) else [item]
    return found


@functools.cache
def view_capability(url_name: str) -> str:
    """The capability the view behind `url_name` requires (set by `workspace_view`)."""
    view = resolve(reverse(url_name, kwargs={"workspace_slug": "any"})).func
    capability = getattr(view, "capability", None)
    if capability not in CAPABILITIES:
        raise LookupError(f"{url_name}: its view is not a workspace_view with a capability")
    return str(capability)


def workspace_navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The navigation as the member of this request may use it: links they may open, groups
    with at least one such link, and the current page marked (a group is current when one of
    its links is). No query."""
    membership = getattr(request, "membership", None)
    workspace = getattr(request, "workspace", None)
    if workspace is None or membership is None:
        return []
    match = getattr(request, "resolver_match", None)
    here = (match.url_name or "") if match is not None else ""
    lengths = {link.url_name: link.match_length(here) for link in links()}
    best = max(lengths.values(), default=0)
    current = {name for name, length in lengths.items() if best and length == best}

    def shown(link: NavLink) -> dict[str, Any] | None:
        if not can(membership, link.capability):
            return None
        url = reverse(link.url_name, kwargs={"workspace_slug": workspace.slug})
        return {"label": link.label, "url": url, "current": link.url_name in current}

    items: list[dict[str, Any]] = []
    for item in NAVIGATION:
        if isinstance(item, NavLink):
            entry = shown(item)
            if entry is not None:
                items.append({"group": False, **entry})
            continue
        group_links = [entry for link in item.links if (entry := shown(link)) is not None]
        if group_links:
            items.append(
                {
                    "group": True,
                    "key": item.key,
                    "label": item.label,
                    "links": group_links,
                    "current": any(entry["current"] for entry in group_links),
                }
            )
    return items
