"""A workspace's data as a zip: one CSV and one JSON file per resource, and `manifest.json`.

Built by a worker (`build`) as the admin who asked for it sees things, through the same rules
(selectors) as the pages: entries through `cycles.selectors.entries_visible_to`, people only
those the admin works with (`people_visible_to`; an entry about anyone else shows the person's
reference, the pseudonym), pseudonymous only: identity is never exported. Names follow
`cycles.trust`: someone's email only where the admin would see them named, and a person-scale
cycle or system by its pseudonymous name outside those who work with the person. The entries,
people, cycles and data points CSVs use the import's column names, so they import again as
they are.

The resources of this module are the core (the workspace's shape, people, cycles, entries,
measures, signifiers); `dataio/export_systems.py`, `export_cycles.py`, `export_stewardship.py`
and `export_methods.py` add the rest, and `dataio/coverage.py` says, for every model that
belongs to a workspace, which file carries it or why none does."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import zipfile
from collections.abc import Callable
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cycles.measures.selectors import measures_visible_to
from cycles.models import (
    DataPoint,
    EntryTheme,
    Experiment,
    Placement,
    SignifierSet,
    SignifierSetVersion,
    Theme,
    WhatMatters,
    WhatMattersRating,
)
from dataio import (
    csvfile,
    export_cycles,
    export_methods,
    export_stewardship,
    export_systems,
    progress,
)
from dataio.export_naming import Naming, Resource, Rows, resource
from dataio.kinds import share_level_token
from dataio.models import ExportRun
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from systems.models import Consent, Scale

logger = logging.getLogger(__name__)

# 2: entries' `visibility` is the level in force (capped by the person's consent); cycles,
# entries and experiments gained columns; the files of issue 17 (every kind of workspace data).
FORMAT_VERSION = 2

__all__ = ["FORMAT_VERSION", "RESOURCES", "Naming", "build", "build_zip", "filename"]


@resource("id", "name", "position", "is_person_scale")
def _scales(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {"id": s.pk, "name": s.name, "position": s.position, "is_person_scale": s.is_person_scale}
        for s in Scale.objects.filter(workspace=workspace).order_by("position", "pk")
    ]


@resource("id", "name", "scale", "scale_id", "purpose", "parent", "parent_id", "created_at")
def _systems(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": s.pk,
            "name": naming.system(s.pk),
            "scale": s.scale.name,
            "scale_id": s.scale_id,
            "purpose": s.purpose,
            "parent": naming.system(s.parent_id),
            "parent_id": s.parent_id,
            "created_at": s.created_at,
        }
        for s in sorted(naming.systems.values(), key=lambda s: s.pk)
    ]


@resource(
    "id", "reference", "alias", "what_matters", "strengths", "system", "system_id",
    "consent_level", "consent_note", "created_at",
)  # fmt: skip
def _people(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Only the people the exporting member works with: a person's record follows consent, and
    the consent in force goes with its note (how it was given), so the file imports again.
    Their whole consent history is `consents.csv`."""
    in_force = Consent.objects.filter(workspace=workspace, person=OuterRef("pk")).order_by(
        "-recorded_at", "-pk"
    )
    people = naming.people().annotate(consent_note=Subquery(in_force.values("note")[:1]))
    return [
        {
            "id": p.pk,
            "reference": p.reference,
            "alias": p.alias,
            "what_matters": p.what_matters,
            "strengths": p.strengths,
            "system": naming.system(p.system_id),
            "system_id": p.system_id,
            "consent_level": share_level_token(p.consent_level),
            "consent_note": p.consent_note or "",
            "created_at": p.created_at,
        }
        for p in people.order_by("pk")
    ]


@resource(
    "id", "name", "system", "system_id", "purpose", "learning_questions", "phase", "status",
    "created_at", "closed_at",
)  # fmt: skip
def _cycles(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": c.pk,
            "name": naming.cycle(c),
            "system": naming.system(c.system_id),
            "system_id": c.system_id,
            "purpose": c.purpose,
            "learning_questions": c.learning_questions,
            "phase": c.phase,
            "status": c.status,
            "created_at": c.created_at,
            "closed_at": c.closed_at,
        }
        for c in naming.cycles.values()
    ]


