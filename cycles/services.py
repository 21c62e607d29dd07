"""Writes for cycles and entries. Keyword-only, typed, atomic; ValidationError names the field."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles import selectors
from cycles.models import (
    Cycle,
    CycleMember,
    Entry,
    EntryDraft,
    EntryRevision,
    EntryTheme,
    Experiment,
    Phase,
    PhaseShift,
    Theme,
    visibility_ceiling,
)
from cycles.trust import require_steer, trust_for
from hls.accounts.models import User
from hls.audit.services import tombstone_record
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.models import Membership, Workspace
from hls.webhooks.events import ENTRY_SHARED
from hls.webhooks.services import webhook_emit
from systems.models import Person, ShareLevel, System
from systems.people.selectors import people_visible_to
from systems.people.services import check_name_hides_person

ENTRY_TEXT_MAX = 10_000
DRAFT_MAX_BYTES = 32_000


# Cycles --------------------------------------------------------------------------------------


def _clean_cycle_fields(*, name: str, purpose: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    name, purpose = name.strip(), purpose.strip()
    if not name:
        errors["name"] = _("Give the cycle a name.")
    if not purpose:
        errors["purpose"] = _("Say what this cycle is for: its purpose.")
    if errors:
        raise ValidationError(errors)
    return name, purpose


def _check_system(*, workspace: Workspace, system: System) -> None:
    if system.workspace_id != workspace.pk:
        raise ValidationError({"system": _("Choose a system of this workspace.")})


@transaction.atomic
def cycle_create(
    *,
    workspace: Workspace,
    created_by: User,
    system: System,
    name: str,
    purpose: str,
    learning_questions: str = "",
    phase: str = Phase.UNDERSTAND,
    keep_name: bool = False,
) -> Cycle:
    _check_system(workspace=workspace, system=system)
    name, purpose = _clean_cycle_fields(name=name, purpose=purpose)
    check_name_hides_person(workspace=workspace, system=system, name=name, keep_name=keep_name)
    if phase not in Phase.values:
        raise ValidationError({"phase": _("Choose one of the four phases.")})
    cycle = Cycle.objects.create(
        workspace=workspace,
        system=system,
        name=name,
        purpose=purpose,
        learning_questions=learning_questions.strip(),
        phase=phase,
        created_by=created_by,
    )
    CycleMember.objects.create(workspace=workspace, cycle=cycle, user=created_by)
    return cycle


@transaction.atomic
def cycle_update(
    *,
    workspace: Workspace,
    cycle: Cycle,
    system: System,
    name: str,
    purpose: str,
    learning_questions: str,
    status: str,
    updated_by: User,
    keep_name: bool = False,
    revision: int | None = None,
) -> Cycle:
    """Change the cycle: only those inside it steer it (`cycles.trust.require_steer`).
    `revision` is the one the editor started from: if someone saved the cycle since,
    `EditConflict` and nothing is written (hls/conflicts.py)."""
    require_steer(workspace=workspace, user=updated_by, cycle=cycle)
    current = lock_current(Cycle, workspace=workspace, pk=cycle.pk)
    require_current(current, revision=revision, fields=["name", "purpose", "learning_questions"])
    _check_system(workspace=workspace, system=system)
    name, purpose = _clean_cycle_fields(name=name, purpose=purpose)
    if name != cycle.name or system.pk != cycle.system_id:  # (renamed or moved)
        check_name_hides_person(workspace=workspace, system=system, name=name, keep_name=keep_name)
    if status not in Cycle.Status.values:
        raise ValidationError({"status": _("Choose active, paused or closed.")})
    changed = (
        current.system_id != system.pk
        or current.name != name
        or current.purpose != purpose
        or current.learning_questions != learning_questions.strip()
        or current.status != status
    )
    cycle.system = system
    cycle.name = name
    cycle.purpose = purpose
    cycle.learning_questions = learning_questions.strip()
    cycle.status = status
    # When it closed (a workspace's retention counts from it: stewardship/privacy); reopened,
    # it has not closed. One closed before this was kept has none: its `updated_at` stands in.
    if status != Cycle.Status.CLOSED:
        cycle.closed_at = None
    elif current.status != Cycle.Status.CLOSED:
        cycle.closed_at = timezone.now()
    else:
        cycle.closed_at = current.closed_at
    cycle.revision = next_revision(current) if changed else current.revision
    cycle.save()
    return cycle


@transaction.atomic
def cycle_shift_phase(
    *, workspace: Workspace, cycle: Cycle, to_phase: str, reason: str, shifted_by: User
) -> PhaseShift:
    """Move the cycle to another phase, in any direction, saying why now. Only those inside
    the cycle move it."""
    require_steer(workspace=workspace, user=shifted_by, cycle=cycle)
    if to_phase not in Phase.values:
        raise ValidationError({"to_phase": _("Choose one of the four phases.")})
    if to_phase == cycle.phase:
        raise ValidationError({"to_phase": _("The cycle is already mostly in this phase.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why now: what made this the moment to move?")})
    shift = PhaseShift.objects.create(
        workspace=workspace,
        cycle=cycle,
        from_phase=cycle.phase,
        to_phase=to_phase,
        reason=reason.strip(),
        shifted_by=shifted_by,
    )
    cycle.phase = to_phase
    cycle.save(update_fields=["phase", "updated_at"])
    return shift


def _check_may_change_members(*, workspace: Workspace, cycle: Cycle, by: User | None) -> None:
    if by is None:
        return
    membership = Membership.objects.filter(workspace=workspace, user=by).first()
    trust = trust_for(workspace=workspace, user=by)
    if not selectors.may_change_members(trust=trust, membership=membership, cycle=cycle):
        raise PermissionDenied(
            _("Only the cycle's own members, or an admin, change who takes part in it.")
        )


@transaction.atomic
def cycle_member_add(
    *, workspace: Workspace, cycle: Cycle, user: User, by: User | None = None
) -> CycleMember:
    """Add someone to the cycle. `by` (the acting member) must be inside the cycle or an admin
    of the workspace; the demo and set-up, which act for the cycle's creator, pass none."""
    _check_may_change_members(workspace=workspace, cycle=cycle, by=by)
    if not Membership.objects.filter(workspace=workspace, user=user).exists():
        raise ValidationError({"user": _("Only members of this workspace can join a cycle.")})
    if CycleMember.objects.filter(workspace=workspace, cycle=cycle, user=user).exists():
        raise ValidationError(
            {"user": _("%(name)s already takes part in this cycle.") % {"name": user.display_name}}
        )
    return CycleMember.objects.create(workspace=workspace, cycle=cycle, user=user)


