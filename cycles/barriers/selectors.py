"""Reads for the barrier relay and enablers (issue 4, items 4 and 5).

Who sees what:
- A cycle's *members* are those who take part in it (CycleMember) and the team of its system
  (SystemMember). Only the receiving cycle's members see its inbox and how long barriers waited.
- A barrier's page is seen by the members of the cycle that raised it and of the cycle it went to.
- Who may *answer*: a member of the receiving cycle whose workspace role is admin, steward or
  manager (ANSWERING_ROLES). This is a rule of this area, not a capability in permissions.py.
- The barrier's text travels only while its entry is shared upward (`Entry.is_shared_upward`:
  its visibility, never wider than the person's consent) or to its author; if the author narrows
  it later, the route stays but its text is no longer shown.
- Answers all come home (`barrier_chains`): a barrier passed further up is one chain of routes;
  whoever may open one of its routes sees every answer of the whole chain, oldest first, each
  with the level (the answering cycle's name, as `Trust.cycle_name` shows it) and the person who
  answered only to those inside the answering cycle (`Trust.inside`).
- How long a barrier has waited is seen only inside the cycle that holds it now: the receiving
  cycle of the chain's newest open route (or, once all are closed, of its newest route).
Every function costs a constant number of queries, whatever the number of routes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.expressions import RawSQL

from cycles.connections import cycles_above
from cycles.models import (
    BarrierResponse,
    BarrierRoute,
    Cycle,
    CycleMember,
    Enabler,
    EnablerTarget,
    effective_level,
)
from cycles.trust import Trust
from hls.accounts.models import User
from hls.tenancy.models import Membership, Role, Workspace
from systems.models import ShareLevel, SystemMember

ANSWERING_ROLES = frozenset({Role.ADMIN, Role.STEWARD, Role.MANAGER})
OPEN_STATES = (
    BarrierRoute.State.RAISED,
    BarrierRoute.State.ACKNOWLEDGED,
    BarrierRoute.State.WORKING,
)


# Membership of a cycle -----------------------------------------------------------------------


def member_cycle_ids(*, workspace: Workspace, user: User) -> QuerySet[Cycle, Any]:
    """The ids of the cycles the user takes part in or whose system's team they are in."""
    return (
        Cycle.objects.filter(workspace=workspace)
        .filter(
            Q(pk__in=CycleMember.objects.filter(workspace=workspace, user=user).values("cycle_id"))
            | Q(
                system_id__in=SystemMember.objects.filter(workspace=workspace, user=user).values(
                    "system_id"
                )
            )
        )
        .values("pk")
    )


def is_cycle_member(*, workspace: Workspace, user: User, cycle: Cycle) -> bool:
    """One query: a CycleMember of the cycle or a SystemMember of its system."""
    return Cycle.objects.filter(
        Exists(CycleMember.objects.filter(workspace=workspace, user=user, cycle=OuterRef("pk")))
        | Exists(
            SystemMember.objects.filter(
                workspace=workspace, user=user, system_id=OuterRef("system_id")
            )
        ),
        workspace=workspace,
        pk=cycle.pk,
    ).exists()


def may_answer(*, workspace: Workspace, membership: Membership, cycle: Cycle) -> bool:
    """Managers and stewards (and admins) who are members of the receiving cycle."""
    return membership.role in ANSWERING_ROLES and is_cycle_member(
        workspace=workspace, user=membership.user, cycle=cycle
    )


def answerers_of(*, workspace: Workspace, cycle: Cycle) -> QuerySet[User]:
    """Who is told when a barrier lands: the receiving cycle's managers, stewards and admins."""
    members = Q(
        pk__in=CycleMember.objects.filter(workspace=workspace, cycle=cycle).values("user_id")
    ) | Q(
        pk__in=SystemMember.objects.filter(workspace=workspace, system_id=cycle.system_id).values(
            "user_id"
        )
    )
    roles = Membership.objects.filter(workspace=workspace, role__in=ANSWERING_ROLES)
    return (
        User.objects.filter(members, pk__in=roles.values("user_id"), is_active=True)
        .order_by("email")
        .distinct()
    )


