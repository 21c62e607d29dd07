"""Writes for self-signification: signifier sets (versioned data), a cycle's attached set, and
storytellers' placements. Keyword-only, typed, atomic; ValidationError names the field.

- A set's signifiers are checked by `definition.parse` (the checker never trusts its input).
  Every change of its signifiers is a new version, kept (`SignifierSetVersion`); the stories
  already placed keep the version they were placed on, so an edit never moves a dot.
- Only those inside a cycle attach a set to its story capture (`cycles.trust.require_steer`).
- Only a story's author places it (`cycles.services.entry_check_author`): the storyteller, or
  the storyteller with the person it is about (`with_person`).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cycles.models import (
    Cycle,
    CycleSignifiers,
    Entry,
    Placement,
    SignifierSet,
    SignifierSetVersion,
)
from cycles.services import entry_check_author
from cycles.signifiers import selectors
from cycles.signifiers.definition import (
    DefinitionError,
    PlacementError,
    check_placement,
    parse,
)
from cycles.trust import require_steer
from hls.accounts.models import User
from hls.audit.services import tombstone_record
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.models import Workspace

NAME_MAX = 160


def _clean_set(*, name: str, description: str, definition: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the set a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("Keep the name under %(n)s characters.") % {"n": NAME_MAX}]
    try:
        parsed = parse(definition)
    except DefinitionError as error:
        errors["definition"] = error.messages
        parsed = None
    if errors or parsed is None:
        raise ValidationError(errors)
    return {
        "name": name,
        "description": (description or "").strip()[:4000],
        "definition": parsed.as_json(),
    }


def _keep_version(*, workspace: Workspace, signifier_set: SignifierSet, user: User) -> None:
    SignifierSetVersion.objects.create(
        workspace=workspace,
        signifier_set=signifier_set,
        version=signifier_set.version,
        definition=signifier_set.definition,
        edited_by=user,
    )


@transaction.atomic
def signifier_set_create(
    *, workspace: Workspace, user: User, name: str, description: str = "", definition: Any
) -> SignifierSet:
    cleaned = _clean_set(name=name, description=description, definition=definition)
    signifier_set = SignifierSet.objects.create(workspace=workspace, created_by=user, **cleaned)
    _keep_version(workspace=workspace, signifier_set=signifier_set, user=user)
    return signifier_set


@transaction.atomic
def signifier_set_update(
    *,
    workspace: Workspace,
    signifier_set: SignifierSet,
    user: User,
    name: str,
    description: str = "",
    definition: Any,
    revision: int | None = None,
) -> SignifierSet:
    """Change a set. A change of its signifiers is a new version, kept; the stories placed on
    an earlier version keep it (their dots stay where their tellers put them)."""
    cleaned = _clean_set(name=name, description=description, definition=definition)
    current = lock_current(SignifierSet, workspace=workspace, pk=signifier_set.pk)
    require_current(
        current,
        revision=revision,
        fields=["name", "description", "definition"],
        values={"definition": json.dumps(current.definition, indent=2, ensure_ascii=False)},
        labels={"definition": _("signifiers")},
    )
    changed = cleaned["definition"] != current.definition
    for field, value in cleaned.items():
        setattr(current, field, value)
    current.revision = next_revision(current)
    if changed:
        current.version += 1
    current.save()
    if changed:
        _keep_version(workspace=workspace, signifier_set=current, user=user)
    return current


def signifier_set_set_archived(
    *, workspace: Workspace, signifier_set: SignifierSet, archived: bool
) -> SignifierSet:
    """An archived set is not offered to attach; cycles that have it attached keep it, and its
    versions and placements stay."""
    SignifierSet.objects.filter(workspace=workspace, pk=signifier_set.pk).update(archived=archived)
    signifier_set.archived = archived
    return signifier_set


# A cycle's attached set ------------------------------------------------------------------------


@transaction.atomic
def cycle_signifiers_attach(
    *, workspace: Workspace, cycle: Cycle, user: User, signifier_set: SignifierSet
) -> CycleSignifiers:
    """Its story capture offers this set from now on (stories placed on another keep it)."""
    require_steer(workspace=workspace, user=user, cycle=cycle)
    if signifier_set.workspace_id != workspace.pk or signifier_set.archived:
        raise ValidationError({"signifier_set": _("Choose one of the workspace's current sets.")})
    attached, _created = CycleSignifiers.objects.update_or_create(
        workspace=workspace,
        cycle=cycle,
        defaults={"signifier_set": signifier_set, "attached_by": user},
    )
    return attached


@transaction.atomic
def cycle_signifiers_detach(*, workspace: Workspace, cycle: Cycle, user: User) -> Cycle:
    """Story capture stops offering a set; the placements made stay, with their versions."""
    require_steer(workspace=workspace, user=user, cycle=cycle)
    CycleSignifiers.objects.filter(workspace=workspace, cycle=cycle).delete()
    return cycle


# Placements ------------------------------------------------------------------------------------


def version_to_place_on(*, workspace: Workspace, entry: Entry) -> SignifierSetVersion | None:
    """A placed story keeps the version it was placed on; a new one takes the current version
    of its cycle's attached set. None: nothing to place on."""
    placed = selectors.placement_of(workspace=workspace, entry=entry)
    if placed is not None:
        return placed.version
    attached = selectors.attached_to(workspace=workspace, cycle_id=entry.cycle_id)
    if attached is None:
        return None
    return selectors.current_version(workspace=workspace, signifier_set=attached.signifier_set)