@resource(
    "id", "cycle", "cycle_id", "kind", "text", "phase", "visibility", "happened_on", "person",
    "themes", "author_email", "signed", "experiment_id", "created_at", "updated_at",
)  # fmt: skip
def _entries(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """The entries the member may read. `visibility` is the level in force: the author's
    choice capped by the consent of the person it is about (`Entry.effective_level`), so an
    entry never travels further than the person agreed, and the file imports again under the
    same consent."""
    entries = (
        naming.entries().select_related("cycle", "person", "author").order_by("created_at", "pk")
    )
    themes: dict[int, list[str]] = {}
    for entry_id, name in (
        EntryTheme.objects.filter(workspace=workspace, entry__in=naming.entries().values("pk"))
        .order_by("theme__name")
        .values_list("entry_id", "theme__name")
    ):
        themes.setdefault(entry_id, []).append(name)
    return [
        {
            "id": e.pk,
            "cycle": naming.cycle(e.cycle),
            "cycle_id": e.cycle_id,
            "kind": e.kind,
            "text": e.text,
            "phase": e.phase,
            "visibility": share_level_token(e.effective_level),
            "happened_on": e.happened_on,
            "person": e.person.reference if e.person else "",
            "themes": "; ".join(themes.get(e.pk, [])),
            "author_email": e.author.email if e.author and naming.trust.names_author(e) else "",
            "signed": e.signed,
            "experiment_id": e.experiment_id,
            "created_at": e.created_at,
            "updated_at": e.updated_at,
        }
        for e in entries
    ]


@resource(
    "id", "cycle", "cycle_id", "title", "what_we_will_try", "why", "prediction",
    "how_we_will_know", "safe_to_fail_limits", "starts_on", "ends_on", "status", "outcome",
    "learnt", "version", "previous_version_id", "copied_from_id", "owner_email", "started_at",
    "ended_at", "created_at",
)  # fmt: skip
def _experiments(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Every experiment (every member reads them); its owner named only where the member
    would see them named (inside its cycle, or their own)."""
    rows = []
    for x in Experiment.objects.filter(workspace=workspace).order_by("pk"):
        x.cycle = naming.cycles[x.cycle_id]
        rows.append(
            {
                "id": x.pk,
                "cycle": naming.cycle(x.cycle),
                "cycle_id": x.cycle_id,
                "title": x.title,
                "what_we_will_try": x.what_we_will_try,
                "why": x.why,
                "prediction": x.prediction,
                "how_we_will_know": x.how_we_will_know,
                "safe_to_fail_limits": x.safe_to_fail_limits,
                "starts_on": x.starts_on,
                "ends_on": x.ends_on,
                "status": x.status,
                "outcome": x.outcome,
                "learnt": x.learnt,
                "version": x.version,
                "previous_version_id": x.previous_version_id,
                "copied_from_id": x.copied_from_id,
                "owner_email": naming.email(x.owner_id) if naming.trust.names_owner(x) else "",
                "started_at": x.started_at,
                "ended_at": x.ended_at,
                "created_at": x.created_at,
            }
        )
    return rows


@resource("id", "name", "kind", "description", "merged_into", "merged_into_id")
def _themes(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": t.pk,
            "name": t.name,
            "kind": t.kind,
            "description": t.description,
            "merged_into": t.merged_into.name if t.merged_into else "",
            "merged_into_id": t.merged_into_id,
        }
        for t in Theme.objects.filter(workspace=workspace)
        .select_related("merged_into")
        .order_by("pk")
    ]


@resource("id", "name", "description", "version", "archived", "definition", "created_at")
def _signifier_sets(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": s.pk,
            "name": s.name,
            "description": s.description,
            "version": s.version,
            "archived": s.archived,
            "definition": json.dumps(s.definition, ensure_ascii=False),
            "created_at": s.created_at,
        }
        for s in SignifierSet.objects.filter(workspace=workspace).order_by("pk")
    ]


@resource("id", "signifier_set_id", "version", "definition", "edited_at")
def _signifier_set_versions(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": v.pk,
            "signifier_set_id": v.signifier_set_id,
            "version": v.version,
            "definition": json.dumps(v.definition, ensure_ascii=False),
            "edited_at": v.edited_at,
        }
        for v in SignifierSetVersion.objects.filter(workspace=workspace).order_by(
            "signifier_set_id", "version"
        )
    ]


@resource(
    "entry_id", "signifier_set_id", "version", "data", "with_person", "placed_at", "updated_at"
)  # fmt: skip
def _placements(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """Placements as widely as their stories: those of the entries the member may see."""
    return [
        {
            "entry_id": p.entry_id,
            "signifier_set_id": p.version.signifier_set_id,
            "version": p.version.version,
            "data": json.dumps(p.data, ensure_ascii=False),
            "with_person": p.with_person,
            "placed_at": p.placed_at,
            "updated_at": p.updated_at,
        }
        for p in Placement.objects.filter(
            workspace=workspace, entry_id__in=naming.entries().values("pk")
        )
        .select_related("version")
        .order_by("entry_id")
    ]


@resource(
    "id", "cycle", "cycle_id", "name", "unit", "learning_question", "how_collected", "chart",
    "visibility", "person", "signal_note", "archived", "created_at",
)  # fmt: skip
def _measures(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """The measures whose values the member sees (cycles.measures.selectors, the one rule)."""
    return [
        {
            "id": m.pk,
            "cycle": naming.cycle(m.cycle),
            "cycle_id": m.cycle_id,
            "name": m.name,
            "unit": m.unit,
            "learning_question": m.learning_question,
            "how_collected": m.how_collected,
            "chart": m.chart,
            "visibility": share_level_token(m.visibility),
            "person": m.person.reference if m.person else "",
            "signal_note": m.signal_note,
            "archived": m.archived,
            "created_at": m.created_at,
        }
        for m in measures_visible_to(workspace=workspace, user=user, worked_in=naming.worked_in)
        .select_related("cycle", "person")
        .order_by("pk")
    ]


@resource("measure", "measure_id", "cycle", "date", "value", "unit", "note")
def _data_points(workspace: Workspace, user: User, naming: Naming) -> Rows:
    """The values of those measures, in the import's columns (measure, cycle, date, value,
    unit, note), so the file imports again."""
    visible = measures_visible_to(
        workspace=workspace, user=user, worked_in=naming.worked_in
    ).values("pk")
    return [
        {
            "measure": p.measure.name,
            "measure_id": p.measure_id,
            "cycle": naming.cycle(p.measure.cycle),
            "date": p.on,
            "value": format(p.value.normalize(), "f"),
            "unit": p.measure.unit,
            "note": p.note,
        }
        for p in DataPoint.objects.filter(workspace=workspace, measure__in=visible)
        .select_related("measure__cycle")
        .order_by("measure_id", "on")
    ]


def _own_terms(workspace: Workspace, naming: Naming) -> Any:
    """A person's own items stay with those who work with the person: inside their cycle."""
    return WhatMatters.objects.filter(workspace=workspace, cycle__system_id__in=naming.worked_in)


@resource(
    "id", "cycle", "cycle_id", "person", "words", "scale_max", "low_words", "high_words",
    "archived",
)  # fmt: skip
def _what_matters(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "id": w.pk,
            "cycle": naming.cycle(w.cycle),
            "cycle_id": w.cycle_id,
            "person": w.person.reference,
            "words": w.words,
            "scale_max": w.scale_max,
            "low_words": w.low_words,
            "high_words": w.high_words,
            "archived": w.archived,
        }
        for w in _own_terms(workspace, naming).select_related("cycle", "person").order_by("pk")
    ]


