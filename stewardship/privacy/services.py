"""Erasure of a person, and a workspace's retention (docs/people-and-privacy.md).

Both remove personal data for good, in one transaction, and record what went as counts only:
`person.erased` (with the eraser's choice) and `retention.applied` (with a RetentionRun). An
identity row is only ever deleted through `systems.people.services.identities_delete`, the
one place, whoever asks.

They reach rows in every domain app, hence this top domain layer. The monthly roll-ups of
patterns follow by themselves (cycles migration 0013: database triggers recount what an entry's
delete or change touches), and so does search (an entry's search vector is generated from its
text): a story deleted or anonymised here is neither counted nor found by its old words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cycles.models import (
    Entry,
    EntryDraft,
    EntryRevision,
    Experiment,
    ExperimentPerson,
    Measure,
    WhatMatters,
)
from hls.accounts.models import User
from hls.audit.models import RetentionRun, Tombstone
from hls.audit.services import audit_record
from hls.tenancy.models import Membership, Workspace
from hls.tenancy.permissions import can
from stewardship.models import LearningReport, ReportExport, SessionOutput
from stewardship.privacy import selectors
from stewardship.privacy.selectors import PersonRows
from systems.models import Consent, Person
from systems.people.services import identities_delete
from systems.people.signals import person_erased

CAPABILITY = "privacy.manage"
# Retention settings: a day at least (none is "keep"), ten years at most.
DAYS_MIN, DAYS_MAX = 1, 3650
# Class of the transaction-level advisory lock that one workspace's retention holds, so two
# runs at once (beat's and an admin's "Apply now") take turns: the second finds nothing left.
RETENTION_LOCK = 1717


class Choice(models.TextChoices):
    """What happens to the stories about a person who is erased."""

    DELETE = "delete", _lazy("Delete them for good")
    ANONYMISE = (
        "anonymise",
        _lazy("Keep what was learnt: the stories stay, without their words and without the person"),
    )


def removed_text() -> str:
    """What an anonymised story (and any copy of it) says instead of its text."""
    return _("[removed at the person's request]")


def _require_admin(workspace: Workspace, user: User) -> None:
    membership = Membership.objects.filter(workspace=workspace, user=user).first()
    if not can(membership, CAPABILITY):
        raise PermissionDenied(_("Only an admin of the workspace may do this."))


def _tombstones(workspace: Workspace, resource: str, ids: list[int]) -> None:
    """What the API's deletions feed shows (`hls.audit.services.tombstone_record`, many at once)."""
    Tombstone.objects.bulk_create(
        Tombstone(workspace=workspace, resource=resource, object_id=str(pk)) for pk in ids
    )


# Erasure of a person -------------------------------------------------------------------------


@transaction.atomic
def person_erase(
    *, workspace: Workspace, person: Person, actor: User, choice: str, reference: str
) -> dict[str, int]:
    """Erase `person` for good: their identity, consent history, what matters to them and
    their ratings, measures about them, drafts about them and their own record; the stories
    about them deleted or anonymised (`choice`), with every copy of them (session outputs,
    excerpts in learning reports; a report's built files are dropped, to be built again). The
    eraser types the person's reference to confirm. One `person.erased` audit event holds the
    person's id, the choice and the counts: no text of theirs. Returns the counts."""
    _require_admin(workspace, actor)
    if choice not in Choice.values:
        raise ValidationError({"choice": _("Choose what happens to the stories about them.")})
    if reference.strip().upper() != person.reference.upper():
        raise ValidationError(
            {
                "reference": _("Type their reference exactly as shown, %(reference)s, to confirm.")
                % {"reference": person.reference}
            }
        )
    locked = Person.objects.select_for_update().get(workspace=workspace, pk=person.pk)
    rows = selectors.person_rows(workspace=workspace, person=locked)
    counts = rows.counts(choice)
    now = timezone.now()

    identities_delete(workspace=workspace, person_ids=[locked.pk], actor=actor, audit=False)
    EntryDraft.objects.filter(workspace=workspace, pk__in=rows.drafts).delete()
    SessionOutput.objects.filter(workspace=workspace, pk__in=rows.session_outputs).update(
        text=removed_text(), updated_at=now
    )
    _scrub_reports(workspace, rows, choice)
    going = rows.going(choice)
    _tombstones(workspace, "entries", [pk for pk in going.entries if pk in rows.entries])
    _tombstones(workspace, "placements", going.placements)
    _tombstones(workspace, "barriers", going.barrier_routes)
    Entry.objects.filter(workspace=workspace, pk__in=going.entries).delete()  # cascades
    if choice == Choice.ANONYMISE:
        EntryRevision.objects.filter(workspace=workspace, entry__in=rows.entries).delete()
        # No longer about anyone, and never seen further than the person's consent let it be.
        Entry.objects.filter(workspace=workspace, pk__in=rows.entries).update(
            text=removed_text(),
            person=None,
            visibility=Least(F("visibility"), Value(locked.consent_level)),
            revision=F("revision") + 1,
            updated_at=now,
        )
    ExperimentPerson.objects.filter(workspace=workspace, person=locked).delete()
    Experiment.objects.filter(workspace=workspace, pk__in=rows.experiments).update(updated_at=now)
    _tombstones(workspace, "measures", rows.measures)
    Measure.objects.filter(workspace=workspace, pk__in=rows.measures).delete()  # and values
    WhatMatters.objects.filter(workspace=workspace, pk__in=rows.what_matters).delete()
    Consent.objects.filter(workspace=workspace, person=locked).delete()
    # Files kept elsewhere that could hold them (earlier workspace exports, imported files).
    answers = person_erased.send(sender=Person, workspace=workspace, person_id=locked.pk)
    withdrawn: int = sum(cast(int, n) for _receiver, n in answers)  # each answers a count
    audit_record(
        workspace=workspace,
        actor=actor,
        action="person.erased",
        target=locked,
        choice=choice,
        counts=counts,
        files_withdrawn=withdrawn,
    )
    _tombstones(workspace, "people", [locked.pk])
    Person.objects.filter(workspace=workspace, pk=locked.pk).delete()
    return counts


