"""What every part of the workspace export shares: the exporting member's standing (`Naming`),
read once for the whole export, and the shape of a resource (its columns and the function that
reads its rows). The resources themselves live beside this module (`dataio/exports.py` and
`dataio/export_*.py`); `dataio/coverage.py` says which models each one carries."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from cycles.models import Cycle, EntryQuerySet
from cycles.selectors import entries_visible_to
from cycles.trust import Trust, trust_for
from hls.accounts.models import User
from hls.tenancy.models import Membership, Workspace
from hls.tenancy.selectors import workspace_members
from systems.models import Person, System
from systems.people.selectors import people_visible_to
from systems.selectors import systems_by_id

Rows = list[dict[str, Any]]


class Naming:
    """The exporting member's Trust, their membership, every member, every system (parents
    loaded) and every cycle: four queries for the whole export, then names with no more.

    Who is named follows `cycles.trust`: someone's work in a cycle carries their email only
    where the member would see them named (`email_in`); work outside any cycle (a session, a
    report, a method template) is named as its page names it, to every member (`email`). A
    former member is never named (their email is no longer the workspace's to give)."""

    def __init__(self, workspace: Workspace, user: User) -> None:
        self.workspace = workspace
        self.user = user
        self.trust: Trust = trust_for(workspace=workspace, user=user)
        self.systems: dict[int, System] = systems_by_id(workspace=workspace)
        self.members: dict[int, Membership] = {
            m.user_id: m for m in workspace_members(workspace=workspace)
        }
        self.membership: Membership | None = self.members.get(user.pk)
        self.cycles: dict[int, Cycle] = {
            c.pk: c for c in Cycle.objects.filter(workspace=workspace).order_by("pk")
        }
        for c in self.cycles.values():
            c.system = self.systems[c.system_id]
        self._entries: EntryQuerySet | None = None
        self._memo: dict[str, Any] = {}

    def entries(self) -> EntryQuerySet:
        """The entries the member may read (`entries_visible_to`), built once: a query to
        use inside others (`.values("pk")`), never read whole here."""
        if self._entries is None:
            self._entries = entries_visible_to(
                workspace=self.workspace, user=self.user, worked_in=self.worked_in
            )
        return self._entries

    def people(self) -> QuerySet[Person]:
        """The people the member works with (`people_visible_to`), as a query."""
        return people_visible_to(workspace=self.workspace, user=self.user)

    def memo(self, key: str, read: Callable[[], Any]) -> Any:
        """What two files of the export both need, read once."""
        if key not in self._memo:
            self._memo[key] = read()
        return self._memo[key]

    @property
    def worked_in(self) -> frozenset[int]:
        return self.trust.systems

    def system(self, system_id: int | None) -> str:
        system = self.systems.get(system_id) if system_id is not None else None
        return self.trust.system_name(system) if system is not None else ""

    def cycle(self, cycle: Cycle) -> str:
        cycle.system = self.systems[cycle.system_id]
        return self.trust.cycle_name(cycle)

    def cycle_of(self, cycle_id: int | None) -> str:
        """A cycle's name by its id, as the member may see it ("" for none)."""
        cycle = self.cycles.get(cycle_id) if cycle_id is not None else None
        return self.trust.cycle_name(cycle) if cycle is not None else ""

    def inside(self, cycle_id: int | None) -> bool:
        cycle = self.cycles.get(cycle_id) if cycle_id is not None else None
        return cycle is not None and self.trust.inside(cycle)

    def email(self, user_id: int | None) -> str:
        """A current member's email ("" for nobody, or one who has left)."""
        member = self.members.get(user_id) if user_id is not None else None
        return member.user.email if member is not None else ""

    def email_in(self, user_id: int | None, cycle_id: int | None) -> str:
        """Someone's email for their work in a cycle, where the member sees them named."""
        cycle = self.cycles.get(cycle_id) if cycle_id is not None else None
        if cycle is None or not self.trust.names_member(user_id, cycle):
            return ""
        return self.email(user_id)


def as_json(value: Any) -> str:
    """A JSON field's value as one cell (both files hold the same text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Resource:
    """One file pair of the export: its columns (also the header of an empty file) and the
    function that reads its rows as the exporting member may see them."""

    columns: tuple[str, ...]
    rows: Callable[[Workspace, User, Naming], Rows]


def resource(*columns: str) -> Callable[[Callable[[Workspace, User, Naming], Rows]], Resource]:
    def wrap(rows: Callable[[Workspace, User, Naming], Rows]) -> Resource:
        return Resource(columns=columns, rows=rows)

    return wrap
