"""The method library and the picker: reads (the methods a cycle's scale and phase call for
first, a template's versions and the runs still on each, the meetings and earlier runs a new
run may use) and the one write the picker makes (start a run after the guide's questions).

The questions the picker asks before a run starts are the HLS guide's on choosing methods
(Human Learning Systems, Chapter 9), in our own words: will it add burden, what will we stop
doing to make the time, who chooses the method and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles.models import Cycle, Phase
from cycles.trust import trust_for
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from stewardship.burden.services import stop_doing_add
from stewardship.methods import selectors, services
from stewardship.methods.builtin import BUILTINS, Builtin
from stewardship.methods.definition import Definition, DefinitionError, parse
from stewardship.methods.selectors import Offer
from stewardship.models import (
    MethodRun,
    MethodTemplate,
    MethodTemplateVersion,
    Session,
    SessionCycle,
)
from stewardship.questions.seed import SCALE_NAMES
from stewardship.sessions.recurrence import Slot, parse_slot_key, session_slots, slot_at
from stewardship.sessions.services import occurrence_for
from systems.models import Scale

MEETINGS_AHEAD = dt.timedelta(weeks=4)
DRAW_FROM_LIMIT = 50


# --- Scales and offers ----------------------------------------------------------------------------


def scale_key(scale: Scale | None) -> str:
    """The short scale key (stewardship/questions/seed.py SCALE_NAMES) a workspace's scale
    stands for, by its name or its aliases ("" when it matches none)."""
    if scale is None:
        return ""
    name = scale.name.strip().lower()
    for key, aliases in SCALE_NAMES.items():
        if name in {key, *(a.lower() for a in aliases)}:
            return key
    return "person" if scale.is_person_scale else ""


def scale_label(key: str) -> str:
    names = SCALE_NAMES.get(key)
    return names[0] if names else key


@dataclass(frozen=True)
class Picked:
    """The picker's offers for one cycle: those for its scale and phase first, the rest after."""

    scale: str
    phase: str
    fitting: list[Offer]
    others: list[Offer]


def offers_for_cycle(*, workspace: Workspace, cycle: Cycle) -> Picked:
    """One query for the workspace's templates (the cycle comes with its system's scale)."""
    scale = scale_key(cycle.system.scale)
    every = selectors.offers(workspace=workspace)
    fitting = [o for o in every if cycle.phase in o.phases and (not o.scales or scale in o.scales)]
    chosen = {o.key for o in fitting}
    return Picked(scale, cycle.phase, fitting, [o for o in every if o.key not in chosen])


def offer(*, workspace: Workspace, key: str) -> Offer | None:
    """A built-in by its key, or one of the workspace's own ("template:<pk>", not archived)."""
    return next((o for o in selectors.offers(workspace=workspace) if o.key == key), None)


def find(picked: Picked, key: str) -> Offer | None:
    return next((o for o in (*picked.fitting, *picked.others) if o.key == key), None)


def parsed(definition: object) -> Definition | None:
    """A definition to show (None if it does not pass the checker: shown as data instead)."""
    try:
        return parse(definition)
    except DefinitionError:
        return None


@dataclass(frozen=True)
class Preview:
    """An offer as the library and the picker show it: its steps, phases and scales in words."""

    offer: Offer
    steps: Definition | None
    phases: list[str]
    scales: list[str]


def labels(phases: Sequence[str], scales: Sequence[str]) -> tuple[list[str], list[str]]:
    """Phases and scale keys in words."""
    names = dict(Phase.choices)
    return [str(names.get(p, p)) for p in phases], [scale_label(s) for s in scales]


def previews(offers: Sequence[Offer]) -> list[Preview]:
    """Each offer with its steps, for a preview (no queries)."""
    phase_names = dict(Phase.choices)
    return [
        Preview(
            o,
            parsed(o.builtin.definition if o.builtin else o.template and o.template.definition),
            [str(phase_names.get(p, p)) for p in o.phases],
            [scale_label(s) for s in o.scales],
        )
        for o in offers
    ]


def definition_of(found: Offer) -> Definition:
    if found.builtin is not None:
        return parse(found.builtin.definition)
    assert found.template is not None
    return parse(found.template.definition)


def selects(definition: Definition) -> bool:
    """Whether a method chooses among items (so it may draw on earlier runs' selections)."""
    return any(f.type == "select" for s in definition.steps for f in s.fields)


# --- Templates ------------------------------------------------------------------------------------


def template_for(*, workspace: Workspace, template_id: int) -> MethodTemplate | None:
    return (
        MethodTemplate.objects.filter(workspace=workspace, pk=template_id)
        .select_related("created_by")
        .first()
    )


def versions(*, workspace: Workspace, template: MethodTemplate) -> list[MethodTemplateVersion]:
    return list(
        MethodTemplateVersion.objects.filter(workspace=workspace, template=template)
        .select_related("edited_by")
        .order_by("-version")
    )


def version_of(
    *, workspace: Workspace, template: MethodTemplate, version: int
) -> MethodTemplateVersion | None:
    return (
        MethodTemplateVersion.objects.filter(
            workspace=workspace, template=template, version=version
        )
        .select_related("edited_by")
        .first()
    )


@dataclass(frozen=True)
class InProgress:
    version: int
    runs: int


def runs_in_progress(*, workspace: Workspace, template: MethodTemplate) -> list[InProgress]:
    """How many runs still in progress use each version of a template (they keep it)."""
    rows = (
        MethodRun.objects.filter(
            workspace=workspace, template=template, status=MethodRun.Status.OPEN
        )
        .values("version")
        .annotate(n=Count("pk"))
        .order_by("version")
    )
    return [InProgress(r["version"], r["n"]) for r in rows]


