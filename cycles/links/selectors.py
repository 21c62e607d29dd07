"""Reads for links between cycles, learning sideways and lineage (issue 4, items 1, 6, 7).

Who may change links and lineage (no new capability; the rule lives here):
- a link: someone with `cycles.manage` who takes part in the cycle (CycleMember) or works in its
  system's team (SystemMember), or a workspace admin. Ending a link: the same, on either cycle.
- an entry's sources: its author, or someone with `cycles.manage` who takes part in its cycle.

Learning sideways never widens who sees an entry: the "learnt nearby" panel shows the entries of
peer cycles that the viewer may already see (`entries_visible_to`) AND whose effective level is
at least "shared upward". Sideways travel uses the same consent as upward travel: what is kept
to a team or a cycle never shows in another cycle's panel, whoever is looking.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from cycles.connections import cycle_ids_below, peer_cycles
from cycles.models import Cycle, CycleLink, CycleMember, Entry, EntrySource, Experiment
from cycles.selectors import entries_visible_to
from cycles.trust import trust_for
from hls.accounts.models import User
from hls.tenancy.models import Membership, Role, Workspace
from hls.tenancy.permissions import can
from systems.models import SystemMember

NEARBY_LIMIT = 10
PICKER_LIMIT = 200


def works_in_cycle(*, workspace: Workspace, user: User, cycle: Cycle) -> bool:
    """Takes part in the cycle, or works in the team of its system (one query)."""
    return (
        Cycle.objects.filter(workspace=workspace, pk=cycle.pk)
        .filter(
            Exists(CycleMember.objects.filter(cycle=OuterRef("pk"), user=user))
            | Exists(SystemMember.objects.filter(system_id=OuterRef("system_id"), user=user))
        )
        .exists()
    )


def may_manage_links(
    *, workspace: Workspace, membership: Membership | None, user: User, cycle: Cycle
) -> bool:
    if not can(membership, "cycles.manage") or membership is None:
        return False
    if membership.role == Role.ADMIN:
        return True
    return works_in_cycle(workspace=workspace, user=user, cycle=cycle)


def may_end_link(
    *, workspace: Workspace, membership: Membership | None, user: User, link: CycleLink
) -> bool:
    return any(
        may_manage_links(workspace=workspace, membership=membership, user=user, cycle=c)
        for c in (link.cycle, link.other)
    )


def may_edit_lineage(
    *, workspace: Workspace, membership: Membership | None, user: User, entry: Entry
) -> bool:
    if entry.author_id == user.pk and membership is not None:
        return True
    return can(membership, "cycles.manage") and (
        (membership is not None and membership.role == Role.ADMIN)
        or works_in_cycle(workspace=workspace, user=user, cycle=entry.cycle)
    )


# Links ---------------------------------------------------------------------------------------


@dataclass
class LinkRow:
    """One line of the links list: a cycle, and the explicit link that joins it (None when the
    system map implies it)."""

    cycle: Cycle
    link: CycleLink | None = None

    @property
    def implied(self) -> bool:
        return self.link is None


@dataclass
class LinksOverview:
    above: list[LinkRow] = field(default_factory=list)
    below: list[LinkRow] = field(default_factory=list)
    peers: list[LinkRow] = field(default_factory=list)
    ended: list[CycleLink] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.above or self.below or self.peers or self.ended)


ENDED_LIMIT = 20


def links_of(*, workspace: Workspace, cycle: Cycle) -> LinksOverview:
    """The cycles directly above, directly below and beside this one, each with why: implied by
    the system map, or an explicit link with its reason and who made it. Three queries."""
    overview = LinksOverview()
    parent_system = cycle.system.parent_id
    implied = (
        Cycle.objects.filter(workspace=workspace)
        .filter(
            Q(system__parent_id=cycle.system_id)
            | (Q(system_id=parent_system) if parent_system else Q(pk__in=[]))
        )
        .exclude(pk=cycle.pk)
        .select_related("system__scale")
        .order_by("name", "pk")
    )
    for other in implied:
        target = overview.above if other.system_id == parent_system else overview.below
        target.append(LinkRow(cycle=other))
    links = (
        CycleLink.objects.filter(workspace=workspace)
        .filter(Q(cycle=cycle) | Q(other=cycle))
        .select_related("cycle__system__scale", "other__system__scale", "created_by", "ended_by")
    )
    for link in links.filter(ended_at__isnull=True).order_by("created_at", "pk"):
        far = link.other if link.cycle_id == cycle.pk else link.cycle
        if link.kind == CycleLink.Kind.PEER:
            overview.peers.append(LinkRow(cycle=far, link=link))
        elif link.cycle_id == cycle.pk:
            overview.above.append(LinkRow(cycle=far, link=link))
        else:
            overview.below.append(LinkRow(cycle=far, link=link))
    overview.ended = list(
        links.filter(ended_at__isnull=False).order_by("-ended_at", "-pk")[:ENDED_LIMIT]
    )
    return overview


def cycles_for_linking(*, workspace: Workspace) -> QuerySet[Cycle]:
    return Cycle.objects.filter(workspace=workspace).select_related("system").order_by("name", "pk")


# Learning sideways ---------------------------------------------------------------------------


def peer_ids(*, workspace: Workspace, cycle: Cycle) -> list[int]:
    return list(peer_cycles(workspace=workspace, cycle=cycle).values_list("pk", flat=True))


def nearby_entries(
    *, workspace: Workspace, user: User, cycle: Cycle, peers: list[int] | None = None
) -> QuerySet[Entry]:
    """Recent entries of peer cycles, shared upward or wider, that the user may see."""
    if peers is None:
        peers = peer_ids(workspace=workspace, cycle=cycle)
    return (
        entries_visible_to(workspace=workspace, user=user)
        .shared_upward()
        .filter(cycle_id__in=peers)
        .select_related("cycle", "author")
        .order_by("-created_at", "-pk")
    )


def nearby_experiments(
    *, workspace: Workspace, cycle: Cycle, peers: list[int] | None = None
) -> QuerySet[Experiment]:
    """Ended experiments of peer cycles, with what was learnt."""
    if peers is None:
        peers = peer_ids(workspace=workspace, cycle=cycle)
    return (
        Experiment.objects.filter(
            workspace=workspace, cycle_id__in=peers, status=Experiment.Status.ENDED
        )
        .select_related("cycle")
        .order_by("-ended_at", "-pk")
    )


def peer_experiments(*, workspace: Workspace, cycle: Cycle) -> QuerySet[Experiment]:
    peers = peer_cycles(workspace=workspace, cycle=cycle).values("pk")
    return Experiment.objects.filter(workspace=workspace, cycle_id__in=peers).select_related(
        "cycle"
    )


def adapted_designs(*, workspace: Workspace, cycle: Cycle) -> QuerySet[Experiment]:
    """This cycle's experiments that started from another cycle's design."""
    return (
        Experiment.objects.filter(workspace=workspace, cycle=cycle, copied_from__isnull=False)
        .select_related("copied_from__cycle")
        .order_by("-created_at", "-pk")
    )


def adapted_in(*, workspace: Workspace, experiment: Experiment) -> list[Experiment]:
    """Where this design has been adapted: the experiments started from it, each with its cycle
    (one query). Every member may see every cycle of the workspace; pages name the cycles with
    `Trust.cycle_name`."""
    return list(
        Experiment.objects.filter(workspace=workspace, copied_from=experiment)
        .select_related("cycle__system__scale", "cycle__system__parent__scale")
        .order_by("created_at", "pk")
    )


def cycles_to_adapt_into(
    *, workspace: Workspace, user: User, source: Experiment
) -> QuerySet[Cycle]:
    """The cycles `user` may start from `source`'s design into: those they are inside
    (cycles.trust: same "works in"), other than the source's own."""
    return (
        Cycle.objects.filter(
            workspace=workspace,
            system_id__in=trust_for(workspace=workspace, user=user).systems,
        )
        .exclude(pk=source.cycle_id)
        .select_related("system__scale")
        .order_by("name", "pk")
    )


