"""Writes for scales, systems of interest and their maps. Keyword-only, typed, atomic.

Every service raises ValidationError({field: message}) for bad input, so forms can show the
message beside the field with what was typed kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from hls import notices
from hls.accounts.models import User
from hls.audit.services import tombstone_record
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.models import Membership, Organisation, Workspace
from systems.models import (
    DEFAULT_SCALES,
    Actor,
    Factor,
    MapSnapshot,
    Participation,
    Relationship,
    Scale,
    System,
    SystemChange,
    SystemMember,
    SystemOrganisation,
)
from systems.people.services import check_name_hides_person
from systems.selectors import map_data, systems_below

NAME_MAX = 160
SCALE_NAME_MAX = 60

# Scales ----------------------------------------------------------------------------------------


@transaction.atomic
def scales_ensure_defaults(*, workspace: Workspace) -> None:
    """Give the workspace the default scales the first time it needs them. Idempotent: once a
    workspace has any scale, its scales are its own and are left alone. The areas above hear of
    it (`SCALES_DEFAULTS_ADDED`) in this transaction: stewardship seeds the question bank."""
    if Scale.objects.filter(workspace=workspace).exists():
        return
    Scale.objects.bulk_create(
        [
            Scale(workspace=workspace, name=str(name), position=i, is_person_scale=i == 0)
            for i, name in enumerate(DEFAULT_SCALES)
        ],
        ignore_conflicts=True,  # two first requests at once: the second adds nothing
    )
    notices.publish(
        notices.Notice(
            event=notices.SCALES_DEFAULTS_ADDED,
            workspace_id=workspace.pk,
            object_id=workspace.pk,
            actor_id=None,
        )
    )


def _clean_scale_name(*, workspace: Workspace, name: str, scale: Scale | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the scale a name.")})
    if len(name) > SCALE_NAME_MAX:
        raise ValidationError(
            {"name": _("Keep the name to %(max)d characters or fewer.") % {"max": SCALE_NAME_MAX}}
        )
    taken = Scale.objects.filter(workspace=workspace, name__iexact=name)
    if scale is not None:
        taken = taken.exclude(pk=scale.pk)
    if taken.exists():
        raise ValidationError(
            {"name": _("There is already a scale called “%(name)s”.") % {"name": name}}
        )
    return name


@transaction.atomic
def scale_create(*, workspace: Workspace, name: str) -> Scale:
    name = _clean_scale_name(workspace=workspace, name=name)
    last = Scale.objects.filter(workspace=workspace).aggregate(m=Max("position"))["m"]
    return Scale.objects.create(
        workspace=workspace, name=name, position=0 if last is None else last + 1
    )


@transaction.atomic
def scale_rename(*, workspace: Workspace, scale: Scale, name: str) -> Scale:
    scale.name = _clean_scale_name(workspace=workspace, name=name, scale=scale)
    scale.save(update_fields=["name", "updated_at"])
    return scale


@transaction.atomic
def scale_move(*, workspace: Workspace, scale: Scale, direction: Literal["up", "down"]) -> None:
    """Swap the scale with its neighbour (up: towards the smallest scale)."""
    ordered = list(Scale.objects.select_for_update().filter(workspace=workspace))
    index = next(i for i, s in enumerate(ordered) if s.pk == scale.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    now = timezone.now()  # bulk_update does not touch auto_now fields: sync must see the move
    for position, item in enumerate(ordered):
        item.position = position
        item.updated_at = now
    Scale.objects.bulk_update(ordered, ["position", "updated_at"])


@transaction.atomic
def scale_delete(*, workspace: Workspace, scale: Scale) -> None:
    if System.objects.filter(workspace=workspace, scale=scale).exists():
        raise ValidationError(
            _("Systems are drawn at “%(name)s”, so it cannot be removed. Move them first.")
            % {"name": scale.name}
        )
    scale_id = scale.pk
    scale.delete()
    tombstone_record(workspace=workspace, resource="scales", object_id=scale_id)


# Systems of interest -------------------------------------------------------------------------

BOUNDARY_FIELDS = ("purpose", "parent", "scale", "members", "organisations")


@dataclass
class SystemInput:
    name: str
    scale: Scale
    purpose: str
    parent: System | None = None
    organisations: Iterable[Organisation] = ()
    members: Iterable[User] = ()
    keep_name: bool = False  # a name that contains the person's recorded name, kept knowingly


def _check_system_input(
    *, workspace: Workspace, data: SystemInput, system: System | None = None
) -> tuple[list[Organisation], list[User]]:
    errors: dict[str, str] = {}
    data.name = data.name.strip()
    data.purpose = data.purpose.strip()
    if not data.name:
        errors["name"] = _("Give the system a name.")
    elif len(data.name) > NAME_MAX:
        errors["name"] = _("Keep the name to %(max)d characters or fewer.") % {"max": NAME_MAX}
    if not data.purpose:
        errors["purpose"] = _("Say what this system is for: its purpose sets its boundary.")
    if data.scale.workspace_id != workspace.pk:
        errors["scale"] = _("Choose one of this workspace's scales.")
    if data.parent is not None:
        if data.parent.workspace_id != workspace.pk:
            errors["parent"] = _("Choose a system of this workspace.")
        elif system is not None and (
            data.parent.pk == system.pk
            or data.parent.pk in systems_below(workspace=workspace, system_ids={system.pk})
        ):
            errors["parent"] = _(
                "A system cannot sit inside itself or inside a system nested within it. "
                "Choose another parent."
            )
    organisations = list(data.organisations)
    if any(o.workspace_id != workspace.pk for o in organisations):
        errors["organisations"] = _("Choose organisations of this workspace.")
    members = list(data.members)
    member_ids = {u.pk for u in members}
    if member_ids and Membership.objects.filter(
        workspace=workspace, user_id__in=member_ids
    ).count() != len(member_ids):
        errors["members"] = _("Choose people who are members of this workspace.")
    if errors:
        raise ValidationError(errors)
    return organisations, members


def _set_links(
    *, workspace: Workspace, system: System, organisations: list[Organisation], members: list[User]
) -> None:
    SystemOrganisation.objects.filter(workspace=workspace, system=system).exclude(
        organisation__in=organisations
    ).delete()
    SystemOrganisation.objects.bulk_create(
        [
            SystemOrganisation(workspace=workspace, system=system, organisation=o)
            for o in organisations
        ],
        ignore_conflicts=True,
    )
    SystemMember.objects.filter(workspace=workspace, system=system).exclude(
        user__in=members
    ).delete()
    SystemMember.objects.bulk_create(
        [SystemMember(workspace=workspace, system=system, user=u) for u in members],
        ignore_conflicts=True,
    )


@transaction.atomic
def system_create(*, workspace: Workspace, created_by: User, data: SystemInput) -> System:
    organisations, members = _check_system_input(workspace=workspace, data=data)
    system = System.objects.create(
        workspace=workspace,
        name=data.name,
        scale=data.scale,
        purpose=data.purpose,
        parent=data.parent,
        created_by=created_by,
    )
    _set_links(workspace=workspace, system=system, organisations=organisations, members=members)
    return system


def _names(items: Iterable[Any]) -> list[str]:
    return sorted(str(getattr(i, "display_name", None) or i) for i in items)


@transaction.atomic
def system_update(
    *,
    workspace: Workspace,
    system: System,
    changed_by: User,
    data: SystemInput,
    reason: str = "",
    revision: int | None = None,
) -> SystemChange | None:
    """Change a system. Records {field: [before, after]} for each changed field; a change to
    its boundary (purpose, parent, scale, members, organisations) needs a reason. `revision`
    is the one the editor started from: if someone saved the system since, `EditConflict`
    and nothing is written (hls/conflicts.py)."""
    system = (
        System.objects.select_for_update(of=("self",))
        .select_related("scale", "parent")
        .get(workspace=workspace, pk=system.pk)
    )
    require_current(
        system,
        revision=revision,
        fields=["name", "purpose", "scale"],
        values={"scale": system.scale.name},
    )
    organisations, members = _check_system_input(workspace=workspace, data=data, system=system)
    before_orgs = _names(
        Organisation.objects.filter(workspace=workspace, systemorganisation__system=system)
    )
    before_members = _names(User.objects.filter(systemmember__system=system))
    changes: dict[str, list[Any]] = {}

    def compare(field: str, before: Any, after: Any) -> None:
        if before != after:
            changes[field] = [before, after]

    if data.name != system.name or data.scale.pk != system.scale_id:
        check_name_hides_person(
            workspace=workspace,
            system=system,
            name=data.name,
            keep_name=data.keep_name,
            person_scale=data.scale.is_person_scale,
        )
    compare("name", system.name, data.name)
    compare("purpose", system.purpose, data.purpose)
    compare("scale", system.scale.name, data.scale.name)
    compare(
        "parent",
        system.parent.name if system.parent else None,
        data.parent.name if data.parent else None,
    )
    if system.parent_id != (data.parent.pk if data.parent else None) and "parent" not in changes:
        changes["parent"] = [  # two systems may share a name: still a change
            system.parent.name if system.parent else None,
            data.parent.name if data.parent else None,
        ]
    compare("members", before_members, _names(members))
    compare("organisations", before_orgs, _names(organisations))
    if not changes:
        return None
    reason = reason.strip()
    if not reason and any(f in changes for f in BOUNDARY_FIELDS):
        raise ValidationError(
            {"reason": _("Say why the boundary changes: it is kept in the system's history.")}
        )
    system.name = data.name
    system.purpose = data.purpose
    system.scale = data.scale
    system.parent = data.parent
    system.revision = next_revision(system)
    system.save()
    _set_links(workspace=workspace, system=system, organisations=organisations, members=members)
    return SystemChange.objects.create(
        workspace=workspace, system=system, changed_by=changed_by, reason=reason, changes=changes
    )


# The system map ------------------------------------------------------------------------------


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give it a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("Keep the name to %(max)d characters or fewer.") % {"max": NAME_MAX}}
        )
    return name


@transaction.atomic
def actor_create(
    *,
    workspace: Workspace,
    system: System,
    name: str,
    kind: str,
    role: str = "",
    participation: str = Participation.NOT_YET,
) -> Actor:
    actor = Actor(workspace=workspace, system=system)
    return _actor_save(actor, name=name, kind=kind, role=role, participation=participation)


@transaction.atomic
def actor_update(
    *,
    workspace: Workspace,
    actor: Actor,
    name: str,
    kind: str,
    role: str,
    participation: str,
    revision: int | None = None,
) -> Actor:
    """Change an actor; a stale `revision` raises `EditConflict` (hls/conflicts.py)."""
    if actor.workspace_id != workspace.pk:
        raise ValidationError(_("This actor belongs to another workspace."))
    current = lock_current(Actor, workspace=workspace, pk=actor.pk)
    require_current(current, revision=revision, fields=["name", "kind", "role", "participation"])
    before = (current.name, current.kind, current.role, current.participation)
    actor.revision = current.revision
    saved = _actor_save(actor, name=name, kind=kind, role=role, participation=participation)
    if (saved.name, saved.kind, saved.role, saved.participation) != before:
        saved.revision = next_revision(current)
        saved.save(update_fields=["revision"])
    return saved


def _actor_save(actor: Actor, *, name: str, kind: str, role: str, participation: str) -> Actor:
    actor.name = _check_name(name)
    if kind not in Actor.Kind.values:
        raise ValidationError({"kind": _("Choose person, group, organisation or service.")})
    if participation not in Participation.values:
        raise ValidationError(
            {"participation": _("Choose one of the listed kinds of involvement.")}
        )
    actor.kind, actor.role, actor.participation = kind, role.strip(), participation
    actor.save()
    return actor


def _delete_node(*, workspace: Workspace, model: type[Actor] | type[Factor], pk: int) -> None:
    """Delete an actor or factor and its links (the database cascades), leaving a tombstone
    for each, so API clients that sync the map see every removal."""
    ends = (
        ("source_actor", "target_actor") if model is Actor else ("source_factor", "target_factor")
    )
    links = list(
        Relationship.objects.filter(workspace=workspace)
        .filter(Q(**{ends[0]: pk}) | Q(**{ends[1]: pk}))
        .values_list("pk", flat=True)
    )
    deleted, _detail = model.objects.filter(workspace=workspace, pk=pk).delete()
    if not deleted:
        return
    resource = "actors" if model is Actor else "factors"
    tombstone_record(workspace=workspace, resource=resource, object_id=pk)
    for link_id in links:
        tombstone_record(workspace=workspace, resource="relationships", object_id=link_id)


@transaction.atomic
def actor_delete(*, workspace: Workspace, actor: Actor) -> None:
    _delete_node(workspace=workspace, model=Actor, pk=actor.pk)


@transaction.atomic
def factor_create(
    *, workspace: Workspace, system: System, name: str, description: str = ""
) -> Factor:
    return Factor.objects.create(
        workspace=workspace, system=system, name=_check_name(name), description=description.strip()
    )


@transaction.atomic
def factor_update(
    *,
    workspace: Workspace,
    factor: Factor,
    name: str,
    description: str,
    revision: int | None = None,
) -> Factor:
    """Change a factor; a stale `revision` raises `EditConflict` (hls/conflicts.py)."""
    if factor.workspace_id != workspace.pk:
        raise ValidationError(_("This factor belongs to another workspace."))
    current = lock_current(Factor, workspace=workspace, pk=factor.pk)
    require_current(current, revision=revision, fields=["name", "description"])
    name, description = _check_name(name), description.strip()
    changed = (name, description) != (current.name, current.description)
    factor.revision = next_revision(current) if changed else current.revision
    factor.name, factor.description = name, description
    factor.save()
    return factor


@transaction.atomic
def factor_delete(*, workspace: Workspace, factor: Factor) -> None:
    _delete_node(workspace=workspace, model=Factor, pk=factor.pk)


NodeRef = tuple[Literal["actor", "factor"], int]


def parse_node(value: str) -> NodeRef | None:
    """ "a12" is actor 12, "f7" is factor 7 (the ids the map and the link form use)."""
    if len(value) > 1 and value[0] in "af" and value[1:].isdigit():
        return ("actor" if value[0] == "a" else "factor", int(value[1:]))
    return None


def _node(*, workspace: Workspace, system: System, ref: NodeRef, field: str) -> Actor | Factor:
    model: type[Actor] | type[Factor] = Actor if ref[0] == "actor" else Factor
    node = model.objects.filter(workspace=workspace, pk=ref[1]).first()
    if node is None or node.system_id != system.pk:
        raise ValidationError(
            {field: _("That is not on this system's map: a link joins two nodes of the same map.")}
        )
    return node


def _relationship_fields(
    *, workspace: Workspace, system: System, source: NodeRef, target: NodeRef, sign: str, label: str
) -> dict[str, Any]:
    start = _node(workspace=workspace, system=system, ref=source, field="source")
    end = _node(workspace=workspace, system=system, ref=target, field="target")
    if source[0] != target[0]:
        raise ValidationError(
            {
                "target": _("A link joins two actors or two factors. Choose a %(kind)s.")
                % {"kind": _("actor") if source[0] == "actor" else _("factor")}
            }
        )
    if source == target:
        raise ValidationError({"target": _("Choose a different node from the first one.")})
    label = label.strip()
    if len(label) > NAME_MAX:
        raise ValidationError(
            {"label": _("Keep the label to %(max)d characters or fewer.") % {"max": NAME_MAX}}
        )
    if sign not in ("", *Relationship.Sign.values):
        raise ValidationError({"sign": _("Choose + or -.")})
    if source[0] == "factor" and not sign:
        raise ValidationError(
            {"sign": _("Say whether the first factor strengthens (+) or weakens (-) the second.")}
        )
    if source[0] == "actor":
        return {
            "source_actor": start,
            "target_actor": end,
            "source_factor": None,
            "target_factor": None,
            "sign": sign,
            "label": label,
        }
    return {
        "source_actor": None,
        "target_actor": None,
        "source_factor": start,
        "target_factor": end,
        "sign": sign,
        "label": label,
    }


@transaction.atomic
def relationship_create(
    *,
    workspace: Workspace,
    system: System,
    source: NodeRef,
    target: NodeRef,
    sign: str = "",
    label: str = "",
) -> Relationship:
    fields = _relationship_fields(
        workspace=workspace, system=system, source=source, target=target, sign=sign, label=label
    )
    return Relationship.objects.create(workspace=workspace, system=system, **fields)


@transaction.atomic
def relationship_update(
    *,
    workspace: Workspace,
    relationship: Relationship,
    source: NodeRef,
    target: NodeRef,
    sign: str,
    label: str,
    revision: int | None = None,
) -> Relationship:
    """Change a link of the map; a stale `revision` raises `EditConflict` (hls/conflicts.py),
    showing its two ends by name."""
    current = lock_current(
        Relationship,
        workspace=workspace,
        pk=relationship.pk,
        related=LINK_ENDS,
        of=("self",),
    )
    require_current(
        current,
        revision=revision,
        fields=["source", "target", "sign", "label"],
        values={"source": link_end(current, "source"), "target": link_end(current, "target")},
        labels=LINK_LABELS,
    )
    fields = _relationship_fields(
        workspace=workspace,
        system=relationship.system,
        source=source,
        target=target,
        sign=sign,
        label=label,
    )
    changed = any(getattr(current, key) != value for key, value in fields.items())
    for key, value in fields.items():
        setattr(relationship, key, value)
    relationship.revision = next_revision(current) if changed else current.revision
    relationship.save()
    return relationship


LINK_ENDS = ("source_actor", "target_actor", "source_factor", "target_factor")
LINK_LABELS = {"source": _lazy("From"), "target": _lazy("To")}


def link_end(relationship: Relationship, end: Literal["source", "target"]) -> str:
    """The name of a link's first (source) or second (target) node."""
    node = getattr(relationship, f"{end}_actor") or getattr(relationship, f"{end}_factor")
    return str(node.name) if node is not None else ""


@transaction.atomic
def relationship_delete(*, workspace: Workspace, relationship: Relationship) -> None:
    deleted, _detail = Relationship.objects.filter(workspace=workspace, pk=relationship.pk).delete()
    if deleted:
        tombstone_record(workspace=workspace, resource="relationships", object_id=relationship.pk)


@transaction.atomic
def snapshot_take(
    *, workspace: Workspace, system: System, taken_by: User, label: str
) -> MapSnapshot:
    label = label.strip()
    if not label:
        raise ValidationError({"label": _("Give the snapshot a label, e.g. “Before the pilot”.")})
    if len(label) > NAME_MAX:
        raise ValidationError(
            {"label": _("Keep the label to %(max)d characters or fewer.") % {"max": NAME_MAX}}
        )
    return MapSnapshot.objects.create(
        workspace=workspace,
        system=system,
        label=label,
        taken_by=taken_by,
        data=map_data(workspace=workspace, system=system),
    )