@transaction.atomic
def cycle_member_remove(
    *, workspace: Workspace, member: CycleMember, by: User | None = None
) -> None:
    if member.workspace_id != workspace.pk:
        raise ValidationError(_("That person does not take part in this cycle."))
    _check_may_change_members(workspace=workspace, cycle=member.cycle, by=by)
    member.delete()


# Entries -------------------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write something before saving: the text is empty.")})
    if len(text) > ENTRY_TEXT_MAX:
        raise ValidationError(
            {
                "text": _(
                    "This is %(length)s characters; the most an entry can hold is %(max)s. "
                    "Split it into two entries."
                )
                % {"length": f"{len(text):,}", "max": f"{ENTRY_TEXT_MAX:,}"}
            }
        )
    return text


def _check_visibility(*, current: int | None, wanted: int, person: Person | None) -> None:
    """Never past the person's consent (`visibility_ceiling`). A new entry (`current` None) may
    start at any level up to it: nobody has seen it yet. An edit widens what others already saw
    one step at a time, and narrows any amount."""
    if wanted not in ShareLevel.values:
        raise ValidationError({"visibility": _("Choose who can see it from the list.")})
    if wanted > visibility_ceiling(person):
        assert person is not None  # no one: the ceiling is the widest level
        raise ValidationError(
            {
                "visibility": _(
                    "%(person)s has agreed to share as far as “%(limit)s” only. "
                    "Choose that or narrower."
                )
                % {"person": str(person), "limit": ShareLevel(person.consent_level).label}
            }
        )
    if current is not None and wanted > current + 1:
        raise ValidationError(
            {
                "visibility": _(
                    "Widen one step at a time: from “%(current)s” the next step is “%(next)s”."
                )
                % {
                    "current": ShareLevel(current).label,
                    "next": ShareLevel(current + 1).label,
                }
            }
        )


