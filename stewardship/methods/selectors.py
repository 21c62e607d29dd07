"""Reads for guided methods: the methods offered, runs a member may see, what each participant
sees of a step (their own answers; others' as the step allows), the items a selection chooses
from, and a Most Significant Change chain. Who may do what: rules.py."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from cycles.connections import cycles_above
from cycles.models import Cycle
from cycles.trust import trust_for
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from stewardship.methods import rules
from stewardship.methods.builtin import BUILTINS, Builtin
from stewardship.methods.definition import Field, Step, parse
from stewardship.models import (
    MethodRun,
    MethodRunLink,
    MethodTemplate,
    Occurrence,
    RunAnswer,
    RunParticipant,
)


def definition_text(definition: Any) -> str:
    return json.dumps(definition, indent=2, ensure_ascii=False)


def shown(field: Field, value: Any) -> str:
    """An answer's value as words (for conflicts and exports)."""
    if field.type == "scale" and isinstance(value, Mapping):
        number = value.get("value")
        return "not applicable" if number is None else f"{number} of {field.max}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(str(v) for v in value.get("chosen", []))
    return str(value or "")


# --- Methods offered --------------------------------------------------------------------------


def templates(*, workspace: Workspace, archived: bool = False) -> QuerySet[MethodTemplate]:
    return MethodTemplate.objects.filter(workspace=workspace, archived=archived).order_by(
        "name", "pk"
    )


@dataclass(frozen=True)
class Offer:
    """A method the picker offers: a built-in or the workspace's own."""

    key: str  # the built-in's key, or "template:<pk>"
    name: str
    summary: str
    source: str
    phases: tuple[str, ...]
    scales: tuple[str, ...]
    minutes: int
    builtin: Builtin | None = None
    template: MethodTemplate | None = None


def offers(*, workspace: Workspace, phase: str = "", scale: str = "") -> list[Offer]:
    """Built-ins, then the workspace's own, for a phase and a scale key (empty: all)."""
    found = [
        Offer(b.key, b.name, b.summary, b.source, b.phases, b.scales, b.minutes, builtin=b)
        for b in BUILTINS.values()
    ]
    for t in templates(workspace=workspace):
        steps = parse(t.definition).steps
        minutes = sum(s.minutes for s in steps)
        found.append(
            Offer(
                f"template:{t.pk}",
                t.name,
                t.summary,
                t.source,
                tuple(t.phases),
                tuple(t.scales),
                minutes,
                template=t,
            )
        )
    return [
        o
        for o in found
        if (not phase or phase in o.phases) and (not scale or not o.scales or scale in o.scales)
    ]


# --- Runs -------------------------------------------------------------------------------------


def may_see_run(*, workspace: Workspace, run: MethodRun, user: User) -> bool:
    return rules.may_see(workspace=workspace, run=run, user=user)


def runs_for_cycle(*, workspace: Workspace, cycle: Cycle) -> QuerySet[MethodRun]:
    """A cycle's runs, for those inside it (the caller checks that)."""
    return (
        MethodRun.objects.filter(workspace=workspace, cycle=cycle)
        .select_related("facilitator", "occurrence__session")
        .order_by("status", "-created_at", "-pk")
    )


def runs_for_user(*, workspace: Workspace, user: User) -> QuerySet[MethodRun]:
    """Runs a member takes part in or facilitates, and those of the cycles they work in."""
    systems = trust_for(workspace=workspace, user=user).systems
    return (
        MethodRun.objects.filter(workspace=workspace)
        .filter(
            Q(facilitator=user)
            | Q(participants__user=user)
            | Q(cycle__system_id__in=systems)
            | Q(occurrence__session__facilitator=user)
        )
        .distinct()
        .select_related("cycle", "facilitator")
        .order_by("status", "-created_at", "-pk")
    )


def runs_in_meeting(*, workspace: Workspace, occurrence: Occurrence | None) -> list[MethodRun]:
    """The runs held in a meeting, for its page (each run's own page decides who sees it)."""
    if occurrence is None:
        return []
    return list(
        MethodRun.objects.filter(workspace=workspace, occurrence=occurrence).order_by(
            "created_at", "pk"
        )
    )


def participant_for(*, workspace: Workspace, run: MethodRun, user: User) -> RunParticipant | None:
    return RunParticipant.objects.filter(workspace=workspace, run=run, user=user).first()


def participants(*, workspace: Workspace, run: MethodRun) -> list[RunParticipant]:
    return list(RunParticipant.objects.filter(workspace=workspace, run=run).select_related("user"))


def label(participant: RunParticipant | None) -> str:
    if participant is None:
        return "The group"
    if participant.user is not None:
        return participant.user.display_name
    return participant.guest_name


# --- Items a selection or a ranking chooses among ----------------------------------------------