@transaction.atomic
def placement_save(
    *,
    workspace: Workspace,
    entry: Entry,
    user: User,
    data: Any,
    with_person: bool = False,
    revision: int | None = None,
) -> Placement:
    """The storyteller places their own story (with the person it is about: `with_person`).
    Errors are keyed by the signifier they concern."""
    entry_check_author(entry=entry, user=user)
    if entry.kind != Entry.Kind.STORY:
        raise ValidationError(_("Only stories are placed by their tellers."))
    if with_person and entry.person_id is None:
        raise ValidationError(
            {"with_person": _("This story is about no one in particular: place it yourself.")}
        )
    existing = Placement.objects.filter(workspace=workspace, entry=entry).first()
    if existing is not None:
        current: Placement | None = lock_current(
            Placement, workspace=workspace, pk=existing.pk, related=["version"]
        )
        assert current is not None
        require_current(
            current, revision=revision, fields=["data", "with_person"], saved_at=current.updated_at
        )
        version = current.version
    else:
        current = None
        found = version_to_place_on(workspace=workspace, entry=entry)
        if found is None:
            raise ValidationError(_("This story's cycle has no signifiers to place it on."))
        version = found
    definition = selectors.definition_of(version)
    if definition is None:
        raise ValidationError(_("This version of the signifiers can no longer be answered."))
    try:
        clean = check_placement(definition, data)
    except PlacementError as error:
        raise ValidationError(
            {key or "__all__": [message] for key, message in error.errors.items()}
        ) from None
    if current is None:
        return Placement.objects.create(
            workspace=workspace,
            entry=entry,
            version=version,
            data=clean,
            placed_by=user,
            with_person=with_person,
        )
    current.data = clean
    current.with_person = with_person
    current.placed_by = user
    current.revision = next_revision(current)
    current.save()
    return current


@transaction.atomic
def placement_remove(*, workspace: Workspace, entry: Entry, user: User) -> Entry:
    """The storyteller takes their placement back (the story stays); the API's deletions feed
    shows it."""
    entry_check_author(entry=entry, user=user)
    placed = Placement.objects.filter(workspace=workspace, entry=entry)
    for pk in placed.values_list("pk", flat=True):
        tombstone_record(workspace=workspace, resource="placements", object_id=pk)
    placed.delete()
    return entry