def _check_links(
    *,
    workspace: Workspace,
    author: User,
    cycle: Cycle,
    person: Person | None,
    experiment: Experiment | None,
    themes: Iterable[Theme],
) -> list[Theme]:
    if cycle.workspace_id != workspace.pk:
        raise ValidationError({"cycle": _("Choose a cycle of this workspace.")})
    if person is not None and (
        person.workspace_id != workspace.pk
        or not people_visible_to(workspace=workspace, user=author).filter(pk=person.pk).exists()
    ):
        raise ValidationError({"person": _("Choose someone you work with.")})
    if experiment is not None and (
        experiment.workspace_id != workspace.pk or experiment.cycle_id != cycle.pk
    ):
        raise ValidationError({"experiment": _("That experiment belongs to another cycle.")})
    themes = list(themes)
    if any(t.workspace_id != workspace.pk or t.merged_into_id is not None for t in themes):
        raise ValidationError({"themes": _("Choose themes from the list.")})
    return themes


def _set_themes(*, workspace: Workspace, entry: Entry, themes: list[Theme]) -> None:
    EntryTheme.objects.filter(workspace=workspace, entry=entry).exclude(theme__in=themes).delete()
    existing = set(
        EntryTheme.objects.filter(workspace=workspace, entry=entry).values_list(
            "theme_id", flat=True
        )
    )
    EntryTheme.objects.bulk_create(
        [
            EntryTheme(workspace=workspace, entry=entry, theme=theme)
            for theme in themes
            if theme.pk not in existing
        ]
    )


@transaction.atomic
def entry_create(
    *,
    workspace: Workspace,
    author: User,
    cycle: Cycle,
    kind: str,
    text: str,
    phase: str = "",
    themes: Iterable[Theme] = (),
    person: Person | None = None,
    visibility: int = ShareLevel.PRIVATE,
    experiment: Experiment | None = None,
    happened_on: _dt.date | None = None,
    signed: bool = False,
    draft_key: str = "",
) -> Entry:
    """Log a step in a cycle, seen as widely as `visibility` says at once (private unless
    given), up to the consent of the person it is about (`_check_visibility`: the one-step rule
    is for widening what others already saw). Shared upward at once, it sends `entry.shared`.
    It happened today (the local date) unless the author gives another day, never a day still
    to come. `signed` shows the author's name beside it outside its
    cycle too (cycles.trust). A successful save deletes the author's draft for the form."""
    if kind not in Entry.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of step this is.")})
    phase = phase or cycle.phase
    if phase not in Phase.values:
        raise ValidationError({"phase": _("Choose one of the four phases.")})
    text = _clean_text(text)
    themes = _check_links(
        workspace=workspace,
        author=author,
        cycle=cycle,
        person=person,
        experiment=experiment,
        themes=themes,
    )
    _check_visibility(current=None, wanted=int(visibility), person=person)
    happened_on = _check_happened_on(happened_on or timezone.localdate())
    entry = Entry.objects.create(
        workspace=workspace,
        cycle=cycle,
        kind=kind,
        phase=phase,
        text=text,
        author=author,
        person=person,
        experiment=experiment,
        visibility=int(visibility),
        happened_on=happened_on,
        signed=bool(signed),
    )
    _set_themes(workspace=workspace, entry=entry, themes=themes)
    if entry.is_shared_upward:
        _entry_became_shared(workspace=workspace, entry=entry)
    if draft_key:
        draft_discard(workspace=workspace, author=author, key=draft_key)
    return entry


def _check_happened_on(day: _dt.date) -> _dt.date:
    if day > timezone.localdate():
        raise ValidationError(
            {"happened_on": _("That day is still to come: say when it happened, today or before.")}
        )
    return day


def entry_check_author(*, entry: Entry, user: User) -> None:
    """Entries change only with their author (cycles.trust.RULES): the one check, for the
    services below and for the pages that offer the change."""
    if entry.author_id != user.pk:
        raise PermissionDenied(_("Only the person who wrote an entry can change it."))


def _entry_became_shared(*, workspace: Workspace, entry: Entry) -> None:
    """The cycles above may see the entry now and could not before (it is new, or an edit
    widened it): `entry.shared` for partners (a thin payload: no text, no person)."""
    webhook_emit(
        workspace=workspace,
        event=ENTRY_SHARED,
        resource="entry",
        object_id=entry.pk,
        data={"cycle": entry.cycle_id, "kind": entry.kind, "visibility": entry.visibility},
    )


