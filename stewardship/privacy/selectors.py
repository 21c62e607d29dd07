"""Reads for erasure and retention (docs/people-and-privacy.md, Erasure and Retention).

`person_rows` finds, once, every row that is about a person in every domain app: what the
confirm page counts is exactly what `services.person_erase` then removes. `retention_due`
finds what a workspace's retention settings would remove now: what the Retention page
previews is exactly what `services.retention_apply` then removes. Both read across the
domain apps, which is why they live in this top domain layer (stewardship imports cycles and
systems; none of them imports it).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from cycles.models import (
    BarrierRoute,
    Cycle,
    DataPoint,
    Entry,
    EntryDraft,
    EntryRevision,
    ExperimentPerson,
    Measure,
    Placement,
    WhatMatters,
    WhatMattersRating,
)
from hls.audit.models import RetentionRun
from hls.tenancy.models import Workspace
from stewardship.models import LearningReport, ReportExport, SessionOutput
from stewardship.reports.assembly import anonymise, cycle_names_to_hide
from systems.models import Consent, Person, PersonIdentity

# Whether a report's assembled content quotes any of these (ids of stories, barrier routes,
# measures, a person's own terms; the words of their own terms, for reports assembled before
# own terms carried their id). Read with the person's ids as variables, never spliced in.
_QUOTES = (
    "$.** ? (@.entry_id == $e[*] || @.route_id == $r[*] || @.measure_id == $m[*]"
    " || @.item_id == $i[*] || @.words == $w[*])"
)
# The retention page lists at most this many references of the people whose identity is due.
REFERENCES_SHOWN = 50


@dataclass(frozen=True)
class Going:
    """The stories that go for good, and what goes with them (ids)."""

    entries: list[int]
    placements: list[int]
    barrier_routes: list[int]


@dataclass(frozen=True)
class PersonRows:
    """Every row about one person, by id (the person's own row aside). A story is an entry
    about them, whatever its kind; `removed_entries` are those their authors removed (kept
    for undo), which go for good whatever the eraser chooses. Placements and barrier routes
    are (id, entry id) pairs."""

    person: Person
    identity: bool
    consents: int
    entries: list[int]
    removed_entries: list[int]
    earlier_versions: int
    placements: list[tuple[int, int]]
    barrier_routes: list[tuple[int, int]]
    what_matters: list[int]
    ratings: int
    measures: list[int]
    values: int
    experiments: list[int]
    drafts: list[int]
    session_outputs: list[int]
    reports: list[int]
    report_files: int
    own_terms_words: list[str] = field(default_factory=list)

    @property
    def stories(self) -> int:
        return len(self.entries) + len(self.removed_entries)

    def going(self, choice: str) -> Going:
        """What is deleted for `choice` ("delete" or "anonymise", services.Choice): every
        story, or only those already removed; their placements on signifier sets and the
        routes of barriers raised from them go with them."""
        entries = (
            self.entries + self.removed_entries if choice == "delete" else self.removed_entries
        )
        chosen = set(entries)
        return Going(
            entries=sorted(entries),
            placements=[pk for pk, entry in self.placements if entry in chosen],
            barrier_routes=[pk for pk, entry in self.barrier_routes if entry in chosen],
        )

    def counts(self, choice: str) -> dict[str, int]:
        """What goes, as counts only (the audit event's data and the confirm page's list)."""
        going = self.going(choice)
        return {
            "identity": int(self.identity),
            "consents": self.consents,
            "stories_deleted": len(going.entries),
            "stories_anonymised": self.stories - len(going.entries),
            "earlier_versions": self.earlier_versions,
            "placements": len(going.placements),
            "barriers": len(going.barrier_routes),
            "what_matters": len(self.what_matters),
            "ratings": self.ratings,
            "measures": len(self.measures),
            "values": self.values,
            "experiments": len(self.experiments),
            "drafts": len(self.drafts),
            "session_outputs": len(self.session_outputs),
            "reports": len(self.reports),
            "report_files": self.report_files,
        }


def _ids(queryset: QuerySet) -> list[int]:
    return sorted(queryset.values_list("pk", flat=True))


def _pairs(queryset: QuerySet) -> list[tuple[int, int]]:
    return sorted(queryset.values_list("pk", "entry_id"))


def person_rows(*, workspace: Workspace, person: Person) -> PersonRows:
    """Every row about `person` in the workspace, whoever may see it (erasure is the admin's
    duty, and reaches rows the admin could never read). A constant number of queries."""
    entries = Entry.objects.filter(workspace=workspace, person=person)
    live: list[int] = []
    removed: list[int] = []
    for pk, deleted_at in entries.values_list("pk", "deleted_at").order_by("pk"):
        (live if deleted_at is None else removed).append(pk)
    every_entry = live + removed
    items = WhatMatters.objects.filter(workspace=workspace, person=person).select_related(
        "cycle__system__scale"
    )
    item_ids = sorted(item.pk for item in items)
    # As a report quotes them: masked as `stewardship.reports.assembly.step_measures` does.
    words = sorted({anonymise(i.words, names=cycle_names_to_hide(i.cycle)) for i in items})
    measures = _ids(Measure.objects.filter(workspace=workspace, person=person))
    routes = _pairs(BarrierRoute.objects.filter(workspace=workspace, entry__in=every_entry))
    reports = reports_quoting(
        workspace=workspace,
        entries=every_entry,
        routes=[pk for pk, _entry in routes],
        measures=measures,
        items=item_ids,
        words=words,
    )
    drafts = EntryDraft.objects.filter(workspace=workspace).filter(
        Q(data__person=str(person.pk)) | Q(key__in=[f"entry-{pk}" for pk in every_entry])
    )
    return PersonRows(
        person=person,
        identity=PersonIdentity.objects.filter(workspace=workspace, person=person).exists(),
        consents=Consent.objects.filter(workspace=workspace, person=person).count(),
        entries=live,
        removed_entries=removed,
        earlier_versions=EntryRevision.objects.filter(
            workspace=workspace, entry__in=every_entry
        ).count(),
        placements=_pairs(Placement.objects.filter(workspace=workspace, entry__in=every_entry)),
        barrier_routes=routes,
        what_matters=item_ids,
        ratings=WhatMattersRating.objects.filter(workspace=workspace, item__in=item_ids).count(),
        measures=measures,
        values=DataPoint.objects.filter(workspace=workspace, measure__in=measures).count(),
        experiments=sorted(
            ExperimentPerson.objects.filter(workspace=workspace, person=person)
            .values_list("experiment_id", flat=True)
            .distinct()
        ),
        drafts=_ids(drafts),
        session_outputs=_ids(SessionOutput.objects.filter(workspace=workspace, entry__in=live)),
        reports=reports,
        report_files=ReportExport.objects.filter(workspace=workspace, report__in=reports).count(),
        own_terms_words=words,
    )


def reports_quoting(
    *,
    workspace: Workspace,
    entries: list[int],
    routes: list[int],
    measures: list[int],
    items: list[int],
    words: list[str],
) -> list[int]:
    """The learning reports whose assembled content quotes any of these (drafts and published
    alike: a report keeps excerpts of the stories it was assembled from)."""
    if not (entries or routes or measures or items or words):
        return []
    variables = json.dumps({"e": entries, "r": routes, "m": measures, "i": items, "w": words})
    quoting = RawSQL(
        "jsonb_path_exists(stewardship_learningreport.content, %s::jsonpath, %s::jsonb)",
        (_QUOTES, variables),
        output_field=BooleanField(),
    )
    return _ids(LearningReport.objects.filter(workspace=workspace).filter(quoting))


# Retention -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionDue:
    """What the workspace's retention settings remove now. `identity_people` are the ids of the
    people whose identity is due (their references: `references`, at most REFERENCES_SHOWN);
    `drafts` the ids of the drafts due. Either is empty when its setting is empty."""

    identity_people: list[int]
    references: list[str]
    drafts: list[int]

    @property
    def nothing(self) -> bool:
        return not (self.identity_people or self.drafts)


def identities_due(*, workspace: Workspace, now: dt.datetime) -> QuerySet[Person]:
    """The people whose identity is due to go: they have an identity, their own system (a
    person-scale system) has at least one cycle, every one of those cycles is closed, and the
    last closed `retain_identity_days` or more ago. A cycle's closing time is its `closed_at`,
    or, for one closed before that was kept, its `updated_at`."""
    days = workspace.retain_identity_days
    if days is None:
        return Person.objects.none()
    own_cycles = Cycle.objects.filter(workspace=workspace, system=OuterRef("system"))
    last_closed = (
        own_cycles.order_by()
        .values("system")
        .annotate(last=Max(Coalesce("closed_at", "updated_at")))
        .values("last")
    )
    return (
        Person.objects.filter(
            workspace=workspace,
            system__isnull=False,
            system__scale__is_person_scale=True,
            identity__isnull=False,
        )
        .filter(~Exists(own_cycles.exclude(status=Cycle.Status.CLOSED)))
        .annotate(last_closed=Subquery(last_closed))
        .filter(last_closed__lte=now - dt.timedelta(days=days))
    )


def drafts_due(*, workspace: Workspace, now: dt.datetime) -> QuerySet[EntryDraft]:
    """Drafts last typed in `retain_drafts_days` or more ago."""
    days = workspace.retain_drafts_days
    if days is None:
        return EntryDraft.objects.none()
    return EntryDraft.objects.filter(
        workspace=workspace, updated_at__lte=now - dt.timedelta(days=days)
    )


def retention_due(*, workspace: Workspace, now: dt.datetime | None = None) -> RetentionDue:
    """What would go now (the preview) and what does go (`services.retention_apply`): the
    same reads. Two queries (none for a setting left empty)."""
    now = now or timezone.now()
    people = list(
        identities_due(workspace=workspace, now=now)
        .order_by("reference")
        .values_list("pk", "reference")
    )
    return RetentionDue(
        identity_people=sorted(pk for pk, _reference in people),
        references=[reference for _pk, reference in people[:REFERENCES_SHOWN]],
        drafts=_ids(drafts_due(workspace=workspace, now=now)),
    )


def retention_runs(*, workspace: Workspace, limit: int = 20) -> list[RetentionRun]:
    """The newest applications of retention, who started them (none: the schedule)."""
    return list(
        RetentionRun.objects.filter(workspace=workspace)
        .select_related("started_by")
        .order_by("-ran_at", "-pk")[:limit]
    )
