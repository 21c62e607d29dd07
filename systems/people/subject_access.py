"""Subject access: everything held about one person, as one file, in one step
(docs/people-and-privacy.md, "Subject access"; UK GDPR Article 15).

`subject_access_file` gathers, through selectors, every kind of data the workspace holds about
the person: their pseudonymous record, their identity (decrypted, and audited as a view of it),
their consent history, every entry about them (at any level, deleted ones and earlier versions
included: this is for the person), the answers to their barriers, the experiments that name
them, measures about them, what matters to them in their own words and their ratings, where
their stories were placed on signifier sets, learning reports quoting their stories, and the
audit events about them (ids and codes only). It returns a ZIP: a README.txt saying what each
file holds, and each part as JSON and as CSV.

The areas above systems (cycles, stewardship) hold most of it; they add their parts with
`add_part_provider` when their app is ready, so this module imports none of them (the layers
of pyproject.toml). A person's data is small (hundreds of rows, not millions), so the file is
built in the request, in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from hls.accounts.models import User
from hls.audit import actions
from hls.audit import selectors as audit_selectors
from hls.audit.services import audit_record
from hls.csvcells import cell
from hls.tenancy.models import Workspace
from systems.models import Person, ShareLevel
from systems.people import selectors, services
from systems.selectors import works_with_person

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Part:
    """One kind of data about the person: a file stem ("entries"), what the README says of it,
    and its rows (each a flat dict of JSON values: the CSV has the same columns)."""

    name: str
    title: str
    explains: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    columns: tuple[str, ...] = ()  # when there may be no rows, the CSV's header still


PartProvider = Callable[[Workspace, Person], list[Part]]
_providers: dict[str, PartProvider] = {}


def add_part_provider(provider: PartProvider) -> None:
    """Add a provider of parts (an area above systems, from its AppConfig.ready). Adding the
    same provider twice keeps one."""
    _providers[f"{provider.__module__}.{provider.__qualname__}"] = provider


def level_name(level: int | None) -> str:
    return str(ShareLevel(level).label) if level is not None else ""


def when(value: dt.datetime | None) -> str:
    """An instant in UTC, ISO 8601 ("" when there is none)."""
    return value.astimezone(dt.UTC).isoformat() if value is not None else ""


def name_of(user: User | None) -> str:
    return user.display_name if user is not None else ""


# The parts kept here (systems): the record, identity, consent, the audit events ---------------


def _record(person: Person) -> Part:
    return Part(
        "record",
        "Their record",
        "The pseudonymous record: the reference and chosen alias they are known by here, what "
        "matters to them in their own words, their strengths, how far they agreed what is "
        "written about them may be shared, and the system of their own life, if there is one.",
        [
            {
                "reference": person.reference,
                "alias": person.alias,
                "what_matters": person.what_matters,
                "strengths": person.strengths,
                "may_be_shared_as_far_as": level_name(person.consent_level),
                "own_life_system": person.system.name if person.system else "",
                "recorded_at": when(person.created_at),
                "recorded_by": name_of(person.created_by),
                "changed_at": when(person.updated_at),
            }
        ],
    )


def _identity(identity: selectors.Identity | None) -> Part:
    rows = []
    if identity is not None:
        rows.append(
            {
                "name": identity.name,
                "date_of_birth": identity.date_of_birth.isoformat()
                if identity.date_of_birth
                else "",
                "contact": identity.contact,
            }
        )
    return Part(
        "identity",
        "Who they are",
        "Their name, date of birth and contact, kept apart from everything else and encrypted. "
        "Empty when none is recorded (or it was erased). Reading it for this file was recorded "
        "in the audit log, as every showing of it is.",
        rows,
        ("name", "date_of_birth", "contact"),
    )


def _consents(workspace: Workspace, person: Person) -> Part:
    rows = [
        {
            "recorded_at": when(consent.recorded_at),
            "may_be_shared_as_far_as": level_name(consent.level),
            "how_it_was_given": consent.note,
            "recorded_by": name_of(consent.recorded_by),
            "in_force": index == 0,
        }
        for index, consent in enumerate(
            selectors.person_consents(workspace=workspace, person=person)
        )
    ]
    return Part(
        "consents",
        "Consent",
        "Every time they gave or changed their consent, newest first: how far what is written "
        "about them may be shared, how they gave it, and who recorded it. The newest is in force.",
        rows,
        ("recorded_at", "may_be_shared_as_far_as", "how_it_was_given", "recorded_by", "in_force"),
    )


def _audit_events(workspace: Workspace, person: Person) -> Part:
    events = audit_selectors.events_about(
        workspace=workspace, target_type=Person._meta.label_lower, target_id=str(person.pk)
    )
    rows = [
        {
            "event_id": event.pk,
            "at": when(event.created_at),
            "action": event.action,
            "what": actions.label(event.action),
            "by_member_id": event.actor_id or "",
        }
        for event in events
    ]
    return Part(
        "audit_events",
        "What was done with their record",
        "The audit log's events about them, oldest first: when their record was made or "
        "changed, consent recorded, their identity shown, and so on. By ids and codes only, as "
        "the log keeps them (a member by their number). Making this file is recorded too, "
        "after it is made, so it is not in this list.",
        rows,
        ("event_id", "at", "action", "what", "by_member_id"),
    )


# The file ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectAccessFile:
    filename: str
    content: bytes
    counts: dict[str, int]


def _csv(part: Part) -> bytes:
    columns = list(part.rows[0]) if part.rows else list(part.columns)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in part.rows:
        writer.writerow([cell(_flat(row.get(column))) for column in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # a BOM, so spreadsheets read UTF-8


def _flat(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _json(part: Part) -> bytes:
    return json.dumps(part.rows, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _readme(person: Person, parts: list[Part], made_at: dt.datetime) -> bytes:
    lines = [
        "Everything we hold about one person",
        "===================================",
        "",
        f"Made on {made_at:%d %B %Y at %H:%M} UTC for the person with the reference "
        f"{person.reference}, in answer to their request to see what is held about them.",
        "",
        "Each kind of data is in two files with the same content: a .csv file that opens in a "
        "spreadsheet, and a .json file for computers. The files are UTF-8 text; times are in "
        "UTC. In the .csv files a cell that starts with =, +, - or @ has an apostrophe put "
        "before it, so a spreadsheet shows it rather than running it.",
        "",
        "What each file holds",
        "--------------------",
    ]
    for part in parts:
        lines += [
            "",
            f"{part.name}.csv / {part.name}.json  ({len(part.rows)} "
            f"{'row' if len(part.rows) == 1 else 'rows'})",
            f"  {part.title}. {part.explains}",
        ]
    lines += [
        "",
        "Not in this file",
        "----------------",
        "",
        "- Words someone has started typing and not yet saved (drafts): they are not part of the "
        "record until saved, and are dropped after a while.",
        "- Backups: they hold the same data as it was, and expire on their own schedule.",
        "- Counts across many people (patterns), which never name anyone.",
        "",
        "If anything here is wrong, you may ask for it to be corrected; you may also ask for it "
        "to be erased.",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


@transaction.atomic
def subject_access_file(*, workspace: Workspace, person: Person, actor: User) -> SubjectAccessFile:
    """Everything held about `person`, as a ZIP, for `actor`, who must work with the person
    (else PermissionDenied; the view answers 404 before that). Decrypting the identity is
    audited as a view of it (`person.identity_viewed`), and the file as
    `person.subject_access_exported` with the count of each part (never their content)."""
    if not works_with_person(workspace=workspace, user=actor, person=person):
        raise PermissionDenied("Only those who work with this person may gather their data.")
    identity = services.identity_view(workspace=workspace, person=person, viewer=actor)
    person = Person.objects.select_related("system", "created_by").get(
        workspace=workspace, pk=person.pk
    )
    parts = [_record(person), _identity(identity), _consents(workspace, person)]
    for provider in list(_providers.values()):
        parts += provider(workspace, person)
    parts.append(_audit_events(workspace, person))
    made_at = timezone.now()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(person, parts, made_at))
        for part in parts:
            archive.writestr(f"{part.name}.csv", _csv(part))
            archive.writestr(f"{part.name}.json", _json(part))
    counts = {part.name: len(part.rows) for part in parts}
    audit_record(
        workspace=workspace,
        actor=actor,
        action="person.subject_access_exported",
        target=person,
        format_version=FORMAT_VERSION,
        counts=counts,
    )
    return SubjectAccessFile(
        filename=f"everything-held-{person.reference}-{made_at:%Y%m%d}.zip",
        content=buffer.getvalue(),
        counts=counts,
    )
