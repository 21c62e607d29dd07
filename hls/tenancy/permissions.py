"""What each role may do. One table, read by views, services and tests alike."""

from hls.tenancy.models import Membership, Role

EVERYONE = frozenset(Role)

CAPABILITIES: dict[str, frozenset[Role]] = {
    "workspace.view": EVERYONE,
    "members.view": EVERYONE,
    "members.invite": frozenset({Role.ADMIN, Role.STEWARD}),
    "members.manage": frozenset({Role.ADMIN}),
}


def can(membership: Membership | None, capability: str) -> bool:
    return membership is not None and membership.role in CAPABILITIES[capability]
