"""Reads for place cycles and their set-up. Every selector takes the workspace."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cycles.models import Cycle
from hls.tenancy.models import Organisation, Workspace
from stewardship.models import (
    Accountability,
    Charter,
    CharterSignature,
    Participation,
    PlaceSetup,
    Principle,
    StewardRole,
)
from systems.models import Scale

STEPS = ["purpose", "organisations", "principles", "stewards", "participation", "accountability"]
STEP_LABELS = {
    "purpose": _("Purpose"),
    "organisations": _("Member organisations"),
    "principles": _("Shared principles"),
    "stewards": _("Stewards"),
    "participation": _("Who takes part"),
    "accountability": _("Accountability"),
}

# "Who might be missing?": a question for each kind of participant with no row yet.
MISSING_PROMPTS = {
    Participation.Kind.PEOPLE_SERVED: _(
        "Have the people this cycle serves, and their families, been asked to take part?"
    ),
    Participation.Kind.LIVED_EXPERIENCE: _(
        "Who with lived experience of these issues could help us see what we cannot?"
    ),
    Participation.Kind.FRONTLINE: _("Which frontline practitioners could bring what they see?"),
    Participation.Kind.ORGANISATION: _("Is there an organisation whose work touches this place?"),
    Participation.Kind.COMMUNITY: _("Which community groups know this place well?"),
    Participation.Kind.FUNDER: _("Could a commissioner or funder learn alongside us?"),
}


@dataclass
class Step:
    slug: str
    label: str
    number: int
    done: bool
    current: bool = False


@dataclass
class PlaceRow:
    setup: PlaceSetup
    cycle: Cycle
    done: int
    total: int
    resume: str | None  # the first unfinished step, None when every step is done


def steps_for(setup: PlaceSetup | None, current: str | None = None) -> list[Step]:
    completed = set(setup.completed_steps) if setup is not None else set()
    return [
        Step(slug, str(STEP_LABELS[slug]), i + 1, slug in completed, slug == current)
        for i, slug in enumerate(STEPS)
    ]


def first_unfinished(setup: PlaceSetup | None) -> str | None:
    completed = set(setup.completed_steps) if setup is not None else set()
    return next((s for s in STEPS if s not in completed), None)


def place_rows(*, workspace: Workspace) -> list[PlaceRow]:
    """The place cycles (cycles with a set-up), by name, with their progress. One query."""
    setups = (
        PlaceSetup.objects.filter(workspace=workspace)
        .select_related("cycle__system__scale")
        .order_by("cycle__name", "pk")
    )
    return [
        PlaceRow(
            setup=s,
            cycle=s.cycle,
            done=len([x for x in s.completed_steps if x in STEPS]),
            total=len(STEPS),
            resume=first_unfinished(s),
        )
        for s in setups
    ]


def default_place_scale(*, workspace: Workspace) -> Scale | None:
    """The workspace's scale named "Place", else its largest scale that is not a person's."""
    scales = Scale.objects.filter(workspace=workspace)
    return (
        scales.filter(name__iexact="place").first()
        or scales.filter(is_person_scale=False).order_by("-position", "-pk").first()
        or scales.order_by("-position", "-pk").first()
    )


def setup_of(*, workspace: Workspace, cycle: Cycle) -> PlaceSetup | None:
    return PlaceSetup.objects.filter(workspace=workspace, cycle=cycle).first()


def member_organisations(*, workspace: Workspace, cycle: Cycle) -> QuerySet[Organisation]:
    """The organisations of the cycle's system (systems.SystemOrganisation)."""
    return Organisation.objects.filter(
        workspace=workspace, systemorganisation__system_id=cycle.system_id
    ).order_by("name")


def other_organisations(*, workspace: Workspace, cycle: Cycle) -> QuerySet[Organisation]:
    return (
        Organisation.objects.filter(workspace=workspace)
        .exclude(systemorganisation__system_id=cycle.system_id)
        .order_by("name")
    )