def waiting_on(*, workspace: Workspace, route: BarrierRoute) -> dict[int, BarrierRoute]:
    """Who waits for answers to `route`: at its level and every level it was passed up from,
    the one who raised it and the members of the raising cycle (active members of the
    workspace). Each mapped to the lowest route they may open (its raising cycle is theirs).
    One query per level of the (short) chain."""
    levels: list[BarrierRoute] = []
    level: BarrierRoute | None = route
    seen: set[int] = set()
    while level is not None and level.pk not in seen:
        seen.add(level.pk)
        levels.append(level)
        level = (
            BarrierRoute.objects.filter(workspace=workspace, pk=level.passed_from_id)
            .select_related("from_cycle")
            .first()
            if level.passed_from_id
            else None
        )
    waiting: dict[int, BarrierRoute] = {}
    active = Membership.objects.filter(workspace=workspace, user__is_active=True)
    for level in reversed(levels):  # the lowest level first
        cycle = level.from_cycle
        members = Q(
            pk__in=CycleMember.objects.filter(workspace=workspace, cycle=cycle).values("user_id")
        ) | Q(
            pk__in=SystemMember.objects.filter(
                workspace=workspace, system_id=cycle.system_id
            ).values("user_id")
        )
        if level.raised_by_id is not None:
            members |= Q(pk=level.raised_by_id)
        ids = User.objects.filter(members, pk__in=active.values("user_id")).values_list(
            "pk", flat=True
        )
        for user_id in ids:
            waiting.setdefault(user_id, level)
    return waiting


# Where a barrier can go -------------------------------------------------------------------


def cycle_ids_above(*, workspace: Workspace, cycle: Cycle) -> set[int]:
    """Every cycle above this one, at any depth: the mirror of connections.cycle_ids_below
    (system nesting and open PARENT links), in one recursive query."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE above(id, system_id) AS (
                SELECT c.id, c.system_id FROM cycles_cycle c
                  JOIN systems_system s ON s.parent_id = c.system_id
                 WHERE c.workspace_id = %(ws)s AND s.id = %(system)s
              UNION
                SELECT l.other_id, c.system_id FROM cycles_cyclelink l
                  JOIN cycles_cycle c ON c.id = l.other_id
                 WHERE l.workspace_id = %(ws)s AND l.cycle_id = %(cycle)s
                   AND l.kind = 'parent' AND l.ended_at IS NULL
              UNION
                -- PostgreSQL allows one recursive reference: both steps up go in a LATERAL.
                SELECT n.id, n.system_id FROM above a
                  CROSS JOIN LATERAL (
                    SELECT c.id, c.system_id FROM systems_system s
                      JOIN cycles_cycle c ON c.system_id = s.parent_id
                     WHERE s.id = a.system_id AND c.workspace_id = %(ws)s
                    UNION ALL
                    SELECT l.other_id, c.system_id FROM cycles_cyclelink l
                      JOIN cycles_cycle c ON c.id = l.other_id
                     WHERE l.cycle_id = a.id AND l.workspace_id = %(ws)s
                       AND l.kind = 'parent' AND l.ended_at IS NULL
                  ) n
            )
            SELECT DISTINCT id FROM above WHERE id <> %(cycle)s
            """,
            {"ws": workspace.pk, "system": cycle.system_id, "cycle": cycle.pk},
        )
        return {row[0] for row in cursor.fetchall()}


@dataclass(frozen=True)
class Targets:
    direct: list[Cycle]  # the cycles directly above (the default is the first)
    further: list[Cycle]  # further up, by choice

    @property
    def all(self) -> list[Cycle]:
        return self.direct + self.further


def raise_targets(*, workspace: Workspace, cycle: Cycle) -> Targets:
    direct = list(cycles_above(workspace=workspace, cycle=cycle).order_by("name", "pk"))
    direct_ids = {c.pk for c in direct}
    further_ids = cycle_ids_above(workspace=workspace, cycle=cycle) - direct_ids
    further = list(
        Cycle.objects.filter(workspace=workspace, pk__in=further_ids)
        .select_related("system__scale")
        .order_by("name", "pk")
    )
    return Targets(direct=direct, further=further)


# Routes --------------------------------------------------------------------------------------


def _latest(field_name: str) -> Subquery:
    latest = BarrierResponse.objects.filter(route=OuterRef("pk")).order_by("-responded_at", "-pk")
    return Subquery(latest.values(field_name)[:1])


