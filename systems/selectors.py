"""Reads for systems. Who works where decides what people may see (see cycles/selectors.py)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hls.accounts.models import User
from hls.tenancy.models import Organisation, Workspace
from systems.models import (
    Actor,
    Factor,
    MapSnapshot,
    Person,
    Relationship,
    Scale,
    System,
    SystemChange,
    SystemMember,
)


def _systems_worked_in(*, workspace: Workspace, user: User) -> QuerySet[System]:
    return System.objects.filter(workspace=workspace).filter(
        Q(systemmember__user=user) | Q(cycles__cyclemember__user=user)
    )


def systems_worked_in(*, workspace: Workspace, user: User) -> set[int]:
    """Systems whose team the user is in, or in one of whose cycles the user takes part."""
    return set(
        _systems_worked_in(workspace=workspace, user=user).values_list("pk", flat=True).distinct()
    )


def request_systems_worked_in(request: Any) -> frozenset[int]:
    """`systems_worked_in` for the signed-in member of a workspace request, worked out once per
    request (cycles.trust's `request_trust` is built on it too)."""
    found: frozenset[int] | None = getattr(request, "_systems_worked_in", None)
    if found is None:
        found = frozenset(systems_worked_in(workspace=request.workspace, user=request.user))
        request._systems_worked_in = found
    return found


def systems_below(*, workspace: Workspace, system_ids: set[int]) -> set[int]:
    """Every system nested (at any depth) under the given ones, not counting them."""
    if not system_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE below(id) AS (
                SELECT id FROM systems_system
                WHERE workspace_id = %s AND parent_id = ANY(%s)
              UNION
                SELECT s.id FROM systems_system s JOIN below b ON s.parent_id = b.id
                WHERE s.workspace_id = %s
            )
            SELECT id FROM below
            """,
            [workspace.pk, list(system_ids), workspace.pk],
        )
        return {row[0] for row in cursor.fetchall()}


def system_name_for(system: System, *, worked_in: Collection[int]) -> str:
    """A system's name as someone who works in `worked_in` may see it: a person's life, seen
    from outside, by a pseudonymous name ("A person's life · Team A"), since it is usually named
    after its person (the rule of cycles.trust, which names cycles the same way)."""
    if not system.scale.is_person_scale or system.pk in worked_in:
        return system.name
    if system.parent is None:
        return str(_("A person's life"))
    parent = system_name_for(system.parent, worked_in=worked_in)
    return str(_("A person's life · %(parent)s") % {"parent": parent})


def works_with_person(*, workspace: Workspace, user: User, person: Person) -> bool:
    """Whether the user works on this person's cycle: in the team of the person's own system or
    taking part in one of its cycles. Only they may see the person's identity."""
    if person.system_id is None:
        return person.created_by_id == user.pk
    return person.system_id in systems_worked_in(workspace=workspace, user=user)


def people_worked_with(*, workspace: Workspace, user: User) -> QuerySet[Person]:
    """`works_with_person` as a queryset: those of a system the user works in, or, with no
    system, those the user recorded."""
    worked_in = _systems_worked_in(workspace=workspace, user=user).values("pk")
    return Person.objects.filter(workspace=workspace).filter(
        Q(system_id__in=worked_in) | Q(system__isnull=True, created_by=user)
    )


def system_member_ids(*, workspace: Workspace, system: System) -> set[int]:
    return set(
        SystemMember.objects.filter(workspace=workspace, system=system).values_list(
            "user_id", flat=True
        )
    )


# Scales and systems ----------------------------------------------------------------------------


def scales_of(*, workspace: Workspace) -> QuerySet[Scale]:
    """The workspace's scales, smallest first."""
    return Scale.objects.filter(workspace=workspace).order_by("position", "pk")


def scales_in_use(*, workspace: Workspace) -> set[int]:
    return set(
        System.objects.filter(workspace=workspace).values_list("scale_id", flat=True).distinct()
    )


@dataclass
class SystemNode:
    system: System
    children: list[SystemNode] = field(default_factory=list)


def systems_tree(*, workspace: Workspace) -> list[SystemNode]:
    """Every system, nested under its parent (one query). Roots are in scale order, then name."""
    systems = list(
        System.objects.filter(workspace=workspace)
        .select_related("scale")
        .order_by("scale__position", "name", "pk")
    )
    nodes = {s.pk: SystemNode(s) for s in systems}
    roots: list[SystemNode] = []
    for s in systems:
        parent = nodes.get(s.parent_id) if s.parent_id else None
        if parent:
            s.parent = parent.system  # (loaded: a person's life is named after its parent)
        (parent.children if parent else roots).append(nodes[s.pk])
    return roots


def systems_by_id(*, workspace: Workspace) -> dict[int, System]:
    """Every system with its scale, each parent set from the same query (one query): enough to
    name any system or cycle by `Trust.system_name` / `Trust.cycle_name` with no more."""
    systems = {s.pk: s for s in System.objects.filter(workspace=workspace).select_related("scale")}
    for s in systems.values():
        if s.parent_id is not None and s.parent_id in systems:
            s.parent = systems[s.parent_id]
    return systems


def system_with_people(*, workspace: Workspace, system_id: int) -> System:
    """One system with its scale, parent, children, organisations and members loaded."""
    return (
        System.objects.filter(workspace=workspace)
        .select_related("scale", "parent__scale", "created_by")
        .prefetch_related(
            Prefetch("organisations", queryset=Organisation.objects.order_by("name")),
            Prefetch("members", queryset=User.objects.order_by("full_name", "email")),
            Prefetch("children", queryset=System.objects.select_related("scale").order_by("name")),
        )
        .get(pk=system_id)
    )


def system_history(*, workspace: Workspace, system: System) -> QuerySet[SystemChange]:
    return SystemChange.objects.filter(workspace=workspace, system=system).select_related(
        "changed_by"
    )


FIELD_LABELS = {
    "name": _("Name"),
    "purpose": _("Purpose"),
    "scale": _("Scale"),
    "parent": _("Part of"),
    "members": _("People who work in it"),
    "organisations": _("Member organisations"),
}


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return "—" if value in (None, "") else str(value)


@dataclass
class HistoryEntry:
    change: SystemChange
    lines: list[tuple[str, str, str]]  # (what, before, after)


def system_history_lines(
    *, workspace: Workspace, system: System, names_shown: bool = True
) -> list[HistoryEntry]:
    """The boundary history, newest first, as readable lines. Without `names_shown` (a person's
    life seen from outside: `Trust.system_name`), its former and new names are left out."""
    return [
        HistoryEntry(
            change=change,
            lines=[
                (str(FIELD_LABELS.get(name, name)), _as_text(values[0]), _as_text(values[1]))
                for name, values in change.changes.items()
                if names_shown or name != "name"
            ],
        )
        for change in system_history(workspace=workspace, system=system)
    ]


def workspace_users(*, workspace: Workspace) -> QuerySet[User]:
    return User.objects.filter(memberships__workspace=workspace).order_by("full_name", "email")


# The map ---------------------------------------------------------------------------------------


@dataclass
class SystemMap:
    actors: list[Actor]
    factors: list[Factor]
    relationships: list[Relationship]


def system_map(*, workspace: Workspace, system: System) -> SystemMap:
    """The actors, factors and relationships of a system's map (three queries)."""
    return SystemMap(
        actors=list(
            Actor.objects.filter(workspace=workspace, system=system).order_by("name", "pk")
        ),
        factors=list(
            Factor.objects.filter(workspace=workspace, system=system).order_by("name", "pk")
        ),
        relationships=list(
            Relationship.objects.filter(workspace=workspace, system=system)
            .select_related("source_actor", "target_actor", "source_factor", "target_factor")
            .order_by("pk")
        ),
    )


def relationship_ends(relationship: Relationship) -> tuple[Actor | Factor, Actor | Factor]:
    if relationship.source_actor_id is not None:
        assert relationship.source_actor is not None
        assert relationship.target_actor is not None
        return relationship.source_actor, relationship.target_actor
    assert relationship.source_factor is not None
    assert relationship.target_factor is not None
    return relationship.source_factor, relationship.target_factor


def node_id(node: Actor | Factor) -> str:
    return f"a{node.pk}" if isinstance(node, Actor) else f"f{node.pk}"


def map_as_data(the_map: SystemMap) -> dict[str, list[dict[str, Any]]]:
    """The map as plain data: what the interactive map draws and what a snapshot stores."""
    relationships = []
    for r in the_map.relationships:
        source, target = relationship_ends(r)
        relationships.append(
            {
                "id": r.pk,
                "kind": "actor" if isinstance(source, Actor) else "factor",
                "source": node_id(source),
                "target": node_id(target),
                "source_name": source.name,
                "target_name": target.name,
                "sign": r.sign,
                "label": r.label,
            }
        )
    return {
        "actors": [
            {
                "id": f"a{a.pk}",
                "name": a.name,
                "kind": a.kind,
                "role": a.role,
                "participation": a.participation,
            }
            for a in the_map.actors
        ],
        "factors": [
            {"id": f"f{f.pk}", "name": f.name, "description": f.description}
            for f in the_map.factors
        ],
        "relationships": relationships,
    }


def map_data(*, workspace: Workspace, system: System) -> dict[str, list[dict[str, Any]]]:
    return map_as_data(system_map(workspace=workspace, system=system))


def snapshots_of(*, workspace: Workspace, system: System) -> QuerySet[MapSnapshot]:
    return (
        MapSnapshot.objects.filter(workspace=workspace, system=system)
        .select_related("taken_by")
        .defer("data")
    )


@dataclass
class Change:
    name: str
    fields: list[tuple[str, Any, Any]]  # (field, before, after)


@dataclass
class SectionDiff:
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _relationship_text(item: dict[str, Any]) -> str:
    arrow = "→" if item.get("kind") == "factor" else "—"
    sign = f" ({item['sign']})" if item.get("sign") else ""
    label = f": {item['label']}" if item.get("label") else ""
    return f"{item.get('source_name', '?')} {arrow} {item.get('target_name', '?')}{sign}{label}"


_NOT_COMPARED = {"id", "kind", "source", "target", "source_name", "target_name"}


def map_diff(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> dict[str, SectionDiff]:
    """What changed between two maps (snapshot data or `map_data`), by section."""
    result: dict[str, SectionDiff] = {}
    for section in ("actors", "factors", "relationships"):
        old = {str(item["id"]): item for item in before.get(section, [])}
        new = {str(item["id"]): item for item in after.get(section, [])}
        diff = SectionDiff()
        for key, item in new.items():
            if key not in old:
                diff.added.append(item)
                continue
            fields = [
                (name, old[key].get(name), value)
                for name, value in item.items()
                if name not in _NOT_COMPARED and old[key].get(name) != value
            ]
            if section == "relationships" and (
                old[key].get("source") != item.get("source")
                or old[key].get("target") != item.get("target")
            ):  # (a renamed node shows under its own section, not here)
                fields.append(("link", _relationship_text(old[key]), _relationship_text(item)))
            if fields:
                name = _relationship_text(item) if section == "relationships" else item["name"]
                diff.changed.append(Change(name=name, fields=fields))
        diff.removed = [item for key, item in old.items() if key not in new]
        if section == "relationships":
            for item in (*diff.added, *diff.removed):
                item["text"] = _relationship_text(item)
        result[section] = diff
    return result
