"""The export's files for the workspace's members and organisations, and for its systems: who
works in them, their boundary's history and their maps (actors, factors, relationships and
snapshots). Every member sees every system's map and history on its pages, so every row
travels; a person's life seen from outside keeps its pseudonymous name (`Naming.system`), and
its history leaves out its former and new names, as the system's page does."""

from __future__ import annotations

from dataio.export_naming import Naming, Rows, as_json, resource
from hls.accounts.models import User
from hls.tenancy.models import Organisation, Workspace
from systems.models import (
    Actor,
    Factor,
    MapSnapshot,
    Relationship,
    SystemChange,
    SystemMember,
    SystemOrganisation,
)


@resource("id", "name", "created_at")
def organisations(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {"id": o.pk, "name": o.name, "created_at": o.created_at}
        for o in Organisation.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource("email", "full_name", "role", "organisation_id", "organisation", "joined_at")
def members(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """The members list every member sees (`members.view`): email, name, role, organisation."""
    return [
        {
            "email": m.user.email,
            "full_name": m.user.full_name,
            "role": m.role,
            "organisation_id": m.organisation_id,
            "organisation": m.organisation.name if m.organisation else "",
            "joined_at": m.created_at,
        }
        for m in sorted(naming.members.values(), key=lambda m: m.pk)
    ]


@resource("system_id", "system", "organisation_id", "organisation")
def system_organisations(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "system_id": so.system_id,
            "system": naming.system(so.system_id),
            "organisation_id": so.organisation_id,
            "organisation": so.organisation.name,
        }
        for so in SystemOrganisation.objects.filter(workspace=workspace)
        .select_related("organisation")
        .order_by("system_id", "organisation_id")
    ]


@resource("system_id", "system", "email")
def system_members(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Who works in each system (its team), as its page lists them."""
    return [
        {"system_id": sm.system_id, "system": naming.system(sm.system_id), "email": email}
        for sm in SystemMember.objects.filter(workspace=workspace).order_by("system_id", "pk")
        if (email := naming.email(sm.user_id))
    ]


@resource("id", "system_id", "system", "changed_at", "changed_by_email", "reason", "changes")
def system_changes(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """The boundary's history. A person's life seen from outside: without its names."""
    rows = []
    for change in SystemChange.objects.filter(workspace=workspace).order_by("system_id", "pk"):
        system = naming.systems[change.system_id]
        names_shown = naming.system(system.pk) == system.name
        changes = {k: v for k, v in change.changes.items() if names_shown or k != "name"}
        rows.append(
            {
                "id": change.pk,
                "system_id": change.system_id,
                "system": naming.system(change.system_id),
                "changed_at": change.changed_at,
                "changed_by_email": naming.email(change.changed_by_id),
                "reason": change.reason,
                "changes": as_json(changes),
            }
        )
    return rows


@resource("id", "system_id", "system", "name", "kind", "role", "participation", "updated_at")
def actors(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": a.pk,
            "system_id": a.system_id,
            "system": naming.system(a.system_id),
            "name": a.name,
            "kind": a.kind,
            "role": a.role,
            "participation": a.participation,
            "updated_at": a.updated_at,
        }
        for a in Actor.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource("id", "system_id", "system", "name", "description", "updated_at")
def factors(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": f.pk,
            "system_id": f.system_id,
            "system": naming.system(f.system_id),
            "name": f.name,
            "description": f.description,
            "updated_at": f.updated_at,
        }
        for f in Factor.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource(
    "id", "system_id", "system", "kind", "source_id", "source", "target_id", "target", "sign",
    "label", "updated_at",
)  # fmt: skip
def relationships(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Each edge of a map, between two actors or two factors (`kind`), by id and by name."""
    rows = []
    for r in (
        Relationship.objects.filter(workspace=workspace)
        .select_related("source_actor", "target_actor", "source_factor", "target_factor")
        .order_by("pk")
    ):
        actor = r.source_actor_id is not None
        source = r.source_actor if actor else r.source_factor
        target = r.target_actor if actor else r.target_factor
        rows.append(
            {
                "id": r.pk,
                "system_id": r.system_id,
                "system": naming.system(r.system_id),
                "kind": "actor" if actor else "factor",
                "source_id": source.pk if source else None,
                "source": source.name if source else "",
                "target_id": target.pk if target else None,
                "target": target.name if target else "",
                "sign": r.sign,
                "label": r.label,
                "updated_at": r.updated_at,
            }
        )
    return rows


@resource("id", "system_id", "system", "label", "data", "taken_by_email", "taken_at")
def map_snapshots(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": s.pk,
            "system_id": s.system_id,
            "system": naming.system(s.system_id),
            "label": s.label,
            "data": as_json(s.data),
            "taken_by_email": naming.email(s.taken_by_id),
            "taken_at": s.taken_at,
        }
        for s in MapSnapshot.objects.filter(workspace=workspace).order_by("pk")
    ]


RESOURCES = {
    "organisations": organisations,
    "members": members,
    "system_organisations": system_organisations,
    "system_members": system_members,
    "system_changes": system_changes,
    "actors": actors,
    "factors": factors,
    "relationships": relationships,
    "map_snapshots": map_snapshots,
}