def routes_for_display(*, workspace: Workspace, user: User) -> QuerySet[BarrierRoute]:
    """Routes with what a list shows: both cycles, the entry, whether its text may be shown to
    `user` (`text_shown`), and the latest answer (state, text, when)."""
    return (
        BarrierRoute.objects.filter(workspace=workspace)
        .select_related(
            "entry",
            "from_cycle__system__scale",
            "from_cycle__system__parent__scale",
            "to_cycle__system__scale",
            "raised_by",
        )
        .annotate(
            entry_level=effective_level(via="entry"),
            text_shown=Case(
                When(entry__deleted_at__isnull=False, then=False),
                When(entry__author=user, then=True),
                When(entry_level__gte=ShareLevel.SHARED_UPWARD, then=True),
                default=False,
            ),
            latest_text=_latest("text"),
            latest_state=_latest("state"),
            latest_at=_latest("responded_at"),
        )
        .order_by("raised_at", "pk")
    )


def visible_route_ids(*, workspace: Workspace, user: User) -> QuerySet[BarrierRoute]:
    """Routes the user may open: they are a member of the raising or of the receiving cycle."""
    mine = member_cycle_ids(workspace=workspace, user=user)
    return BarrierRoute.objects.filter(workspace=workspace).filter(
        Q(from_cycle_id__in=mine) | Q(to_cycle_id__in=mine)
    )


def route_for_page(
    *, workspace: Workspace, user: User, route_id: int, trust: Trust
) -> BarrierRoute | None:
    """The route if `user` may open it, with its whole chain (`route.chain`)."""
    route = (
        routes_for_display(workspace=workspace, user=user)
        .filter(pk=route_id, pk__in=visible_route_ids(workspace=workspace, user=user).values("pk"))
        .select_related("passed_from__to_cycle__system__scale")
        .prefetch_related(Prefetch("enablers", queryset=Enabler.objects.select_related("cycle")))
        .first()
    )
    if route is not None:
        with_chains(workspace=workspace, trust=trust, routes=[route])
    return route


def _pk_in(sql: str, params: Any) -> Func:
    """The route's id is among those `sql` selects: `id = ANY(ARRAY(sql))`, the array computed
    once, first, and the routes read by primary key. `id IN (sql)` was planned as a semi join
    that read every route of the workspace with its joins (100 ms for the chains of 40 routes
    among 5,000)."""
    return Func(
        F("pk"),
        RawSQL(f"ARRAY({sql})", params),  # noqa: S611 - the SQL is this module's, params bound
        arg_joiner=" = ANY(",
        template="%(expressions)s)",
        output_field=BooleanField(),
    )


# A barrier's whole chain: every answer comes home -------------------------------------------


@dataclass(frozen=True)
class ChainAnswer:
    """One answer at one level, as the viewer may see it."""

    pk: int
    route_id: int
    cycle: Cycle  # the level that answered (the route's receiving cycle)
    cycle_name: str  # its name as the viewer may see it (Trust.cycle_name)
    state: str
    state_label: str
    text: str
    responded_at: dt.datetime
    # Who answered: only to those inside the answering cycle (else None, and `by` is the cycle).
    responded_by: User | None

    @property
    def by(self) -> str:
        if self.responded_by is not None:
            return self.responded_by.display_name
        return self.cycle_name


@dataclass(frozen=True)
class Chain:
    """A barrier raised once and passed further up level by level, as the viewer may see it."""

    routes: list[BarrierRoute]  # every route of the chain, oldest first
    answers: list[ChainAnswer]  # every answer at every level, oldest first
    holder: Cycle  # the cycle that holds it now (see `_holder`)
    waiting_shown: bool  # whether the viewer may see how long it has waited
    opens: frozenset[int]  # the routes whose page the viewer may open (inside either cycle)

    @property
    def latest(self) -> ChainAnswer | None:
        return self.answers[-1] if self.answers else None

    @property
    def levels(self) -> list[tuple[BarrierRoute, bool]]:
        """Each route of the chain, oldest first, and whether the viewer may open its page."""
        return [(r, r.pk in self.opens) for r in self.routes]


# The routes of the chains holding the given routes: up to each root, then down all its
# branches. PostgreSQL allows several recursive CTEs in one WITH RECURSIVE.
_CHAIN_SQL = """
    WITH RECURSIVE up(id, passed_from_id) AS (
        SELECT r.id, r.passed_from_id FROM cycles_barrierroute r
         WHERE r.workspace_id = %s AND r.id = ANY(%s)
      UNION
        SELECT r.id, r.passed_from_id FROM cycles_barrierroute r
          JOIN up ON r.id = up.passed_from_id
         WHERE r.workspace_id = %s
    ), down(id) AS (
        SELECT id FROM up WHERE passed_from_id IS NULL
      UNION
        SELECT r.id FROM cycles_barrierroute r
          JOIN down ON r.passed_from_id = down.id
         WHERE r.workspace_id = %s
    )
    SELECT id FROM down
"""