@dataclass(frozen=True)
class Item:
    id: str  # "<answer pk>.<field key>"
    text: str
    by: str  # who told it, within the run; the cycle's name for an item from another level
    reasons: tuple[str, ...] = ()  # why levels below chose it


def _visible_to_group(step: Step, answer: RunAnswer, run: MethodRun) -> bool:
    if not step.private:
        return True
    return answer.shared or (step.key in run.revealed and step.reveal == "answers")


def items(*, workspace: Workspace, run: MethodRun, source: str) -> list[Item]:
    """What a select or rank field of `run` chooses among: the answers to `source` ("step.field")
    the group may see, in this round, then what the runs it draws from selected, with their
    reasons (a level above in Most Significant Change)."""
    step_key, _dot, field_key = source.partition(".")
    definition = parse(run.definition)
    step = definition.step(step_key)
    found: list[Item] = []
    if step is not None:
        for answer in (
            RunAnswer.objects.filter(workspace=workspace, run=run, step=step_key, round=run.round)
            .select_related("participant__user")
            .order_by("created_at", "pk")
        ):
            text = answer.data.get(field_key)
            if isinstance(text, str) and text and _visible_to_group(step, answer, run):
                found.append(Item(f"{answer.pk}.{field_key}", text, label(answer.participant)))
    sources = MethodRun.objects.filter(
        workspace=workspace,
        pk__in=MethodRunLink.objects.filter(workspace=workspace, run=run).values("source"),
    ).select_related("cycle")
    picked = [
        (source_run, chosen_id, reason)
        for source_run in sources
        for chosen_id, reason in chosen_in(workspace=workspace, run=source_run)
    ]
    texts = item_texts(workspace=workspace, ids=[chosen_id for _run, chosen_id, _why in picked])
    for source_run, chosen_id, reason in picked:
        if texts.get(chosen_id):
            found.append(Item(chosen_id, texts[chosen_id], source_run.cycle.name, (reason,)))
    return found


def runs_to_offer_up(*, workspace: Workspace, run: MethodRun) -> list[MethodRun]:
    """Open runs of the same method in the cycles directly above `run`'s cycle, which it may
    offer its selection to."""
    above = cycles_above(workspace=workspace, cycle=run.cycle).values("pk")
    return list(
        MethodRun.objects.filter(
            workspace=workspace,
            cycle__in=above,
            status=MethodRun.Status.OPEN,
            builtin=run.builtin,
            template=run.template_id,
        )
        .exclude(pk=run.pk)
        .select_related("cycle")
        .order_by("-created_at", "-pk")
    )


def chosen_in(*, workspace: Workspace, run: MethodRun) -> list[tuple[str, str]]:
    """(item id, why) for every item a run's select fields chose."""
    definition = parse(run.definition)
    picked = []
    for answer in RunAnswer.objects.filter(workspace=workspace, run=run, participant=None):
        step = definition.step(answer.step)
        for f in step.fields if step else ():
            value = answer.data.get(f.key)
            if f.type == "select" and isinstance(value, Mapping):
                reasons = value.get("reasons", {})
                picked += [(i, reasons.get(i, "")) for i in value.get("chosen", [])]
    return picked


def item_texts(*, workspace: Workspace, ids: Iterable[str]) -> dict[str, str]:
    """The words behind item ids ("<answer pk>.<field key>"), in this workspace only."""
    wanted: dict[int, list[str]] = {}
    for item_id in ids:
        pk, _dot, key = str(item_id).partition(".")
        if pk.isdigit():
            wanted.setdefault(int(pk), []).append(key)
    found = {}
    for answer in RunAnswer.objects.filter(workspace=workspace, pk__in=wanted):
        for key in wanted[answer.pk]:
            text = answer.data.get(key)
            if isinstance(text, str) and text:
                found[f"{answer.pk}.{key}"] = text
    return found


# --- What one participant sees of a step --------------------------------------------------------


@dataclass
class Seen:
    """An answer as the viewer may see it."""

    answer: RunAnswer
    by: str
    mine: bool


@dataclass
class StepView:
    step: Step
    index: int
    group: RunAnswer | None = None
    mine: RunAnswer | None = None
    answers: list[Seen] = field(default_factory=list)  # others', as the step allows
    answered: int = 0  # how many have answered (shown while answers are private)
    spread: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # field → (value, n)
    revealed: bool = False


def step_views(
    *, workspace: Workspace, run: MethodRun, participant: RunParticipant | None, round: int = 0
) -> list[StepView]:
    """Every step up to the one the group is on, as `participant` may see it: their own answer;
    others' as they arrive (open steps) or once revealed (private steps: with names, or only the
    unattributed spread of scale and choice values beside what their authors chose to share);
    the group's answer. One query for the answers."""
    round = round or run.round
    definition = parse(run.definition)
    answers = list(
        RunAnswer.objects.filter(workspace=workspace, run=run, round=round)
        .select_related("participant__user")
        .order_by("created_at", "pk")
    )
    views = []
    for index, step in enumerate(definition.steps[: run.step + 1]):
        view = StepView(step=step, index=index, revealed=step.key in run.revealed)
        for answer in (a for a in answers if a.step == step.key):
            if answer.participant_id is None:
                view.group = answer
                continue
            view.answered += 1
            mine = participant is not None and answer.participant_id == participant.pk
            if mine:
                view.mine = answer
            if mine or _visible_to_group(step, answer, run):
                view.answers.append(Seen(answer, label(answer.participant), mine))
        if step.private and view.revealed and step.reveal == "spread":
            view.spread = spread(step, [a for a in answers if a.step == step.key])
        views.append(view)
    return views