def archived_templates(*, workspace: Workspace) -> QuerySet[MethodTemplate]:
    return selectors.templates(workspace=workspace, archived=True)


def builtin_for(key: str) -> Builtin | None:
    return BUILTINS.get(key)


# --- What a new run may use -----------------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    value: str  # "<session pk>:<slot key>"
    slot: Slot

    @property
    def label(self) -> str:
        when = timezone.localtime(self.slot.starts_at).strftime("%a %d %b %Y, %H:%M")
        return f"{self.slot.session.title}: {when}"


def meetings_for(*, workspace: Workspace, cycle: Cycle) -> list[Meeting]:
    """The meetings of the cycle's active sessions from the start of today to four weeks on,
    not cancelled (a run may be held in one). Two queries."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = (
        Session.objects.filter(
            workspace=workspace,
            status=Session.Status.ACTIVE,
            pk__in=SessionCycle.objects.filter(workspace=workspace, cycle=cycle).values("session"),
        )
        .prefetch_related("occurrences")
        .order_by("starts_at", "pk")
    )
    found = []
    for session in sessions:
        for slot in session_slots(
            session,
            after=start,
            before=timezone.now() + MEETINGS_AHEAD,
            overrides=list(session.occurrences.all()),
        ):
            if not slot.cancelled:
                found.append(Meeting(f"{session.pk}:{slot.key}", slot))
    return sorted(found, key=lambda m: m.slot.starts_at)


def draw_candidates(
    *, workspace: Workspace, user: User, cycle: Cycle, found: Offer
) -> list[MethodRun]:
    """Earlier runs of the same method, in other cycles, that the user may see (the runs a Most
    Significant Change selection at this level draws on). One query."""
    same = (
        Q(template=found.template)
        if found.template is not None
        else Q(builtin=found.key, template__isnull=True)
    )
    return list(
        selectors.runs_for_user(workspace=workspace, user=user)
        .filter(same)
        .exclude(cycle=cycle)
        .select_related("cycle__system__scale")[:DRAW_FROM_LIMIT]
    )


@dataclass(frozen=True)
class StartChoices:
    meetings: list[tuple[str, str]]  # (value, label)
    candidates: list[tuple[MethodRun, str]]  # earlier runs to draw on, with a label


def start_choices(*, workspace: Workspace, user: User, cycle: Cycle, found: Offer) -> StartChoices:
    """What the start form offers for a method in a cycle: its meetings, and for a method that
    selects among items, earlier runs of it to draw on."""
    meetings = [(m.value, m.label) for m in meetings_for(workspace=workspace, cycle=cycle)]
    candidates = []
    if selects(definition_of(found)):
        trust = trust_for(workspace=workspace, user=user)
        for run in draw_candidates(workspace=workspace, user=user, cycle=cycle, found=found):
            when = timezone.localtime(run.created_at).strftime("%d %b %Y")
            label = f"{trust.cycle_name(run.cycle)}: {run.title or run.name} ({when})"
            candidates.append((run, label))
    return StartChoices(meetings, candidates)


# --- Starting a run from the picker ---------------------------------------------------------------


def _meeting(*, workspace: Workspace, cycle: Cycle, value: str) -> Slot:
    session_id, _colon, key = value.partition(":")
    problem = ValidationError({"meeting": _("Choose one of this cycle's meetings.")})
    if not session_id.isdigit():
        raise problem
    session = Session.objects.filter(
        workspace=workspace,
        pk=int(session_id),
        status=Session.Status.ACTIVE,
        pk__in=SessionCycle.objects.filter(workspace=workspace, cycle=cycle).values("session"),
    ).first()
    try:
        slot = slot_at(session, parse_slot_key(key)) if session is not None else None
    except ValueError:
        slot = None
    if slot is None or slot.cancelled:
        raise problem
    return slot


@transaction.atomic
def run_start_chosen(
    *,
    workspace: Workspace,
    user: User,
    cycle: Cycle,
    method: str,
    title: str = "",
    why_this_method: str,
    stop_doing: str = "",
    guests: bool = False,
    meeting: str = "",
    draws_from: Sequence[MethodRun] = (),
) -> MethodRun:
    """Start a run after the guide's questions: who chose the method and why is required (it
    stays with the run); what the cycle will stop doing to make the time, when given, joins the
    cycle's stop-doing list (its burden ledger). `method` is a built-in's key or
    "template:<pk>"; `meeting` "<session pk>:<slot key>" of one of the cycle's meetings."""
    errors: dict[str, str] = {}
    found = offer(workspace=workspace, key=method)
    if found is None:
        errors["method"] = _("Choose one of the methods offered.")
    if not why_this_method.strip():
        errors["why_this_method"] = _(
            "Say who chose this method and why: it helps the cycle learn how it learns."
        )
    if errors:
        raise ValidationError(errors)
    assert found is not None
    occurrence = None
    if meeting:
        slot = _meeting(workspace=workspace, cycle=cycle, value=meeting)
        occurrence = occurrence_for(workspace=workspace, slot=slot)
    run = services.run_start(
        workspace=workspace,
        user=user,
        cycle=cycle,
        builtin=found.key if found.builtin is not None else "",
        template=found.template,
        occurrence=occurrence,
        title=title,
        why_this_method=why_this_method,
        guests=guests,
        draws_from=draws_from,
    )
    if stop_doing.strip():
        try:
            stop_doing_add(workspace=workspace, cycle=cycle, user=user, what=stop_doing)
        except ValidationError as error:
            raise ValidationError({"stop_doing": error.messages}) from error
    return run