def _holder(routes: list[BarrierRoute]) -> BarrierRoute:
    """The route whose receiving cycle holds the chain now: the newest open one, or once every
    route is closed, the newest (its receiving cycle gave the last word)."""
    open_routes = [r for r in routes if r.state in OPEN_STATES]
    return (open_routes or routes)[-1]


def barrier_chains(
    *, workspace: Workspace, trust: Trust, routes: Iterable[BarrierRoute]
) -> dict[int, Chain]:
    """For each route (by id), the chain it belongs to, as `trust`'s member may see it. Two
    queries, whatever the number of routes or the depth of their chains."""
    ids = sorted({r.pk for r in routes})
    if not ids:
        return {}
    ws = workspace.pk
    members = list(
        BarrierRoute.objects.filter(
            workspace=workspace,
        )
        .filter(_pk_in(_CHAIN_SQL, (ws, ids, ws, ws)))
        .select_related(
            "from_cycle__system__scale",
            "to_cycle__system__scale",
            "to_cycle__system__parent__scale",
        )
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=BarrierResponse.objects.filter(workspace=workspace)
                .select_related("responded_by")
                .order_by("responded_at", "pk"),
            )
        )
        .order_by("raised_at", "pk")
    )
    by_id = {r.pk: r for r in members}

    def root_of(route: BarrierRoute) -> int:
        seen: set[int] = set()
        while route.passed_from_id in by_id and route.pk not in seen:
            seen.add(route.pk)
            route = by_id[route.passed_from_id]
        return route.pk

    trees: dict[int, list[BarrierRoute]] = {}
    root_by_id: dict[int, int] = {}
    for route in members:  # oldest first, so each tree's routes stay in order
        root = root_of(route)
        root_by_id[route.pk] = root
        trees.setdefault(root, []).append(route)

    chains: dict[int, Chain] = {}
    for root, tree in trees.items():
        answers = [
            ChainAnswer(
                pk=response.pk,
                route_id=route.pk,
                cycle=route.to_cycle,
                cycle_name=trust.cycle_name(route.to_cycle),
                state=response.state,
                state_label=str(response.get_state_display()),
                text=response.text,
                responded_at=response.responded_at,
                responded_by=response.responded_by if trust.inside(route.to_cycle) else None,
            )
            for route in tree
            for response in route.responses.all()
        ]
        answers.sort(key=lambda a: (a.responded_at, a.pk))
        holder = _holder(tree).to_cycle
        chains[root] = Chain(
            routes=tree,
            answers=answers,
            holder=holder,
            waiting_shown=trust.inside(holder),
            opens=frozenset(
                r.pk for r in tree if trust.inside(r.from_cycle) or trust.inside(r.to_cycle)
            ),
        )
    return {pk: chains[root_by_id[pk]] for pk in ids if pk in root_by_id}


def with_chains(
    *, workspace: Workspace, trust: Trust, routes: Iterable[BarrierRoute]
) -> list[BarrierRoute]:
    """The routes, each with its `chain` (see `barrier_chains`); two queries in all."""
    routes = list(routes)
    chains = barrier_chains(workspace=workspace, trust=trust, routes=routes)
    for route in routes:
        route.chain = chains.get(route.pk)  # type: ignore[attr-defined]
    return routes


INBOX_PAGE_SIZE = 20
INBOX_MAX_PAGE = 10_000  # a page number past any inbox; keeps the offsets small integers


@dataclass(frozen=True)
class InboxSection:
    """One state's part of the inbox: how many barriers are in it, and those shown."""

    state: str
    label: str
    total: int  # every barrier in this state, shown or not
    routes: list[BarrierRoute]  # newest first
    pages: int  # the routes shown reach to the end of this page

    @property
    def has_more(self) -> bool:
        return self.pages * INBOX_PAGE_SIZE < self.total

    @property
    def next_page(self) -> int:
        return self.pages + 1


@dataclass(frozen=True)
class Inbox:
    by_state: list[InboxSection]  # in state order, only the states with barriers
    total: int
    raised: list[BarrierRoute]  # the barriers the cycle raised or passed up, oldest first


