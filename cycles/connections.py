"""How cycles connect (issue 4): which cycles are above, below and beside a cycle.

- Vertical links follow system nesting: the cycles of a system's parent system are above the
  cycles of that system. A CycleLink of kind PARENT adds a second parent.
- Horizontal links join peers (CycleLink of kind PEER, either direction).
Ended links (ended_at set) no longer connect. Every function takes the workspace and costs a
constant number of queries (one recursive query for "below").
"""

from django.db import connection
from django.db.models import Q, QuerySet

from cycles.models import Cycle, CycleLink
from hls.tenancy.models import Workspace


def cycles_above(*, workspace: Workspace, cycle: Cycle) -> QuerySet[Cycle]:
    """The cycles directly above: those of the parent system, and explicit extra parents."""
    linked = CycleLink.objects.filter(
        workspace=workspace, cycle=cycle, kind=CycleLink.Kind.PARENT, ended_at__isnull=True
    ).values("other_id")
    parent_system = cycle.system.parent_id
    return (
        Cycle.objects.filter(workspace=workspace)
        .filter(
            Q(pk__in=linked) | Q(system_id=parent_system) if parent_system else Q(pk__in=linked)
        )
        .exclude(pk=cycle.pk)
        .select_related("system__scale")
    )


def cycle_ids_below(*, workspace: Workspace, cycle: Cycle) -> set[int]:
    """Every cycle below this one, at any depth: through system nesting (also through systems
    that have no cycle of their own) and PARENT links.

    The walk visits two kinds of node: systems (cycle_id NULL) and cycles. A system leads to
    its child systems and its own cycles; a cycle leads to the child systems of its system and
    to the cycles linked to it as their parent. A cycle never leads to the other cycles of its
    own system (those are beside it, not below). PostgreSQL allows the recursive term to name
    the CTE once, so the steps share one LATERAL subquery; UNION drops repeats, so a loop
    (which link creation refuses anyway) cannot make it run forever.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE node(cycle_id, system_id) AS (
                SELECT NULL::bigint, s.id FROM systems_system s
                 WHERE s.workspace_id = %(ws)s AND s.parent_id = %(system)s
              UNION
                SELECT c.id, c.system_id FROM cycles_cyclelink l
                  JOIN cycles_cycle c ON c.id = l.cycle_id
                 WHERE l.workspace_id = %(ws)s AND l.other_id = %(cycle)s
                   AND l.kind = 'parent' AND l.ended_at IS NULL
              UNION
                SELECT step.cycle_id, step.system_id FROM node n, LATERAL (
                    SELECT NULL::bigint AS cycle_id, s.id AS system_id FROM systems_system s
                     WHERE s.parent_id = n.system_id AND s.workspace_id = %(ws)s
                  UNION ALL
                    SELECT c.id, c.system_id FROM cycles_cycle c
                     WHERE n.cycle_id IS NULL AND c.system_id = n.system_id
                       AND c.workspace_id = %(ws)s
                  UNION ALL
                    SELECT c.id, c.system_id FROM cycles_cyclelink l
                      JOIN cycles_cycle c ON c.id = l.cycle_id
                     WHERE l.other_id = n.cycle_id AND l.workspace_id = %(ws)s
                       AND l.kind = 'parent' AND l.ended_at IS NULL
                ) step
            )
            SELECT DISTINCT cycle_id FROM node
             WHERE cycle_id IS NOT NULL AND cycle_id <> %(cycle)s
            """,
            {"ws": workspace.pk, "system": cycle.system_id, "cycle": cycle.pk},
        )
        return {row[0] for row in cursor.fetchall()}


def peer_cycles(*, workspace: Workspace, cycle: Cycle) -> QuerySet[Cycle]:
    """Cycles joined to this one by an open PEER link, in either direction."""
    links = CycleLink.objects.filter(
        workspace=workspace, kind=CycleLink.Kind.PEER, ended_at__isnull=True
    )
    return (
        Cycle.objects.filter(workspace=workspace)
        .filter(
            Q(pk__in=links.filter(cycle=cycle).values("other_id"))
            | Q(pk__in=links.filter(other=cycle).values("cycle_id"))
        )
        .select_related("system__scale")
    )
