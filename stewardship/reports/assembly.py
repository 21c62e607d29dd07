"""Assembling a learning report's evidence (issue 5, item 6). Runs in a Celery worker
(`tasks.assemble_report`), never in a request.

Each step reads the report's cycles for its period and writes nothing but the report's
`assembly_progress`, in its own committed transaction, so the report's page (polling) sees the
progress move. The last step replaces `content` whole: assembling again is idempotent.

What travels into a report, and what never does:
- entries (for themes and stories) only when shared upward (`Entry.objects.shared_upward()`:
  visibility capped by the person's consent, SHARED_UPWARD or WORKSPACE), not deleted;
  private, team and cycle entries never appear, whoever assembles;
- entries are chosen for the period by when they happened (`happened_on`), not when they were
  logged;
- a report travels, so a person-scale cycle (and system) is always shown by its pseudonymous
  name ("A person's life · Team A", `cycles.trust.Trust.cycle_name` seen from outside), whoever
  assembles;
- story excerpts are anonymised: the person link is dropped, and the person's alias and
  reference, and the names of a person-scale cycle and system the text belongs to, are replaced
  in the text by "[someone]"; no identity is ever read;
- a theme's count under the workspace's `small_count_threshold` is withheld ("fewer than N"),
  and such a theme shows at most one story, so the excerpts never tell more than the count does;
- barriers' text travels only while its entry is shared upward (the barrier relay's rule);
  answers always do;
- nothing counts or names people's activity: no authors, no per-person numbers.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cycles.measures.selectors import current_signal_words
from cycles.models import (
    BarrierResponse,
    BarrierRoute,
    Cycle,
    DataPoint,
    Entry,
    EntryTheme,
    Experiment,
    Measure,
    WhatMatters,
    effective_level,
)
from cycles.trust import Trust
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from stewardship.models import (
    Charter,
    CharterSignature,
    LearningReport,
    Occurrence,
    Participation,
    SessionOutput,
)
from systems.models import ShareLevel, System

logger = logging.getLogger(__name__)

STORIES_PER_THEME = 3
EXCERPT_LENGTH = 300
SOMEONE = "[someone]"

Step = Callable[[Workspace, LearningReport, list[Cycle]], Any]


# Helpers -------------------------------------------------------------------------------------


def _period_bounds(report: LearningReport) -> tuple[_dt.datetime, _dt.datetime]:
    """The report's period as aware datetimes: [start of first day, start of the day after)."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(_dt.datetime.combine(report.period_start, _dt.time.min), tz)
    end = timezone.make_aware(
        _dt.datetime.combine(report.period_end + _dt.timedelta(days=1), _dt.time.min), tz
    )
    return start, end


def _lines(text: str) -> list[str]:
    return [line.strip(" -*\t") for line in (text or "").splitlines() if line.strip(" -*\t")]