def cycles_to_set_up(*, workspace: Workspace) -> QuerySet[Cycle]:
    """Cycles that are not place cycles yet, largest scale first."""
    return (
        Cycle.objects.filter(workspace=workspace, place_setup__isnull=True)
        .select_related("system__scale")
        .order_by("-system__scale__position", "name")
    )


@dataclass
class Overview:
    cycle: Cycle
    setup: PlaceSetup | None
    organisations: list[Organisation]
    charter: Charter | None
    principles: list[Principle]
    signatures: list[CharterSignature]
    stewards: list[StewardRole]
    ended_stewards: list[StewardRole]
    participation: list[Participation]
    missing: list[tuple[str, str, str]] = field(default_factory=list)  # kind, label, question
    accountabilities: list[Accountability] = field(default_factory=list)

    @property
    def earlier_signatures(self) -> list[CharterSignature]:
        if self.charter is None:
            return []
        return [s for s in self.signatures if s.version != self.charter.version]

    @property
    def earlier_versions(self) -> list[int]:
        return sorted({s.version for s in self.earlier_signatures})


def overview(*, workspace: Workspace, cycle: Cycle) -> Overview:
    """Everything a member sees of a place cycle. A fixed number of queries."""
    charter = Charter.objects.filter(workspace=workspace, cycle=cycle).first()
    principles: list[Principle] = []
    signatures: list[CharterSignature] = []
    if charter is not None:
        principles = list(Principle.objects.filter(workspace=workspace, charter=charter))
        signatures = list(
            CharterSignature.objects.filter(workspace=workspace, charter=charter)
            .select_related("organisation")
            .order_by("-version", "signed_on", "pk")
        )
    roles = list(
        StewardRole.objects.filter(workspace=workspace, cycle=cycle).select_related("user")
    )
    participation = list(Participation.objects.filter(workspace=workspace, cycle=cycle))
    present = {p.kind for p in participation}
    missing = [
        (str(kind), str(Participation.Kind(kind).label), str(question))
        for kind, question in MISSING_PROMPTS.items()
        if kind not in present
    ]
    return Overview(
        cycle=cycle,
        setup=setup_of(workspace=workspace, cycle=cycle),
        organisations=list(member_organisations(workspace=workspace, cycle=cycle)),
        charter=charter,
        principles=principles,
        signatures=signatures,
        stewards=[r for r in roles if r.ended_at is None],
        ended_stewards=[r for r in roles if r.ended_at is not None],
        participation=participation,
        missing=missing,
        accountabilities=list(Accountability.objects.filter(workspace=workspace, cycle=cycle)),
    )


# Today (stewardship.today) -----------------------------------------------------------------------


@dataclass
class ParticipationGaps:
    """Who may be missing from a place cycle, and who is invited or taking part but not yet
    heard (the participation register's own words; never a score)."""

    cycle: Cycle
    missing: list[str]  # kinds of participant with no row yet
    invited: list[str]  # invited, not yet taking part
    not_heard: list[str]  # taking part, not yet heard

    @property
    def any(self) -> bool:
        return bool(self.missing or self.invited or self.not_heard)


def participation_gaps(*, workspace: Workspace) -> list[ParticipationGaps]:
    """For each place cycle (by name) with a gap in its participation register. Two queries."""
    cycles = [row.cycle for row in place_rows(workspace=workspace)]
    rows: dict[int, list[Participation]] = {cycle.pk: [] for cycle in cycles}
    for row in Participation.objects.filter(workspace=workspace, cycle_id__in=list(rows)):
        rows[row.cycle_id].append(row)
    gaps = []
    for cycle in cycles:
        register = rows[cycle.pk]
        present = {p.kind for p in register}
        gap = ParticipationGaps(
            cycle=cycle,
            missing=[str(Participation.Kind(k).label) for k in MISSING_PROMPTS if k not in present],
            invited=[p.name for p in register if p.status == Participation.Status.INVITED],
            not_heard=[p.name for p in register if p.status == Participation.Status.TAKING_PART],
        )
        if gap.any:
            gaps.append(gap)
    return gaps