# The ids of a page of each state's routes, newest first: for each (state, skip, take), the
# inbox index (workspace, to_cycle, state) and a sort of that state's routes only.
_INBOX_PAGE_SQL = """
    SELECT r.id
      FROM unnest(%s::text[], %s::int[], %s::int[]) AS p(state, skip, take)
     CROSS JOIN LATERAL (
        SELECT b.id FROM cycles_barrierroute b
         WHERE b.workspace_id = %s AND b.to_cycle_id = %s AND b.state = p.state
         ORDER BY b.raised_at DESC, b.id DESC
        OFFSET p.skip LIMIT p.take
     ) r
"""


def _inbox_routes(
    *, workspace: Workspace, user: User, cycle: Cycle, ranges: dict[str, tuple[int, int]]
) -> dict[str, list[BarrierRoute]]:
    """For each state, its routes from the `skip`th newest, `take` of them, newest first. One
    query."""
    groups: dict[str, list[BarrierRoute]] = {state: [] for state in ranges}
    if not ranges:
        return groups
    states = list(ranges)
    params = (
        states,
        [ranges[s][0] for s in states],
        [ranges[s][1] for s in states],
        workspace.pk,
        cycle.pk,
    )
    routes = (
        routes_for_display(workspace=workspace, user=user)
        .filter(_pk_in(_INBOX_PAGE_SQL, params), to_cycle=cycle)
        .order_by("-raised_at", "-pk")
    )
    for route in routes:
        groups[route.state].append(route)
    return groups


def _page_number(value: int | None) -> int:
    return min(max(value or 1, 1), INBOX_MAX_PAGE)


def inbox(
    *,
    workspace: Workspace,
    user: User,
    cycle: Cycle,
    trust: Trust,
    pages: dict[str, int] | None = None,
) -> Inbox:
    """The barriers that landed in `cycle`, grouped by state, each state's newest first: its
    total, and its newest INBOX_PAGE_SIZE (or as many pages as `pages` asks for that state);
    and those it raised, oldest first. Each with its chain. Ordered by when they were raised,
    never by a score. Show it only to the cycle's members. The same number of queries
    whatever the number of barriers or pages."""
    pages = pages or {}
    counts = inbox_counts(workspace=workspace, cycle=cycle)
    shown = {state: _page_number(pages.get(state)) for state, _label, _n in counts}
    groups = _inbox_routes(
        workspace=workspace,
        user=user,
        cycle=cycle,
        ranges={state: (0, n * INBOX_PAGE_SIZE) for state, n in shown.items()},
    )
    raised = list(raised_by_cycle(workspace=workspace, user=user, cycle=cycle))
    routes = [route for group in groups.values() for route in group]
    with_chains(workspace=workspace, trust=trust, routes=[*routes, *raised])
    return Inbox(
        by_state=[
            InboxSection(
                state=state, label=label, total=n, routes=groups[state], pages=shown[state]
            )
            for state, label, n in counts
        ],
        total=sum(n for _s, _l, n in counts),
        raised=raised,
    )


def inbox_page(
    *, workspace: Workspace, user: User, cycle: Cycle, trust: Trust, state: str, page: int
) -> InboxSection:
    """One more page of one state of the inbox ("Show more"): that page's routes only, newest
    first, with their chains, and the state's total."""
    page = _page_number(page)
    total = BarrierRoute.objects.filter(workspace=workspace, to_cycle=cycle, state=state).count()
    routes = _inbox_routes(
        workspace=workspace,
        user=user,
        cycle=cycle,
        ranges={state: ((page - 1) * INBOX_PAGE_SIZE, INBOX_PAGE_SIZE)},
    )[state]
    with_chains(workspace=workspace, trust=trust, routes=routes)
    label = str(BarrierRoute.State(state).label)
    return InboxSection(state=state, label=label, total=total, routes=routes, pages=page)