def experiments_to_copy(*, workspace: Workspace, cycle: Cycle) -> QuerySet[Experiment]:
    return (
        Experiment.objects.filter(workspace=workspace)
        .exclude(cycle=cycle)
        .select_related("cycle__system__scale", "cycle__system__parent__scale")
        .order_by("-created_at", "-pk")
    )


# Lineage -------------------------------------------------------------------------------------


def lineage_cycle_ids(*, workspace: Workspace, cycle: Cycle) -> set[int]:
    """Where an entry's sources may come from: its own cycle and every cycle below it."""
    return {cycle.pk} | cycle_ids_below(workspace=workspace, cycle=cycle)


def came_from(*, workspace: Workspace, user: User, entry: Entry) -> list[EntrySource]:
    """The entry's sources that the user may see (the others are left out, not counted)."""
    visible = entries_visible_to(workspace=workspace, user=user).values("pk")
    return list(
        EntrySource.objects.filter(workspace=workspace, entry=entry)
        .filter(Q(source_entry_id__in=visible) | Q(source_experiment__isnull=False))
        .select_related("source_entry__cycle", "source_experiment__cycle", "added_by")
        .order_by("added_at", "pk")
    )


def went_to(*, workspace: Workspace, user: User, entry: Entry) -> QuerySet[Entry]:
    """The entries (questions, barriers, decisions, insights...) this one fed, that the user may
    see."""
    fed = EntrySource.objects.filter(workspace=workspace, source_entry=entry).values("entry_id")
    return (
        entries_visible_to(workspace=workspace, user=user)
        .filter(pk__in=fed)
        .select_related("cycle", "author")
        .order_by("-created_at", "-pk")
    )


def source_entry_candidates(*, workspace: Workspace, user: User, entry: Entry) -> QuerySet[Entry]:
    cycles = lineage_cycle_ids(workspace=workspace, cycle=entry.cycle)
    taken = EntrySource.objects.filter(
        workspace=workspace, entry=entry, source_entry__isnull=False
    ).values("source_entry_id")
    return (
        entries_visible_to(workspace=workspace, user=user)
        .filter(cycle_id__in=cycles)
        .exclude(pk=entry.pk)
        .exclude(pk__in=taken)
        .select_related("cycle")
        .order_by("-created_at", "-pk")
    )


def source_experiment_candidates(*, workspace: Workspace, entry: Entry) -> QuerySet[Experiment]:
    cycles = lineage_cycle_ids(workspace=workspace, cycle=entry.cycle)
    taken = EntrySource.objects.filter(
        workspace=workspace, entry=entry, source_experiment__isnull=False
    ).values("source_experiment_id")
    return (
        Experiment.objects.filter(workspace=workspace, cycle_id__in=cycles)
        .exclude(pk__in=taken)
        .select_related("cycle")
        .order_by("-created_at", "-pk")
    )