def spread(step: Step, answers: list[RunAnswer]) -> dict[str, list[tuple[str, int]]]:
    """For each scale and choice field: how many gave each value, never who, never an average
    (an average hides the disagreement the group needs to see). "Not applicable" counted too."""
    found: dict[str, list[tuple[str, int]]] = {}
    for f in step.fields:
        if f.type == "scale":
            counts = Counter(
                (a.data.get(f.key) or {}).get("value") for a in answers if f.key in a.data
            )
            values: list[tuple[str, int]] = [
                (str(v), counts.get(v, 0)) for v in range(f.min, f.max + 1)
            ]
            if counts.get(None):
                values.append(("not applicable", counts[None]))
            found[f.key] = values
        elif f.type in ("choice", "multi"):
            tally: Counter[str] = Counter()
            for a in answers:
                value = a.data.get(f.key)
                tally.update(value if isinstance(value, list) else [value] if value else [])
            found[f.key] = [(c, tally.get(c, 0)) for c in f.choices]
    return found


# --- Most Significant Change: the chain of selections -------------------------------------------


@dataclass(frozen=True)
class ChainLink:
    run: MethodRun
    chosen: tuple[tuple[str, str, str], ...]  # (item id, words, why)


def chain_for(*, workspace: Workspace, run: MethodRun, user: User) -> list[ChainLink]:
    """The runs above that drew on this run, and their selections with reasons, for those who
    took part in this run (the storytellers) or in the run above; nobody else."""
    took_part = RunParticipant.objects.filter(workspace=workspace, user=user)
    if not took_part.filter(run=run).exists() and not rules.may_facilitate(
        workspace=workspace, run=run, user=user
    ):
        return []
    links: list[ChainLink] = []
    seen: set[int] = set()
    frontier = [run.pk]
    while frontier:  # upward, level by level (a chain is a handful of runs)
        above = list(
            MethodRun.objects.filter(
                workspace=workspace,
                pk__in=MethodRunLink.objects.filter(
                    workspace=workspace, source_id__in=frontier
                ).values("run"),
            ).select_related("cycle")
        )
        frontier = [r.pk for r in above if r.pk not in seen]
        seen.update(frontier)
        for upper in above:
            picked = chosen_in(workspace=workspace, run=upper)
            texts = item_texts(workspace=workspace, ids=[i for i, _why in picked])
            links.append(ChainLink(upper, tuple((i, texts.get(i, ""), why) for i, why in picked)))
    return links


# --- A place's own picture over time (the healthy-system reflection, and any private spread) ---


@dataclass(frozen=True)
class Picture:
    """One run's spread of views, for comparing the cycle with its own past only."""

    run: MethodRun
    spread: dict[str, list[tuple[str, int]]]
    answered: int
    shared: list[tuple[str, dict[str, Any]]]  # (who, answer) for answers their authors shared


def picture_over_time(
    *, workspace: Workspace, cycle: Cycle, run: MethodRun, limit: int = 6
) -> tuple[Step | None, list[Picture]]:
    """The spread of views in this cycle's runs of `run`'s method (same built-in or template),
    oldest first, for its first private "spread" step: how the place's own picture changed,
    never an average, never another place. Only revealed runs count. Three queries."""
    step = next(
        (s for s in parse(run.definition).steps if s.reveal == "spread" and s.private), None
    )
    if step is None:
        return None, []
    same = MethodRun.objects.filter(
        workspace=workspace, cycle=cycle, builtin=run.builtin, template=run.template_id
    ).order_by("-created_at", "-pk")[:limit]
    runs = [r for r in same if step.key in r.revealed][::-1]
    answers = (
        RunAnswer.objects.filter(workspace=workspace, run__in=[r.pk for r in runs], step=step.key)
        .exclude(participant=None)
        .select_related("participant__user")
    )
    by_run: dict[int, list[RunAnswer]] = {}
    for answer in answers:
        by_run.setdefault(answer.run_id, []).append(answer)
    pictures = []
    for r in runs:
        own = parse(r.definition).step(step.key) or step
        given = by_run.get(r.pk, [])
        pictures.append(
            Picture(
                r,
                spread(own, given),
                len(given),
                [(label(a.participant), a.data) for a in given if a.shared],
            )
        )
    return step, pictures
