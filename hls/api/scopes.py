"""What an API key may do: read or write per resource family, and identity apart.

`<family>:write` includes reading that family. `identity:read` is never implied by anything
else: it shows the names and contact details of people served to those who work with them.
"""

FAMILIES: dict[str, str] = {
    "systems": "Systems, scales, actors, factors and map links",
    "people": "People served (pseudonymous) and their consent",
    "cycles": (
        "Cycles, entries, experiments, themes, links, barriers, enablers, patterns, "
        "signifier sets and placements"
    ),
    "sessions": "Sense-making sessions and their outputs",
    "reports": "Learning reports",
    "methods": "Guided methods: templates and runs",
    "measures": "Measures kept to learn, their values and the signals from the cycles below",
    "webhooks": "Webhook subscriptions and their deliveries",
}
IDENTITY = "identity:read"

ALL_SCOPES: list[str] = [
    f"{family}:{access}" for family in FAMILIES for access in ("read", "write")
] + [IDENTITY]


def allows(scopes: list[str] | None, family: str, *, write: bool) -> bool:
    """`scopes` None means a browser session: the member's role decides, not a scope."""
    if scopes is None:
        return True
    if family == "identity":
        return IDENTITY in scopes
    return f"{family}:write" in scopes or (not write and f"{family}:read" in scopes)
