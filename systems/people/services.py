"""Writes for people served: the pseudonymous record, identity (encrypted) and consent.

Keyword-only, typed, atomic. Errors are ValidationError({field: message}) so views show them
beside the field. Every read or change of identity writes an audit event with no personal data.
"""

import re
import secrets
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hls.accounts.models import User
from hls.audit.models import AuditEvent
from hls.audit.services import audit_record
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.models import Workspace
from systems.models import Consent, Person, PersonIdentity, ShareLevel, System
from systems.people import crypto
from systems.people.selectors import Identity, decrypt_identity
from systems.selectors import works_with_person

# No 0/O or 1/I: a reference is read aloud and copied from paper.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_PREFIX = "P-"
REFERENCE_LENGTH = 4
REFERENCE_ATTEMPTS = 12

ALIAS_MAX = 80
TEXT_MAX = 5000
NAME_MAX = 200
CONTACT_MAX = 1000
NOTE_MAX = 2000
EARLIEST_BIRTH = date(1900, 1, 1)


def generate_reference(length: int = REFERENCE_LENGTH) -> str:
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(length))


def _check_length(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise ValidationError(
            {
                field: _("Keep this to %(limit)s characters or fewer (it has %(count)s).")
                % {"limit": limit, "count": len(value)}
            }
        )


def _check_system(workspace: Workspace, system: System | None) -> None:
    if system is None:
        return
    if system.workspace_id != workspace.pk or not system.scale.is_person_scale:
        raise ValidationError(
            {"system": _("Choose one of the listed systems: those for one person's own life.")}
        )


def _clean_record(
    workspace: Workspace, alias: str, what_matters: str, strengths: str, system: System | None
) -> tuple[str, str, str]:
    alias, what_matters, strengths = alias.strip(), what_matters.strip(), strengths.strip()
    _check_length("alias", alias, ALIAS_MAX)
    _check_length("what_matters", what_matters, TEXT_MAX)
    _check_length("strengths", strengths, TEXT_MAX)
    _check_system(workspace, system)
    return alias, what_matters, strengths


@transaction.atomic
def person_create(
    *,
    workspace: Workspace,
    created_by: User,
    alias: str = "",
    what_matters: str = "",
    strengths: str = "",
    system: System | None = None,
) -> Person:
    """Record someone served. They always get a generated reference, unique in the workspace
    (retried on collision); a chosen alias is shown beside it."""
    alias, what_matters, strengths = _clean_record(
        workspace, alias, what_matters, strengths, system
    )
    for attempt in range(REFERENCE_ATTEMPTS):
        # After a few collisions the space is getting full: use a longer reference.
        reference = generate_reference(REFERENCE_LENGTH + attempt // 4)
        if Person.objects.filter(workspace=workspace, reference=reference).exists():
            continue
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin only loses this attempt
                person = Person.objects.create(
                    workspace=workspace,
                    reference=reference,
                    alias=alias,
                    what_matters=what_matters,
                    strengths=strengths,
                    system=system,
                    created_by=created_by,
                )
        except IntegrityError:
            continue
        audit_record(workspace=workspace, actor=created_by, action="person.created", target=person)
        return person
    raise RuntimeError("Could not generate a unique person reference.")  # pragma: no cover


@transaction.atomic
def person_update(
    *,
    workspace: Workspace,
    person: Person,
    actor: User,
    alias: str,
    what_matters: str,
    strengths: str,
    system: System | None,
    revision: int | None = None,
) -> Person:
    """Change the pseudonymous record. `revision` is the one the editor started from: if
    someone saved the record since, `EditConflict` (hls/conflicts.py) and nothing is written."""
    current = lock_current(
        Person, workspace=workspace, pk=person.pk, related=("system",), of=("self",)
    )
    last = (
        AuditEvent.objects.filter(
            workspace=workspace,
            action="person.updated",
            target_type=Person._meta.label_lower,
            target_id=str(person.pk),
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
        if revision is not None and revision != current.revision
        else None
    )
    require_current(
        current,
        revision=revision,
        fields=["alias", "what_matters", "strengths", "system"],
        values={"system": current.system.name if current.system else ""},
        labels={"system": _("Their own life as a system")},
        saved_by=last.actor if last else None,
    )
    person.revision = current.revision
    alias, what_matters, strengths = _clean_record(
        workspace, alias, what_matters, strengths, system
    )
    changed = [
        field
        for field, value in (
            ("alias", alias),
            ("what_matters", what_matters),
            ("strengths", strengths),
            ("system_id", system.pk if system else None),
        )
        if getattr(current, field) != value
    ]
    person.alias, person.what_matters, person.strengths = alias, what_matters, strengths
    person.system = system
    if changed:
        person.revision = next_revision(current)
    person.save()
    audit_record(
        workspace=workspace, actor=actor, action="person.updated", target=person, fields=changed
    )
    return person


# Consent -------------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *, workspace: Workspace, person: Person, level: int, note: str, recorded_by: User
) -> Consent:
    """Record what the person agreed may be shared and how far. Each record is kept (the history);
    the newest is in force at once: entries about them are capped by it everywhere."""
    note = note.strip()
    if level not in ShareLevel.values:
        raise ValidationError({"level": _("Choose how far what they share may go.")})
    if not note:
        raise ValidationError(
            {"note": _("Say how consent was given: when, how, and anything they asked for.")}
        )
    _check_length("note", note, NOTE_MAX)
    locked = Person.objects.select_for_update().get(workspace=workspace, pk=person.pk)
    consent = Consent.objects.create(
        workspace=workspace, person=locked, level=level, note=note, recorded_by=recorded_by
    )
    locked.consent_level = level
    locked.save(update_fields=["consent_level", "updated_at"])
    person.consent_level = level
    audit_record(
        workspace=workspace,
        actor=recorded_by,
        action="person.consent_recorded",
        target=person,
        level=level,
    )
    return consent


# Identity ------------------------------------------------------------------------------------


def _guard_works_with(workspace: Workspace, user: User, person: Person) -> None:
    if not works_with_person(workspace=workspace, user=user, person=person):
        raise PermissionDenied("Only those who work with this person may see their identity.")


@transaction.atomic
def identity_view(*, workspace: Workspace, person: Person, viewer: User) -> Identity | None:
    """The person's identity, for someone who works with them; every view is audited."""
    _guard_works_with(workspace, viewer, person)
    row = PersonIdentity.objects.filter(workspace=workspace, person=person).first()
    if row is None:
        return None
    audit_record(workspace=workspace, actor=viewer, action="person.identity_viewed", target=person)
    return decrypt_identity(row)


@transaction.atomic
def identity_set(
    *,
    workspace: Workspace,
    person: Person,
    actor: User,
    name: str,
    date_of_birth: date | None,
    contact: str,
) -> PersonIdentity:
    """Record or change who the person is, encrypted with the first of IDENTITY_KEYS."""
    _guard_works_with(workspace, actor, person)
    name, contact = name.strip(), contact.strip()
    if not name:
        raise ValidationError({"name": _("Give the name they want to be known by.")})
    _check_length("name", name, NAME_MAX)
    _check_length("contact", contact, CONTACT_MAX)
    if date_of_birth is not None:
        if date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": _("A date of birth cannot be in the future.")})
        if date_of_birth < EARLIEST_BIRTH:
            raise ValidationError({"date_of_birth": _("Check the year: that date is before 1900.")})
    values = {
        "name": crypto.encrypt(name),
        "date_of_birth": crypto.encrypt(date_of_birth.isoformat()) if date_of_birth else None,
        "contact": crypto.encrypt(contact) if contact else None,
    }
    row, created = PersonIdentity.objects.update_or_create(
        workspace=workspace, person=person, defaults=values
    )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="person.identity_changed",
        target=person,
        created=created,
    )
    return row


@transaction.atomic
def identity_erase(*, workspace: Workspace, person: Person, actor: User) -> bool:
    """Delete the person's identity. The pseudonymous record, its consent and stories stay."""
    _guard_works_with(workspace, actor, person)
    return bool(identities_delete(workspace=workspace, person_ids=[person.pk], actor=actor))


@transaction.atomic
def identities_delete(
    *,
    workspace: Workspace,
    person_ids: Iterable[int],
    actor: User | None,
    audit: bool = True,
    **audit_data: str,
) -> list[int]:
    """Delete these people's identities for good: the one place an identity row is deleted,
    whoever asks (erasing an identity, erasing a person, a workspace's retention). Returns the
    ids of the people whose identity went. Each writes `person.identity_erased` (with
    `audit_data`, codes only, such as `by="retention"`) unless the caller records the deletion
    itself (`audit=False`: a person's erasure, which records one event for everything). The
    caller decides who may: this function checks nothing."""
    rows = PersonIdentity.objects.filter(workspace=workspace, person_id__in=list(person_ids))
    gone = sorted(rows.select_for_update().values_list("person_id", flat=True))
    if not gone:
        return []
    PersonIdentity.objects.filter(workspace=workspace, person_id__in=gone).delete()
    if audit:
        for person_id in gone:
            audit_record(
                workspace=workspace,
                actor=actor,
                action="person.identity_erased",
                target=Person(pk=person_id),
                **audit_data,
            )
    return gone


# A person-scale name that gives the person away -------------------------------------------

NAME_REVEALS_PERSON = "name_contains_person"
_WORD = re.compile(r"[^\W\d_]+")


def _name_words(text: str) -> set[str]:
    """The words of a name, of two letters or more, case-folded ("Maria's" gives "maria")."""
    return {word.casefold() for word in _WORD.findall(text) if len(word) >= 2}


def check_name_hides_person(
    *,
    workspace: Workspace,
    system: System | None,
    name: str,
    keep_name: bool = False,
    person_scale: bool | None = None,
) -> None:
    """Warn (a ValidationError on "name", code NAME_REVEALS_PERSON) when a person-scale system,
    or a cycle of one, would be named with a word of the recorded name of a person whose own
    system it is: outside those who work with them, that name would give them away. The
    warning never says which word; `keep_name` lets the person who chose it keep it.
    `person_scale` is the scale the system is moving to, when it changes."""
    if person_scale is None and system is not None:
        person_scale = system.scale.is_person_scale
    if keep_name or system is None or not person_scale:
        return
    words = _name_words(name)
    if not words:
        return
    rows = PersonIdentity.objects.filter(workspace=workspace, person__system=system).only("name")
    for row in rows:
        if words & _name_words(crypto.decrypt(row.name)):
            raise ValidationError(
                {
                    "name": ValidationError(
                        _(
                            "This name contains the recorded name of the person whose life "
                            "this is. Choose a name that does not give them away, or keep "
                            "this one knowingly."
                        ),
                        code=NAME_REVEALS_PERSON,
                    )
                }
            )


def identity_keys_rotate(*, batch_size: int = 500) -> int:
    """Re-encrypt every PersonIdentity of the current workspace with the first of IDENTITY_KEYS
    (the management command runs it in each workspace in turn)."""
    count = 0
    rows = PersonIdentity.objects.select_for_update().order_by("pk")
    batch: list[PersonIdentity] = []
    for row in rows.iterator(chunk_size=batch_size):
        row.name = crypto.rotate(row.name)
        if row.date_of_birth:
            row.date_of_birth = crypto.rotate(row.date_of_birth)
        if row.contact:
            row.contact = crypto.rotate(row.contact)
        batch.append(row)
        if len(batch) >= batch_size:
            PersonIdentity.objects.bulk_update(batch, ["name", "date_of_birth", "contact"])
            count += len(batch)
            batch = []
    if batch:
        PersonIdentity.objects.bulk_update(batch, ["name", "date_of_birth", "contact"])
        count += len(batch)
    return count
