"""Who sees and who steers whose work: the one rule for trust between cycles.

A member is *inside* a cycle when they take part in it or work in its system (its team): the
same "works in" that decides who sees a person's identity (`systems.selectors.systems_worked_in`).
Everyone else looks at the cycle from outside: from a cycle above, a peer, elsewhere in the
workspace, or as an admin or a partner key (which acts as its creating admin).

- **Named within the cycle, the cycle's name outside it.** Inside, people are named (authors,
  owners). Outside, work shows the cycle, never the person; an author may sign an entry they
  share wider, and always sees their own name.
- **Only the cycle steers its own work.** Designing, changing, starting, ending and deleting an
  experiment, moving a phase, changing the cycle and starting from another cycle's design stay
  with those inside. Entries change only with their author. Those above ask (questions back),
  offer (enablers) and answer (barriers); they never act on a cycle's work.
- **A person's life is shown by a pseudonymous name** outside those who work with the person
  ("A person's life · Team A"): a person-scale cycle is usually named after its person.

`RULES` is the table `docs/people-and-privacy.md` shows and `tests/cycles/test_trust_matrix.py`
checks on every surface. Services call `require_steer`; pages, the API, exports and reports
name people through `Trust`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from hls.accounts.models import User
from hls.tenancy.models import Workspace
from hls.tenancy.permissions import can
from systems.selectors import request_systems_worked_in, system_name_for, systems_worked_in

if TYPE_CHECKING:
    from cycles.models import Cycle, Entry, Experiment
    from systems.models import System


class Relation(enum.StrEnum):
    """How a viewer stands to a cycle's work (the columns of the rules table). A partner key
    stands where its creating admin stands, narrowed by its scopes."""

    AUTHOR = "author or owner"
    SAME_CYCLE = "same cycle"
    ABOVE = "the cycle above"
    FURTHER_ABOVE = "a cycle further above"
    PEER = "peer cycle"
    WORKSPACE = "elsewhere in the workspace"
    ADMIN = "admin, not in the cycle"
    PARTNER_KEY = "partner key of an admin above"


INSIDE = frozenset({Relation.AUTHOR, Relation.SAME_CYCLE})


@dataclass(frozen=True)
class Rule:
    """Who may do `action` to a kind of object, by their relation to the object's cycle (for a
    person: their own life's cycle; for a barrier: the cycle that raised it)."""

    kind: str
    action: str
    relations: frozenset[Relation]


# Seeing the work itself follows its visibility (entries: `cycles.selectors.entries_visible_to`);
# this table decides who is named and who acts. Those above never act on a cycle's work: they ask
# (questions back to context), offer (enablers) and answer (barriers).
RULES: tuple[Rule, ...] = (
    Rule("entry", "see who wrote it (unless they signed it)", INSIDE),
    Rule("entry", "edit, delete or restore it", frozenset({Relation.AUTHOR})),
    Rule("experiment", "see who owns it", INSIDE),
    Rule("experiment", "design, change, start or end it", INSIDE),
    Rule("cycle", "move its phase, change its settings", INSIDE),
    Rule("cycle", "start from another cycle's design, into it", INSIDE),
    Rule("cycle", "see a person-scale cycle's own name", INSIDE),
    Rule("barrier", "answer it, or pass it further up", frozenset({Relation.ABOVE})),
    Rule("barrier", "see how long it has waited", frozenset({Relation.ABOVE})),
    Rule(
        "barrier",
        "see every answer from every level, in order",
        INSIDE | {Relation.ABOVE, Relation.FURTHER_ABOVE, Relation.PARTNER_KEY},
    ),
    Rule("person", "open their record, consent history and what matters", INSIDE),
)


def rules_table() -> str:
    """RULES as the Markdown table in docs/people-and-privacy.md (a test keeps them equal)."""
    relations = list(Relation)
    lines = [
        "| What | " + " | ".join(r.value for r in relations) + " |",
        "|---|" + "---|" * len(relations),
    ]
    for rule in RULES:
        cells = ["yes" if r in rule.relations else "no" for r in relations]
        lines.append(f"| {rule.kind}: {rule.action} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass(frozen=True)
class Trust:
    """One member's standing towards every cycle of the workspace, worked out once (one query)
    per request, task or report."""

    workspace_id: int
    user_id: int
    systems: frozenset[int]  # the systems the member works in

    def inside(self, cycle: Cycle) -> bool:
        return cycle.system_id in self.systems

    def may_steer(self, cycle: Cycle) -> bool:
        return self.inside(cycle)

    def names_member(self, user_id: int | None, cycle: Cycle) -> bool:
        """Whether someone's work in `cycle` (a phase move, an answer) carries their name."""
        return user_id == self.user_id or self.inside(cycle)

    def names_author(self, entry: Entry) -> bool:
        """Whether the entry's author is named to this member."""
        # (the cycle is read last: a list of one's own entries needs no cycle loaded)
        return entry.author_id == self.user_id or entry.signed or self.inside(entry.cycle)

    def names_owner(self, experiment: Experiment) -> bool:
        return experiment.owner_id == self.user_id or self.inside(experiment.cycle)

    def system_name(self, system: System) -> str:
        return system_name_for(system, worked_in=self.systems)

    def cycle_name(self, cycle: Cycle) -> str:
        """The cycle's name, or for a person's life seen from outside, a pseudonymous one."""
        if self.inside(cycle) or not cycle.system.scale.is_person_scale:
            return cycle.name
        return self.system_name(cycle.system)

    def member_label(self, user: User | None, cycle: Cycle) -> str:
        """Who did something in `cycle`, as this member may see it."""
        if self.names_member(user.pk if user else None, cycle):
            return user.display_name if user else _("someone who has left")
        return self.cycle_name(cycle)

    def author_label(self, entry: Entry) -> str:
        """Who wrote it, as this member may see it: the person inside, the cycle outside."""
        if self.names_author(entry):
            return entry.author.display_name if entry.author else _("someone who has left")
        return self.cycle_name(entry.cycle)

    def owner_label(self, experiment: Experiment) -> str:
        if self.names_owner(experiment):
            return experiment.owner.display_name if experiment.owner else "—"
        return self.cycle_name(experiment.cycle)


def trust_for(*, workspace: Workspace, user: User) -> Trust:
    return Trust(
        workspace_id=workspace.pk,
        user_id=user.pk,
        systems=frozenset(systems_worked_in(workspace=workspace, user=user)),
    )


def request_trust(request: Any) -> Trust:
    """The signed-in member's Trust, worked out once per request."""
    trust: Trust | None = getattr(request, "_trust", None)
    if trust is None:
        trust = Trust(
            workspace_id=request.workspace.pk,
            user_id=request.user.pk,
            systems=request_systems_worked_in(request),
        )
        request._trust = trust
    return trust


def request_may_steer(request: Any, cycle: Cycle) -> bool:
    """Whether to offer the signed-in member the controls that steer `cycle` (design, change,
    end, move its phase, adapt a design into it): their role manages cycles and they are
    inside it. Display only; the services decide."""
    return can(request.membership, "cycles.manage") and request_trust(request).may_steer(cycle)


def steer_refused_message() -> str:
    return _(
        "Only the cycle's own members steer its work. From outside, ask a question back, offer "
        "an enabler or answer its barriers."
    )


def require_steer(*, workspace: Workspace, user: User, cycle: Cycle) -> None:
    """Raise PermissionDenied unless `user` is inside `cycle` (a member, or in its team)."""
    if not trust_for(workspace=workspace, user=user).may_steer(cycle):
        raise PermissionDenied(steer_refused_message())