def _scrub_reports(workspace: Workspace, rows: PersonRows, choice: str) -> None:
    """Take the person out of the learning reports that quote them: their measures and own
    terms go; excerpts of their stories go too (delete) or say `removed_text()` (anonymise).
    The files built from those reports held the old words: they are dropped, to be built
    again from the report as it is now."""
    if not rows.reports:
        return
    entries = set(rows.entries + rows.removed_entries)
    routes = {pk for pk, _entry in rows.barrier_routes}
    measures = set(rows.measures)
    items, words = set(rows.what_matters), set(rows.own_terms_words)
    deleting = choice == Choice.DELETE

    def drop(item: dict[str, Any]) -> bool:
        return (
            item.get("measure_id") in measures
            or item.get("item_id") in items
            or ("item_id" not in item and item.get("words") in words)
            or (deleting and (item.get("entry_id") in entries or item.get("route_id") in routes))
        )

    def blank(item: dict[str, Any]) -> dict[str, Any]:
        if item.get("entry_id") in entries and "excerpt" in item:
            item["excerpt"] = removed_text()
        if item.get("route_id") in routes and "text" in item:
            item["text"] = removed_text()
        return item

    for report in LearningReport.objects.select_for_update().filter(
        workspace=workspace, pk__in=rows.reports
    ):
        report.content = _walk(report.content, drop, blank)
        report.save(update_fields=["content", "updated_at"])
    ReportExport.objects.filter(workspace=workspace, report__in=rows.reports).delete()


def _walk(
    node: Any,
    drop: Callable[[dict[str, Any]], bool],
    blank: Callable[[dict[str, Any]], dict[str, Any]],
) -> Any:
    if isinstance(node, list):
        return [
            _walk(item, drop, blank) for item in node if not (isinstance(item, dict) and drop(item))
        ]
    if isinstance(node, dict):
        return blank({key: _walk(value, drop, blank) for key, value in node.items()})
    return node


# Retention -----------------------------------------------------------------------------------


def _clean_days(field: str, value: int | None) -> int | None:
    if value is None:
        return None
    if not DAYS_MIN <= value <= DAYS_MAX:
        raise ValidationError(
            {
                field: _(
                    "Give a number of days from %(low)s to %(high)s, or leave it empty to keep."
                )
                % {"low": DAYS_MIN, "high": DAYS_MAX}
            }
        )
    return value


@transaction.atomic
def retention_settings_update(
    *,
    workspace: Workspace,
    actor: User,
    retain_identity_days: int | None,
    retain_drafts_days: int | None,
) -> Workspace:
    """Change how long the workspace keeps identities and drafts (empty: keep them). Audited
    `retention.changed` with the two settings."""
    _require_admin(workspace, actor)
    identity_days = _clean_days("retain_identity_days", retain_identity_days)
    drafts_days = _clean_days("retain_drafts_days", retain_drafts_days)
    Workspace.objects.filter(pk=workspace.pk).update(
        retain_identity_days=identity_days, retain_drafts_days=drafts_days
    )
    workspace.retain_identity_days = identity_days
    workspace.retain_drafts_days = drafts_days
    audit_record(
        workspace=workspace,
        actor=actor,
        action="retention.changed",
        retain_identity_days=identity_days,
        retain_drafts_days=drafts_days,
    )
    return workspace


@dataclass(frozen=True)
class RetentionOutcome:
    """What one application of retention removed; `run` is its record, None when nothing was
    due (nothing is recorded then)."""

    identities: int
    drafts: int
    run: RetentionRun | None


@transaction.atomic
def retention_apply(
    *,
    workspace: Workspace,
    trigger: str,
    started_by: User | None = None,
    now: dt.datetime | None = None,
) -> RetentionOutcome:
    """Remove what the workspace's retention settings say is due now (`selectors.retention_due`,
    what the preview shows): identities through the one identity rule, drafts. Records one
    RetentionRun and `retention.applied` (counts only) when something went, nothing when
    nothing was due. Safe to run twice at once: a run holds the workspace's retention lock to
    its commit, and the other then finds nothing left."""
    if started_by is not None:
        _require_admin(workspace, started_by)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [RETENTION_LOCK, workspace.pk % 2147483647]
        )
    fresh = Workspace.objects.get(pk=workspace.pk)  # the settings as they are now
    due = selectors.retention_due(workspace=fresh, now=now or timezone.now())
    gone = identities_delete(
        workspace=workspace, person_ids=due.identity_people, actor=started_by, by="retention"
    )
    drafts, _detail = EntryDraft.objects.filter(workspace=workspace, pk__in=due.drafts).delete()
    if not gone and not drafts:
        return RetentionOutcome(identities=0, drafts=0, run=None)
    counts = {"identities": len(gone), "drafts": drafts}
    run = RetentionRun.objects.create(
        workspace=workspace,
        trigger=trigger,
        started_by=started_by,
        counts=counts,
        settings_used={
            "retain_identity_days": fresh.retain_identity_days,
            "retain_drafts_days": fresh.retain_drafts_days,
        },
    )
    audit_record(
        workspace=workspace,
        actor=started_by,
        action="retention.applied",
        target=run,
        trigger=trigger,
        counts=counts,
    )
    return RetentionOutcome(identities=len(gone), drafts=drafts, run=run)
