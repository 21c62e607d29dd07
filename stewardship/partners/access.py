"""Who writes, reads and answers a learning partner's heads-up notes (docs/stewardship.md,
"Learning partners"). One place for the rule, read by services, selectors, views and tests.

A partner is *in* a cycle the way everyone is (cycles/trust.py): the cycle invited them (they
are one of its members, `CycleMember`) or they work in its system's team. Removing them from
the cycle takes the access away again; there is no second membership.

- **Write:** a member whose role is learning partner, inside the cycle.
- **Read and answer:** the cycle's stewards. A cycle's stewards, for its heads-ups, are the
  members holding a current steward role for it (`StewardRole`, not ended) and those inside the
  cycle who are not learning partners; a viewer inside reads them but does not answer.
- **The author** always reads their own notes and the answers, even after leaving the cycle.
- **Nobody else**: not a cycle above, not the workspace's admins or stewards from outside, not
  another partner of the same cycle. A heads-up goes to the cycle, never up.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from cycles.models import Cycle
from cycles.trust import Trust
from hls.tenancy.models import Membership, Role, Workspace
from stewardship.models import HeadsUp, StewardRole


def is_partner(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.LEARNING_PARTNER


def _steward_role(workspace: Workspace, user_id: int, cycle: Cycle) -> QuerySet[StewardRole]:
    return StewardRole.objects.filter(
        workspace=workspace, cycle=cycle, user_id=user_id, ended_at__isnull=True
    )


def holds_steward_role(*, workspace: Workspace, user_id: int, cycle: Cycle) -> bool:
    """A current steward role for the cycle (one query)."""
    return _steward_role(workspace, user_id, cycle).exists()


def may_write(*, membership: Membership | None, trust: Trust, cycle: Cycle) -> bool:
    """A learning partner inside the cycle. No query."""
    return is_partner(membership) and trust.inside(cycle)


def reads_all_inside(*, membership: Membership | None, trust: Trust, cycle: Cycle) -> bool:
    """Inside the cycle and not a learning partner: a steward of its heads-ups. No query (the
    holders of a steward role from outside are found by `reads_all`)."""
    return membership is not None and not is_partner(membership) and trust.inside(cycle)


def reads_all(*, workspace: Workspace, membership: Membership, trust: Trust, cycle: Cycle) -> bool:
    """Whether the member reads every heads-up of the cycle (at most one query)."""
    return reads_all_inside(membership=membership, trust=trust, cycle=cycle) or holds_steward_role(
        workspace=workspace, user_id=membership.user_id, cycle=cycle
    )


def may_answer(*, workspace: Workspace, membership: Membership, trust: Trust, cycle: Cycle) -> bool:
    return membership.role != Role.VIEWER and reads_all(
        workspace=workspace, membership=membership, trust=trust, cycle=cycle
    )


def visible_filter(*, workspace: Workspace, membership: Membership, trust: Trust) -> Q:
    """A filter on HeadsUp: the notes this member may read, in any cycle (no query of its own)."""
    user_id = membership.user_id
    seen = Q(author_id=user_id) | Q(
        Exists(
            StewardRole.objects.filter(
                workspace=workspace, cycle=OuterRef("cycle"), user_id=user_id,
                ended_at__isnull=True,
            )
        )
    )  # fmt: skip
    if not is_partner(membership):
        seen |= Q(cycle__system_id__in=sorted(trust.systems))
    return seen


def heads_ups_visible_to(
    *, workspace: Workspace, membership: Membership, trust: Trust
) -> QuerySet[HeadsUp]:
    return HeadsUp.objects.filter(workspace=workspace).filter(
        visible_filter(workspace=workspace, membership=membership, trust=trust)
    )


def access_heads_up(
    *, workspace: Workspace, membership: Membership, trust: Trust, cycle: Cycle, heads_up_id: int
) -> HeadsUp:
    """A heads-up of this cycle the member may read, else 404 (one the member may not read looks
    the same as one that does not exist)."""
    visible = heads_ups_visible_to(workspace=workspace, membership=membership, trust=trust)
    return get_object_or_404(
        visible.select_related("cycle", "author", "answered_by"), cycle=cycle, pk=heads_up_id
    )