def anonymise(text: str, *, names: list[str]) -> str:
    """The text with each of `names` (the person's alias and reference) replaced by [someone],
    as whole words, whatever their case."""
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", SOMEONE, text, flags=re.IGNORECASE)
    return text


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The first `length` characters of plain text, cut at a word, with an ellipsis if cut."""
    flat = " ".join((text or "").split())
    if len(flat) <= length:
        return flat
    cut = flat[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


def _in_period(report: LearningReport) -> Q:
    """Entries of the period by when they happened (always filled; the logged time is kept
    for sync)."""
    return Q(happened_on__gte=report.period_start, happened_on__lte=report.period_end)


def _shared_entries(
    workspace: Workspace, report: LearningReport, cycle_ids: list[int]
) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(workspace=workspace, cycle_id__in=cycle_ids, deleted_at__isnull=True)
        .filter(_in_period(report))
        .shared_upward()
    )


def report_trust(workspace: Workspace) -> Trust:
    """How a report names cycles: as seen from outside every cycle, for a report travels."""
    return Trust(workspace_id=workspace.pk, user_id=0, systems=frozenset())


_NAME_WORD = re.compile(r"[^\W\d_]{2,}")


def _proper_words(name: str, scale_name: str) -> list[str]:
    """A name's capitalised words of two letters or more, but not those of its scale's name."""
    scale_words = {w.casefold() for w in _NAME_WORD.findall(scale_name)}
    return [
        w for w in _NAME_WORD.findall(name) if w[0].isupper() and w.casefold() not in scale_words
    ]


def _life_names(system: System | None) -> list[str]:
    """The names a person-scale system gives its person away by: its whole name and its
    capitalised words (not the words of its scale's name: "life" stays)."""
    if system is None or not system.scale.is_person_scale:
        return []
    return [system.name, *_proper_words(system.name, system.scale.name)]


def cycle_names_to_hide(cycle: Cycle) -> list[str]:
    """A person-scale cycle's own name and its system's, as words to mask in a report."""
    system = cycle.system
    if not system.scale.is_person_scale:
        return []
    return [cycle.name, *_proper_words(cycle.name, system.scale.name), *_life_names(system)]


def _anonymised(text: str, cycle: Cycle) -> str:
    return anonymise(text, names=cycle_names_to_hide(cycle))


def _anonymised_excerpt(entry: Entry) -> str:
    names: list[str] = cycle_names_to_hide(entry.cycle)
    if entry.person_id is not None and entry.person is not None:
        names += [entry.person.alias, entry.person.reference, *_life_names(entry.person.system)]
    return excerpt(anonymise(entry.text, names=names))


_CYCLE_NAMING = (
    "system__scale",
    "system__parent__scale",
)
_ENTRY_NAMING = (
    "person__system__scale",
    "cycle__system__scale",
    "cycle__system__parent__scale",
)


# Steps ---------------------------------------------------------------------------------------


def step_purpose(workspace: Workspace, report: LearningReport, cycles: list[Cycle]) -> Any:
    trust = report_trust(workspace)
    return [
        {
            "cycle_id": c.pk,
            "cycle": trust.cycle_name(c),
            "purpose": _anonymised(c.purpose, c),
            "learning_questions": [_anonymised(q, c) for q in _lines(c.learning_questions)],
        }
        for c in cycles
    ]


def step_principles(workspace: Workspace, report: LearningReport, cycles: list[Cycle]) -> Any:
    names = {c.pk: report_trust(workspace).cycle_name(c) for c in cycles}
    charters = list(
        Charter.objects.filter(workspace=workspace, cycle__in=cycles)
        .select_related("cycle")
        .prefetch_related("principles")
        .order_by("cycle__name", "pk")
    )
    signatures: dict[int, list[CharterSignature]] = defaultdict(list)
    for signature in CharterSignature.objects.filter(
        workspace=workspace, charter__in=charters
    ).select_related("organisation"):
        signatures[signature.charter_id].append(signature)
    return [
        {
            "cycle_id": charter.cycle_id,
            "cycle": names[charter.cycle_id],
            "title": charter.title,
            "preamble": charter.preamble,
            "version": charter.version,
            "principles": [
                {"title": p.title, "description": p.description} for p in charter.principles.all()
            ],
            "signed_by": [
                {
                    "organisation": s.organisation.name,
                    "name": s.signed_by_name,
                    "on": s.signed_on.isoformat(),
                }
                for s in signatures[charter.pk]
                if s.version == charter.version
            ],
        }
        for charter in charters
    ]


def step_learnt(workspace: Workspace, report: LearningReport, cycles: list[Cycle]) -> Any:
    threshold = workspace.small_count_threshold
    entries = _shared_entries(workspace, report, [c.pk for c in cycles])
    counts = (
        EntryTheme.objects.filter(workspace=workspace, entry__in=entries.values("pk"))
        .order_by()
        .values("theme_id", "theme__name", "theme__kind")
        .annotate(n=Count("entry_id", distinct=True))
    )
    themes = []
    for row in sorted(counts, key=lambda r: (r["theme__name"].lower(), r["theme_id"])):
        withheld = row["n"] < threshold
        stories: QuerySet[Entry] = (
            entries.filter(kind=Entry.Kind.STORY, themes=row["theme_id"])
            .select_related(*_ENTRY_NAMING)
            .order_by("-created_at", "-pk")
        )
        limit = 1 if withheld else STORIES_PER_THEME
        themes.append(
            {
                "theme_id": row["theme_id"],
                "name": row["theme__name"],
                "kind": row["theme__kind"],
                "count": None if withheld else row["n"],
                "fewer_than": threshold if withheld else None,
                "stories": [
                    {"entry_id": e.pk, "excerpt": _anonymised_excerpt(e)} for e in stories[:limit]
                ],
            }
        )
    return {"threshold": threshold, "themes": themes}


def step_experiments(workspace: Workspace, report: LearningReport, cycles: list[Cycle]) -> Any:
    """The latest version of each experiment of the cycles that ran during the period. Every
    outcome, "stopped: learnt" included, is listed alike, by title."""
    start, end = report.period_start, report.period_end
    trust = report_trust(workspace)
    by_id = {c.pk: c for c in cycles}
    experiments = (
        Experiment.objects.filter(workspace=workspace, cycle__in=cycles, next_version__isnull=True)
        .exclude(status=Experiment.Status.PLANNED)
        .filter(
            Q(started_at__date__lte=end)
            | Q(started_at__isnull=True, starts_on__lte=end)
            | Q(started_at__isnull=True, starts_on__isnull=True)
        )
        .filter(
            Q(status=Experiment.Status.RUNNING)
            | Q(ended_at__date__gte=start)
            | Q(ended_at__isnull=True, ends_on__gte=start)
        )
        .order_by("cycle__name", "title", "pk")
    )
    return [
        {
            "experiment_id": e.pk,
            "cycle": trust.cycle_name(by_id[e.cycle_id]),
            "title": _anonymised(e.title, by_id[e.cycle_id]),
            "what_we_tried": _anonymised(e.what_we_will_try, by_id[e.cycle_id]),
            "status": e.status,
            "status_label": str(e.get_status_display()),
            "outcome": e.outcome,
            "outcome_label": str(e.get_outcome_display()) if e.outcome else "",
            "learnt": _anonymised(e.learnt, by_id[e.cycle_id]),
            "starts_on": e.starts_on.isoformat() if e.starts_on else None,
            "ends_on": e.ends_on.isoformat() if e.ends_on else None,
        }
        for e in experiments
    ]


def step_measures(workspace: Workspace, report: LearningReport, cycles: list[Cycle]) -> Any:
    """The cycles' measures beside what matters to the people they serve, never combined. A
    report travels beyond its cycles, so as the cycles above see them: a measure shared upward
    gives its signal in words and the cycle's note; one shared with the whole workspace also
    gives its values of the period. A person's own cycle (its measures and the person's own
    terms, rated on their scale) appears only where the person agreed to share as far as the
    whole workspace; its name is the report's pseudonym for it."""
    trust = report_trust(workspace)
    by_id = {c.pk: c for c in cycles}
    measures = list(
        Measure.objects.filter(workspace=workspace, cycle__in=cycles, archived=False)
        .annotate(level=effective_level())
        .filter(level__gte=ShareLevel.SHARED_UPWARD)
        .order_by("cycle__name", "name", "pk")
    )
    points: dict[int, list[DataPoint]] = defaultdict(list)
    for point in DataPoint.objects.filter(
        workspace=workspace, measure__in=[m.pk for m in measures], on__lte=report.period_end
    ).order_by("on", "pk"):
        points[point.measure_id].append(point)
    person_cycle = {c.pk: _is_person_cycle(c) for c in cycles}
    rows: list[dict[str, Any]] = []
    for m in measures:
        if person_cycle[m.cycle_id] and m.level < ShareLevel.WORKSPACE:
            continue
        series = points[m.pk]
        rows.append(
            {
                "measure_id": m.pk,
                "cycle": trust.cycle_name(by_id[m.cycle_id]),
                "name": _anonymised(m.name, by_id[m.cycle_id]),
                "unit": m.unit,
                "question": _anonymised(m.learning_question, by_id[m.cycle_id]),
                "signals": list(current_signal_words(m.chart, [p.value for p in series])),
                "note": _anonymised(m.signal_note, by_id[m.cycle_id]),
                "values": [
                    {"on": p.on.isoformat(), "value": format(p.value.normalize(), "f")}
                    for p in series
                    if p.on >= report.period_start
                ]
                if m.level >= ShareLevel.WORKSPACE
                else None,
            }
        )
    own_terms = [
        {
            "item_id": item.pk,  # so an erasure finds it (stewardship/privacy)
            "cycle": trust.cycle_name(by_id[item.cycle_id]),
            "words": _anonymised(item.words, by_id[item.cycle_id]),
            "scale": f"0 ({item.low_words or '0'}) to {item.scale_max} "
            f"({item.high_words or item.scale_max})",
            "ratings": [
                {"on": r.on.isoformat(), "value": r.value}
                for r in item.ratings.all()
                if report.period_start <= r.on <= report.period_end
            ],
        }
        for item in WhatMatters.objects.filter(
            workspace=workspace,
            cycle__in=cycles,
            archived=False,
            person__consent_level__gte=ShareLevel.WORKSPACE,
        )
        .prefetch_related("ratings")
        .order_by("cycle__name", "position", "pk")
    ]
    return {"measures": rows, "own_terms": own_terms}


def _is_person_cycle(cycle: Cycle) -> bool:
    system = cycle.system
    return system is not None and system.scale.is_person_scale


def step_barriers(workspace: Workspace, report: LearningReport, cycles: list[Cycle]) -> Any:
    start, end = _period_bounds(report)
    cycle_ids = [c.pk for c in cycles]
    trust = report_trust(workspace)
    routes = list(
        BarrierRoute.objects.filter(workspace=workspace, raised_at__gte=start, raised_at__lt=end)
        .filter(Q(from_cycle_id__in=cycle_ids) | Q(to_cycle_id__in=cycle_ids))
        .select_related(
            *(f"entry__{path}" for path in _ENTRY_NAMING),
            *(f"from_cycle__{path}" for path in _CYCLE_NAMING),
            *(f"to_cycle__{path}" for path in _CYCLE_NAMING),
        )
        .order_by("raised_at", "pk")
    )
    answers: dict[int, list[BarrierResponse]] = defaultdict(list)
    for response in BarrierResponse.objects.filter(workspace=workspace, route__in=routes).order_by(
        "responded_at", "pk"
    ):
        answers[response.route_id].append(response)
    result = []
    for route in routes:
        entry = route.entry
        shown = entry.deleted_at is None and entry.is_shared_upward
        result.append(
            {
                "route_id": route.pk,
                "from_cycle": trust.cycle_name(route.from_cycle),
                "to_cycle": trust.cycle_name(route.to_cycle),
                "raised_on": timezone.localdate(route.raised_at).isoformat(),
                "text": _anonymised_excerpt(entry) if shown else "",
                "state": route.state,
                "state_label": str(route.get_state_display()),
                "answers": [
                    {
                        "state_label": str(a.get_state_display()),
                        "text": _anonymised(a.text, route.from_cycle),
                        "on": timezone.localdate(a.responded_at).isoformat(),
                    }
                    for a in answers[route.pk]
                ],
            }
        )
    return result


def step_inclusion(workspace: Workspace, report: LearningReport, cycles: list[Cycle]) -> Any:
    rows: dict[int, list[Participation]] = defaultdict(list)
    for row in Participation.objects.filter(workspace=workspace, cycle__in=cycles):
        rows[row.cycle_id].append(row)
    result = []
    for cycle in cycles:
        by_status: dict[str, list[dict[str, str]]] = {s: [] for s in Participation.Status.values}
        kinds_present = set()
        for row in rows[cycle.pk]:
            kinds_present.add(row.kind)
            by_status[row.status].append(
                {
                    "name": _anonymised(row.name, cycle),
                    "kind": str(row.get_kind_display()),
                    "notes": _anonymised(row.notes, cycle),
                }
            )
        result.append(
            {
                "cycle_id": cycle.pk,
                "cycle": report_trust(workspace).cycle_name(cycle),
                "groups": [
                    {"status": status, "label": str(label), "who": by_status[status]}
                    for status, label in Participation.Status.choices
                ],
                "not_yet_included": [
                    str(label)
                    for kind, label in Participation.Kind.choices
                    if kind not in kinds_present and kind != Participation.Kind.OTHER
                ],
            }
        )
    return result


def step_sessions(workspace: Workspace, report: LearningReport, cycles: list[Cycle]) -> Any:
    start, end = _period_bounds(report)
    occurrences = list(
        Occurrence.objects.filter(
            workspace=workspace,
            session__cycles__in=cycles,
            cancelled=False,
            held_at__gte=start,
            held_at__lt=end,
        )
        .select_related("session")
        .distinct()
        .order_by("starts_at", "pk")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        SessionOutput.objects.filter(
            workspace=workspace, occurrence__in=occurrences, cycle__in=cycles
        )
        .order_by()
        .values("occurrence_id", "kind")
        .annotate(n=Count("pk"))
    ):
        counts[row["occurrence_id"]][row["kind"]] = row["n"]
    labels = dict(SessionOutput.Kind.choices)
    totals: dict[str, int] = defaultdict(int)
    held = []
    for occurrence in occurrences:
        outputs = []
        for kind in SessionOutput.Kind.values:
            n = counts[occurrence.pk].get(kind, 0)
            totals[kind] += n
            if n:
                outputs.append({"kind": kind, "label": str(labels[kind]), "count": n})
        held.append(
            {
                "occurrence_id": occurrence.pk,
                "session": occurrence.session.title,
                "on": timezone.localdate(occurrence.starts_at).isoformat(),
                "outputs": outputs,
            }
        )
    return {
        "held": held,
        "count": len(held),
        "outputs": [
            {"kind": kind, "label": str(labels[kind]), "count": totals[kind]}
            for kind in SessionOutput.Kind.values
            if totals[kind]
        ],
    }


# The steps in order, with the progress (percent) reached after each.
STEPS: list[tuple[str, Step, int]] = [
    ("purpose", step_purpose, 10),
    ("principles", step_principles, 20),
    ("learnt", step_learnt, 45),
    ("experiments", step_experiments, 55),
    ("measures", step_measures, 65),
    ("barriers", step_barriers, 75),
    ("inclusion", step_inclusion, 85),
    ("sessions", step_sessions, 95),
]


def assemble(*, workspace_id: int, report_id: int) -> bool:
    """Assemble the report's content, step by step, each step committed. Idempotent: the
    content is replaced whole. On an error the report is marked failed (its page offers to try
    again) and False is returned; a report that is gone or published is left alone."""
    with tenant_scope(workspace_id=workspace_id):
        report = (
            LearningReport.objects.select_for_update()
            .filter(workspace_id=workspace_id, pk=report_id)
            .first()
        )
        if report is None or report.status == LearningReport.Status.PUBLISHED:
            return False
        report.assembly = LearningReport.Assembly.RUNNING
        report.assembly_progress = 0
        report.save(update_fields=["assembly", "assembly_progress", "updated_at"])
    try:
        content: dict[str, Any] = {}
        for key, step, percent in STEPS:
            with tenant_scope(workspace_id=workspace_id):
                workspace = Workspace.objects.get(pk=workspace_id)
                report = LearningReport.objects.get(workspace=workspace, pk=report_id)
                cycles = list(report.cycles.select_related(*_CYCLE_NAMING).order_by("name", "pk"))
                content[key] = step(workspace, report, cycles)
                LearningReport.objects.filter(pk=report_id).update(assembly_progress=percent)
        with tenant_scope(workspace_id=workspace_id):
            report = LearningReport.objects.select_for_update().get(pk=report_id)
            if report.status == LearningReport.Status.PUBLISHED:
                return False  # published meanwhile: what was published stays as it was
            content["receiver_account"] = report.receiver_account
            content["assembled_at"] = timezone.now().isoformat()
            report.content = content
            report.assembly = LearningReport.Assembly.READY
            report.assembly_progress = 100
            report.save(update_fields=["content", "assembly", "assembly_progress", "updated_at"])
    except Exception:
        logger.exception("assembling learning report %s failed", report_id)
        with tenant_scope(workspace_id=workspace_id):
            LearningReport.objects.filter(pk=report_id).update(
                assembly=LearningReport.Assembly.FAILED
            )
        return False
    return True