@resource("what_matters_id", "date", "value", "rated_by", "note")
def _what_matters_ratings(workspace: Workspace, user: User, naming: Naming) -> Rows:
    return [
        {
            "what_matters_id": r.item_id,
            "date": r.on,
            "value": r.value,
            "rated_by": r.rated_by,
            "note": r.note,
        }
        for r in WhatMattersRating.objects.filter(
            workspace=workspace, item__in=_own_terms(workspace, naming).values("pk")
        ).order_by("item_id", "on")
    ]


# Every file of the export, in the zip's order: the workspace's shape first, then its people
# and cycles, their work, and stewardship. dataio/coverage.py says which models each carries.
RESOURCES: dict[str, Resource] = {
    "scales": _scales,
    "systems": _systems,
    **export_systems.RESOURCES,
    "people": _people,
    "cycles": _cycles,
    "entries": _entries,
    "experiments": _experiments,
    "themes": _themes,
    "measures": _measures,
    "data_points": _data_points,
    "what_matters": _what_matters,
    "what_matters_ratings": _what_matters_ratings,
    "signifier_sets": _signifier_sets,
    "signifier_set_versions": _signifier_set_versions,
    "placements": _placements,
    **export_cycles.RESOURCES,
    **export_stewardship.RESOURCES,
    **export_methods.RESOURCES,
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return csvfile.escape(str(value))


def to_csv(rows: Rows, columns: list[str]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(row.get(column)) for column in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # a BOM, so spreadsheets read UTF-8


def _json_default(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def to_json(rows: Rows) -> bytes:
    return json.dumps(rows, ensure_ascii=False, indent=2, default=_json_default).encode("utf-8")


def build_zip(
    *, workspace: Workspace, user: User, on_step: Callable[[int], None]
) -> tuple[bytes, dict[str, int]]:
    buffer = io.BytesIO()
    counts: dict[str, int] = {}
    naming = Naming(workspace, user)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for step, (name, spec) in enumerate(RESOURCES.items(), start=1):
            rows = spec.rows(workspace, user, naming)
            archive.writestr(f"{name}.csv", to_csv(rows, list(spec.columns)))
            archive.writestr(f"{name}.json", to_json(rows))
            counts[name] = len(rows)
            on_step(step)
        manifest = {
            "format_version": FORMAT_VERSION,
            "workspace": {"id": workspace.pk, "name": workspace.name, "slug": workspace.slug},
            "exported_at": timezone.now().isoformat(),
            "exported_by": user.pk,
            "counts": counts,
            "files": [f"{name}.{ext}" for name in RESOURCES for ext in ("csv", "json")],
            "notes": "People are pseudonymous (no identity). Everything is as the exporting "
            "member may see it on the pages: entries they may read, people they work with, "
            "sessions, method runs and heads-up notes they may open; someone's email is given "
            "where the member would see them named, and a person's life is named as it is "
            "shown to the member. An entry's visibility is the level in force (never past "
            "the person's consent). Secrets (API keys, webhook secrets, calendar links), "
            "drafts, notifications and the audit log are not exported. CSV files are UTF-8 "
            "with a byte-order mark; a cell starting with =, +, - or @ has an apostrophe put "
            "before it.",
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return buffer.getvalue(), counts


def filename(export: ExportRun, workspace: Workspace) -> str:
    return f"{workspace.slug}-export-{timezone.localtime(export.created_at):%Y%m%d-%H%M}.zip"


def build(*, workspace_id: int, export_id: int) -> bool:
    """Build one export (the worker's task). Idempotent: a finished export is left as it is.
    All resources are read in one transaction, so the files agree with each other; progress
    goes to the cache, one step per resource."""
    with tenant_scope(workspace_id=workspace_id):
        export = (
            ExportRun.objects.select_for_update()
            .filter(workspace_id=workspace_id, pk=export_id)
            .defer("content")
            .first()
        )
        if export is None or export.status in (ExportRun.Status.DONE, ExportRun.Status.FAILED):
            return False
        export.status = ExportRun.Status.RUNNING
        export.progress_total = len(RESOURCES) + 1
        export.started_at = timezone.now()
        export.save(update_fields=["status", "progress_total", "started_at"])
    progress.write("export", export_id, 0)
    try:
        with tenant_scope(workspace_id=workspace_id):
            export = (
                ExportRun.objects.select_related("workspace", "created_by")
                .defer("content")
                .get(pk=export_id)
            )
            if export.created_by is None:
                raise RuntimeError("the admin who asked for this export has left")
            data, counts = build_zip(
                workspace=export.workspace,
                user=export.created_by,
                on_step=lambda step: progress.write("export", export_id, step),
            )
            ExportRun.objects.filter(pk=export_id).update(
                content=data,
                size=len(data),
                counts=counts,
                status=ExportRun.Status.DONE,
                progress_done=len(RESOURCES) + 1,
                finished_at=timezone.now(),
            )
    except Exception as error:
        logger.exception("export %s failed", export_id)
        with tenant_scope(workspace_id=workspace_id):
            ExportRun.objects.filter(pk=export_id).update(
                status=ExportRun.Status.FAILED,
                failure=type(error).__name__,
                finished_at=timezone.now(),
            )
        return False
    finally:
        progress.clear("export", export_id)
    return True