def inbox_counts(*, workspace: Workspace, cycle: Cycle) -> list[tuple[str, str, int]]:
    """How many barriers are in the inbox, per state (barriers, never people), in state order."""
    rows = dict(
        BarrierRoute.objects.filter(workspace=workspace, to_cycle=cycle)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return [
        (state, str(label), rows[state])
        for state, label in BarrierRoute.State.choices
        if rows.get(state)
    ]


def raised_by_cycle(*, workspace: Workspace, user: User, cycle: Cycle) -> QuerySet[BarrierRoute]:
    """Barriers this cycle raised (or passed up), each with its latest answer."""
    return routes_for_display(workspace=workspace, user=user).filter(from_cycle=cycle)


def open_routes_to(*, workspace: Workspace, cycle: Cycle) -> QuerySet[BarrierRoute]:
    """Barriers in `cycle`'s inbox an enabler may answer."""
    return (
        BarrierRoute.objects.filter(workspace=workspace, to_cycle=cycle)
        .select_related("from_cycle")
        .order_by("raised_at", "pk")
    )


# Enablers ------------------------------------------------------------------------------------


def enablers_received(*, workspace: Workspace, cycle: Cycle) -> QuerySet[Enabler]:
    """What cycles above do to enable this one: aimed at it, or answering a barrier it raised."""
    aimed = EnablerTarget.objects.filter(workspace=workspace, cycle=cycle, enabler=OuterRef("pk"))
    return (
        Enabler.objects.filter(workspace=workspace)
        .filter(Exists(aimed) | Q(barrier_route__from_cycle=cycle))
        .exclude(cycle=cycle)
        .select_related("cycle")
        .order_by("-created_at", "-pk")
    )


def enablers_provided(*, workspace: Workspace, cycle: Cycle) -> QuerySet[Enabler]:
    return (
        Enabler.objects.filter(workspace=workspace, cycle=cycle)
        .select_related("barrier_route__from_cycle")
        .prefetch_related(Prefetch("for_cycles", queryset=Cycle.objects.order_by("name")))
        .order_by("-created_at", "-pk")
    )


# The panel on a cycle's page -----------------------------------------------------------------

PANEL_LIMIT = 10


@dataclass
class Panel:
    is_member: bool
    counts: list[tuple[str, str, int]] = field(default_factory=list)
    raised: list[BarrierRoute] = field(default_factory=list)
    raised_more: bool = False
    received: list[Enabler] = field(default_factory=list)
    provided: list[Enabler] = field(default_factory=list)


def cycle_panel(*, workspace: Workspace, user: User, cycle: Cycle, trust: Trust) -> Panel:
    """What the barriers panel of a cycle's page shows. Inbox counts and raised barriers (each
    with its chain's latest answer) only to the cycle's members; enablers (what cycles do, not
    about people) to everyone."""
    member = is_cycle_member(workspace=workspace, user=user, cycle=cycle)
    panel = Panel(is_member=member)
    if member:
        panel.counts = inbox_counts(workspace=workspace, cycle=cycle)
        raised = list(
            raised_by_cycle(workspace=workspace, user=user, cycle=cycle).order_by(
                "-raised_at", "-pk"
            )[: PANEL_LIMIT + 1]
        )
        panel.raised, panel.raised_more = raised[:PANEL_LIMIT], len(raised) > PANEL_LIMIT
        with_chains(workspace=workspace, trust=trust, routes=panel.raised)
    panel.received = list(enablers_received(workspace=workspace, cycle=cycle)[:PANEL_LIMIT])
    panel.provided = list(enablers_provided(workspace=workspace, cycle=cycle)[:PANEL_LIMIT])
    return panel


# Today (cycles.today) --------------------------------------------------------------------------


def barriers_to_answer(
    *, workspace: Workspace, user: User, role: str, system_ids: frozenset[int]
) -> QuerySet[BarrierRoute]:
    """Open barriers waiting in the cycles of these systems (those the member holds), oldest
    first, for members whose role answers barriers (`may_answer`); none for anyone else. One
    query."""
    if role not in ANSWERING_ROLES:
        return BarrierRoute.objects.none()
    return routes_for_display(workspace=workspace, user=user).filter(
        to_cycle__system_id__in=system_ids, state__in=OPEN_STATES
    )


def answers_to_raised(
    *, workspace: Workspace, user: User, system_ids: frozenset[int], since: dt.datetime
) -> QuerySet[BarrierRoute]:
    """Barriers raised by the cycles of these systems (those the user is inside) that were
    answered since `since`, newest answer first, each with its latest answer. One query."""
    return (
        routes_for_display(workspace=workspace, user=user)
        .filter(Q(latest_at__gte=since), from_cycle__system_id__in=system_ids)  # Q: annotation
        .select_related("to_cycle__system__parent__scale")
        .order_by("-latest_at", "-pk")
    )