@transaction.atomic
def entry_update(
    *,
    workspace: Workspace,
    entry: Entry,
    editor: User,
    kind: str,
    phase: str,
    text: str,
    themes: Iterable[Theme] = (),
    person: Person | None = None,
    visibility: int,
    happened_on: _dt.date | None = None,
    signed: bool | None = None,
    draft_key: str = "",
    revision: int | None = None,
) -> Entry:
    """Edit an entry (its author only), keeping the previous version as an EntryRevision.
    `happened_on` and `signed` left as None keep what the entry has. `revision` is the one the
    edit started from: if the entry was saved since (another tab or device), `EditConflict`
    and nothing is written (hls/conflicts.py)."""
    entry_check_author(entry=entry, user=editor)
    happened_on = _check_happened_on(happened_on or entry.happened_on)
    signed = entry.signed if signed is None else bool(signed)
    if kind not in Entry.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of step this is.")})
    if phase not in Phase.values:
        raise ValidationError({"phase": _("Choose one of the four phases.")})
    text = _clean_text(text)
    themes = _check_links(
        workspace=workspace,
        author=editor,
        cycle=entry.cycle,
        person=person,
        experiment=None,
        themes=themes,
    )
    _check_visibility(current=entry.visibility, wanted=int(visibility), person=person)
    old = lock_current(Entry, workspace=workspace, pk=entry.pk)
    require_current(old, revision=revision, fields=["text"])
    changed = (
        old.kind != kind
        or old.phase != phase
        or old.text != text
        or old.visibility != int(visibility)
        or old.person_id != (person.pk if person else None)
        or old.happened_on != happened_on
        or old.signed != signed
    )
    if changed:
        EntryRevision.objects.create(
            workspace=workspace,
            entry=entry,
            kind=old.kind,
            phase=old.phase,
            text=old.text,
            visibility=old.visibility,
            edited_by=editor,
        )
    entry.kind, entry.phase, entry.text = kind, phase, text
    # Shared upward before this edit? (The same person's consent as now: it is read once.)
    if old.person_id == (person.pk if person else None):
        old.person = person
    was_shared = old.is_shared_upward
    entry.person, entry.visibility, entry.happened_on = person, int(visibility), happened_on
    entry.signed = signed
    entry.revision = next_revision(old) if changed else old.revision
    entry.save()
    if entry.is_shared_upward and not was_shared:
        _entry_became_shared(workspace=workspace, entry=entry)
    _set_themes(workspace=workspace, entry=entry, themes=themes)
    if draft_key:
        draft_discard(workspace=workspace, author=editor, key=draft_key)
    return entry


@transaction.atomic
def entry_delete(*, workspace: Workspace, entry: Entry, user: User) -> Entry:
    """Soft delete, so it can be undone. The API's deletions feed gets a tombstone (a restore
    brings the entry back with a newer `updated_at`)."""
    entry_check_author(entry=entry, user=user)
    entry.deleted_at = timezone.now()
    entry.save(update_fields=["deleted_at", "updated_at"])
    tombstone_record(workspace=workspace, resource="entries", object_id=entry.pk)
    return entry


@transaction.atomic
def entry_restore(*, workspace: Workspace, entry: Entry, user: User) -> Entry:
    entry_check_author(entry=entry, user=user)
    entry.deleted_at = None
    entry.save(update_fields=["deleted_at", "updated_at"])
    return entry


# Drafts --------------------------------------------------------------------------------------


@transaction.atomic
def draft_save(*, workspace: Workspace, author: User, key: str, data: dict[str, Any]) -> EntryDraft:
    """Keep what the author is typing. Checks nothing but size: a draft is never refused for
    being incomplete."""
    key = key.strip()[:64]
    if not key:
        raise ValidationError({"key": _("A draft needs the form's key.")})
    if len(json.dumps(data)) > DRAFT_MAX_BYTES:
        raise ValidationError({"text": _("This draft is too long to keep.")})
    cycle_id = data.get("cycle")
    cycle = None
    if isinstance(cycle_id, str) and cycle_id.isdigit():
        cycle = Cycle.objects.filter(workspace=workspace, pk=int(cycle_id)).first()
    draft, _created = EntryDraft.objects.update_or_create(
        workspace=workspace, author=author, key=key, defaults={"data": data, "cycle": cycle}
    )
    return draft


@transaction.atomic
def draft_discard(*, workspace: Workspace, author: User, key: str) -> int:
    deleted, _per_model = EntryDraft.objects.filter(
        workspace=workspace, author=author, key=key
    ).delete()
    return deleted
