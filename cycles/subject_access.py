"""What the cycles hold about one person, for their subject access file
(systems/people/subject_access.py, which this adds its parts to when the app is ready).

Everything linked to the person, whoever wrote it and at whatever level (the file is for the
person): entries about them (deleted ones too) and their earlier versions, the answers to
barriers raised from them, experiments that name the person, measures about them and their
values, what matters to them and their ratings, and where their stories were placed on
signifier sets. Nothing about anyone else: an entry is theirs only by its link to them.
A constant number of queries, whatever the number of rows.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from cycles.models import (
    BarrierResponse,
    DataPoint,
    Entry,
    EntryRevision,
    Experiment,
    Measure,
    Placement,
    Theme,
    WhatMatters,
    WhatMattersRating,
)
from hls.tenancy.models import Workspace
from systems.models import Person
from systems.people import subject_access
from systems.people.subject_access import Part, level_name, name_of, when

# Reads ---------------------------------------------------------------------------------------


def entries_about(*, workspace: Workspace, person: Person) -> QuerySet[Entry]:
    """Every entry about the person, deleted ones included, oldest first, with their themes."""
    return (
        Entry.objects.filter(workspace=workspace, person=person)
        .select_related("cycle", "author")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name")))
        .order_by("happened_on", "created_at", "pk")
    )


def entry_revisions_about(*, workspace: Workspace, person: Person) -> QuerySet[EntryRevision]:
    return (
        EntryRevision.objects.filter(workspace=workspace, entry__person=person)
        .select_related("edited_by")
        .order_by("entry_id", "edited_at", "pk")
    )


def barrier_answers_about(*, workspace: Workspace, person: Person) -> QuerySet[BarrierResponse]:
    return (
        BarrierResponse.objects.filter(workspace=workspace, route__entry__person=person)
        .select_related("route__from_cycle", "route__to_cycle", "responded_by")
        .order_by("responded_at", "pk")
    )


def experiments_naming(*, workspace: Workspace, person: Person) -> QuerySet[Experiment]:
    return (
        Experiment.objects.filter(workspace=workspace, people=person)
        .select_related("cycle", "owner")
        .distinct()
        .order_by("created_at", "pk")
    )


def measures_about(*, workspace: Workspace, person: Person) -> QuerySet[Measure]:
    return (
        Measure.objects.filter(workspace=workspace, person=person)
        .select_related("cycle")
        .order_by("created_at", "pk")
    )


def data_points_about(*, workspace: Workspace, person: Person) -> QuerySet[DataPoint]:
    return DataPoint.objects.filter(workspace=workspace, measure__person=person).order_by(
        "measure_id", "on", "pk"
    )


def what_matters_of(*, workspace: Workspace, person: Person) -> QuerySet[WhatMatters]:
    return (
        WhatMatters.objects.filter(workspace=workspace, person=person)
        .select_related("cycle")
        .order_by("position", "pk")
    )


def ratings_of(*, workspace: Workspace, person: Person) -> QuerySet[WhatMattersRating]:
    return WhatMattersRating.objects.filter(workspace=workspace, item__person=person).order_by(
        "item_id", "on", "pk"
    )


def placements_of_stories_about(*, workspace: Workspace, person: Person) -> QuerySet[Placement]:
    return (
        Placement.objects.filter(workspace=workspace, entry__person=person)
        .select_related("version__signifier_set")
        .order_by("placed_at", "pk")
    )


# Parts of the file ---------------------------------------------------------------------------


def _entries(workspace: Workspace, person: Person) -> list[Part]:
    entries = [
        {
            "entry_id": entry.pk,
            "cycle": entry.cycle.name,
            "kind": entry.get_kind_display(),
            "phase": entry.get_phase_display(),
            "happened_on": entry.happened_on.isoformat(),
            "text": entry.text,
            "themes": [theme.name for theme in entry.themes.all()],
            "who_can_see_it": level_name(entry.visibility),
            "written_by": name_of(entry.author),
            "logged_at": when(entry.created_at),
            "changed_at": when(entry.updated_at),
            "deleted_at": when(entry.deleted_at),
            "experiment_id": entry.experiment_id or "",
        }
        for entry in entries_about(workspace=workspace, person=person)
    ]
    revisions = [
        {
            "entry_id": revision.entry_id,
            "until": when(revision.edited_at),
            "changed_by": name_of(revision.edited_by),
            "kind": revision.kind,
            "phase": revision.phase,
            "who_could_see_it": level_name(revision.visibility),
            "text": revision.text,
        }
        for revision in entry_revisions_about(workspace=workspace, person=person)
    ]
    answers = [
        {
            "entry_id": answer.route.entry_id,
            "raised_from": answer.route.from_cycle.name,
            "answered_by_cycle": answer.route.to_cycle.name,
            "answered_at": when(answer.responded_at),
            "answered_by": name_of(answer.responded_by),
            "state": answer.get_state_display(),
            "answer": answer.text,
        }
        for answer in barrier_answers_about(workspace=workspace, person=person)
    ]
    return [
        Part(
            "entries",
            "What was written about them",
            "Every entry that is about them (stories, observations, reflections, barriers and "
            "the rest), whoever wrote it and however far it may be shared, oldest first; "
            "entries since deleted are here too, with when they were deleted. An entry is "
            "never shown further than their consent, whatever its own level says.",
            entries,
            (
                "entry_id",
                "cycle",
                "kind",
                "phase",
                "happened_on",
                "text",
                "themes",
                "who_can_see_it",
                "written_by",
                "logged_at",
                "changed_at",
                "deleted_at",
                "experiment_id",
            ),
        ),
        Part(
            "entry_history",
            "Earlier versions of those entries",
            "Each entry about them as it was before someone changed it, with when it changed "
            "and who changed it.",
            revisions,
            ("entry_id", "until", "changed_by", "kind", "phase", "who_could_see_it", "text"),
        ),
        Part(
            "barrier_answers",
            "Answers to barriers raised from what happened to them",
            "When an entry about them was a barrier taken to the cycle above, each answer it "
            "was given.",
            answers,
            (
                "entry_id",
                "raised_from",
                "answered_by_cycle",
                "answered_at",
                "answered_by",
                "state",
                "answer",
            ),
        ),
    ]


def _experiments(workspace: Workspace, person: Person) -> list[Part]:
    rows = [
        {
            "experiment_id": experiment.pk,
            "cycle": experiment.cycle.name,
            "title": experiment.title,
            "what_we_will_try": experiment.what_we_will_try,
            "why": experiment.why,
            "what_we_expect": experiment.prediction,
            "how_we_will_know": experiment.how_we_will_know,
            "safe_to_fail_limits": experiment.safe_to_fail_limits,
            "starts_on": experiment.starts_on.isoformat() if experiment.starts_on else "",
            "ends_on": experiment.ends_on.isoformat() if experiment.ends_on else "",
            "status": experiment.get_status_display(),
            "outcome": experiment.get_outcome_display() if experiment.outcome else "",
            "what_we_learnt": experiment.learnt,
            "version": experiment.version,
        }
        for experiment in experiments_naming(workspace=workspace, person=person)
    ]
    return [
        Part(
            "experiments",
            "Experiments with them",
            "The experiments that name them: what was tried and why, what was expected, and "
            "what was learnt.",
            rows,
            (
                "experiment_id",
                "cycle",
                "title",
                "what_we_will_try",
                "why",
                "what_we_expect",
                "how_we_will_know",
                "safe_to_fail_limits",
                "starts_on",
                "ends_on",
                "status",
                "outcome",
                "what_we_learnt",
                "version",
            ),
        )
    ]


def _measures(workspace: Workspace, person: Person) -> list[Part]:
    measures = [
        {
            "measure_id": measure.pk,
            "cycle": measure.cycle.name,
            "name": measure.name,
            "unit": measure.unit,
            "what_it_is_for": measure.learning_question,
            "how_it_is_collected": measure.how_collected,
            "what_we_make_of_it": measure.signal_note,
            "who_sees_it": level_name(measure.visibility),
        }
        for measure in measures_about(workspace=workspace, person=person)
    ]
    points = [
        {
            "measure_id": point.measure_id,
            "on": point.on.isoformat(),
            "value": str(point.value),
            "note": point.note,
        }
        for point in data_points_about(workspace=workspace, person=person)
    ]
    items = [
        {
            "item_id": item.pk,
            "cycle": item.cycle.name,
            "what_matters_in_their_words": item.words,
            "their_scale_runs_from_0_to": item.scale_max,
            "their_words_for_0": item.low_words,
            "their_words_for_the_top": item.high_words,
            "set_aside": item.archived,
        }
        for item in what_matters_of(workspace=workspace, person=person)
    ]
    ratings = [
        {
            "item_id": rating.item_id,
            "on": rating.on.isoformat(),
            "where_they_are": rating.value,
            "what_they_said": rating.note,
            "rated_by": rating.get_rated_by_display(),
        }
        for rating in ratings_of(workspace=workspace, person=person)
    ]
    return [
        Part(
            "measures",
            "Measures about them",
            "Measures kept about them to learn from (never a target): what each is for and how "
            "it is collected.",
            measures,
            (
                "measure_id",
                "cycle",
                "name",
                "unit",
                "what_it_is_for",
                "how_it_is_collected",
                "what_we_make_of_it",
                "who_sees_it",
            ),
        ),
        Part(
            "measure_values",
            "The values of those measures",
            "Each value, one a day, with its note.",
            points,
            ("measure_id", "on", "value", "note"),
        ),
        Part(
            "what_matters",
            "What matters to them, in their own words",
            "The things they said matter to them, on their own scale with their own words for "
            "its ends.",
            items,
            (
                "item_id",
                "cycle",
                "what_matters_in_their_words",
                "their_scale_runs_from_0_to",
                "their_words_for_0",
                "their_words_for_the_top",
                "set_aside",
            ),
        ),
        Part(
            "what_matters_ratings",
            "Where they placed themselves",
            "Each time they (or their worker with them) rated one of those things on their "
            "scale, and what they said.",
            ratings,
            ("item_id", "on", "where_they_are", "what_they_said", "rated_by"),
        ),
    ]


def _placements(workspace: Workspace, person: Person) -> list[Part]:
    rows = [
        {
            "entry_id": placement.entry_id,
            "signifier_set": placement.version.signifier_set.name,
            "set_version": placement.version.version,
            "signifiers": placement.version.definition,
            "placed": placement.data,
            "placed_with_them": placement.with_person,
            "placed_at": when(placement.placed_at),
        }
        for placement in placements_of_stories_about(workspace=workspace, person=person)
    ]
    return [
        Part(
            "story_placements",
            "Where their stories were placed",
            "For stories about them, where the teller (or they, together) placed the story on a "
            "set of signifiers: the signifiers as they were, and the places chosen.",
            rows,
            (
                "entry_id",
                "signifier_set",
                "set_version",
                "signifiers",
                "placed",
                "placed_with_them",
                "placed_at",
            ),
        )
    ]


def parts(workspace: Workspace, person: Person) -> list[Part]:
    return [
        *_entries(workspace, person),
        *_experiments(workspace, person),
        *_measures(workspace, person),
        *_placements(workspace, person),
    ]


def connect() -> None:
    subject_access.add_part_provider(parts)
