"""What each role may do. One table, read by views, services and tests alike."""

from hls.tenancy.models import Membership, Role

EVERYONE = frozenset(Role)

CAPABILITIES: dict[str, frozenset[Role]] = {
    "workspace.view": EVERYONE,
    "members.view": EVERYONE,
    "members.invite": frozenset({Role.ADMIN, Role.STEWARD}),
    "members.manage": frozenset({Role.ADMIN}),
    # partner API keys, webhooks, imports and exports (hls/api)
    "integrations.manage": frozenset({Role.ADMIN}),
    # the workspace's audit log (hls/audit): who did what, when; for admins only.
    "audit.read": frozenset({Role.ADMIN}),
    # systems/: scales are the workspace's vocabulary; systems and maps are shared work.
    "scales.manage": frozenset({Role.ADMIN}),
    "systems.manage": frozenset({Role.ADMIN, Role.STEWARD, Role.MANAGER, Role.PRACTITIONER}),
    # people served: those who work with people record them; viewers and partners never do.
    "people.manage": frozenset({Role.ADMIN, Role.MANAGER, Role.PRACTITIONER}),
    # a subject access file: everything held about one person, for an admin who works with them
    # (systems/people/subject_access.py).
    "people.subject_access": frozenset({Role.ADMIN}),
    # erasing a person served, and how long the workspace keeps identities and drafts
    # (stewardship/privacy): the workspace's duty to the people it serves, for admins only.
    "privacy.manage": frozenset({Role.ADMIN}),
    # cycles/: everyone who takes part in learning logs it; viewers only read.
    "cycles.manage": frozenset({Role.ADMIN, Role.STEWARD, Role.MANAGER, Role.PRACTITIONER}),
    "entries.create": EVERYONE - {Role.VIEWER},
    "themes.manage": frozenset({Role.ADMIN, Role.STEWARD, Role.MANAGER}),
    # stewardship/: stewards configure place cycles; hosting sense-making and editing the
    # question bank are shared with those who convene learning; everyone but viewers takes part.
    "stewardship.manage": frozenset({Role.ADMIN, Role.STEWARD}),
    "questions.manage": frozenset({Role.ADMIN, Role.STEWARD, Role.MANAGER, Role.LEARNING_PARTNER}),
    "sessions.manage": EVERYONE - {Role.VIEWER},
    "reports.manage": frozenset({Role.ADMIN, Role.STEWARD, Role.MANAGER, Role.LEARNING_PARTNER}),
    "reports.contribute": EVERYONE - {Role.VIEWER},
    # stewardship/partners/: a learning partner's home across the cycles it supports. Who may
    # write, read and answer a heads-up note is decided per cycle (stewardship/partners/access.py).
    "partners.home": frozenset({Role.LEARNING_PARTNER}),
    # stewardship/methods/: writing and adapting the workspace's own methods (templates).
    "methods.manage": EVERYONE - {Role.VIEWER},
    # taking part in a method run (joining, answering, facilitating); viewers only read.
    "methods.run": EVERYONE - {Role.VIEWER},
}


def can(membership: Membership | None, capability: str) -> bool:
    return membership is not None and membership.role in CAPABILITIES[capability]


# Roles a workspace may require two-step sign-in of (Workspace.require_two_factor): those who
# set the workspace up and steward it. The check is TenancyMiddleware's, on every workspace page.
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.STEWARD})


def two_factor_required(membership: Membership) -> bool:
    """Whether this membership may use the workspace only once its user has two-step sign-in."""
    return membership.workspace.require_two_factor and membership.role in TWO_FACTOR_ROLES
