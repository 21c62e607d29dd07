"""Reads for cycles. `entries_visible_to` is the one rule for who sees which entry.

An entry's visibility widens one step at a time (systems.models.ShareLevel), and is never wider
than its person's consent. Who sees it, by its effective level:
- PRIVATE: its author only;
- TEAM: also the team of the cycle's system (SystemMember);
- CYCLE: also the members of the cycle (CycleMember);
- SHARED_UPWARD: also those who work in a system above it (at any depth), e.g. the manager of
  the team above a person's cycle;
- WORKSPACE: every member of the workspace.
The author always sees their own entries. Deleted entries (kept for undo) are never listed.
"""

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Least

from cycles.models import CycleMember, Entry
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from systems.models import ShareLevel, SystemMember
from systems.selectors import systems_below, systems_worked_in


def effective_level() -> Case:
    """The entry's visibility, capped by its person's consent (if it concerns a person)."""
    return Case(
        When(person__isnull=True, then=F("visibility")),
        default=Least(F("visibility"), F("person__consent_level")),
    )


def entries_visible_to(*, workspace: Workspace, user: User) -> QuerySet[Entry]:
    team_systems = SystemMember.objects.filter(workspace=workspace, user=user).values("system_id")
    my_cycles = CycleMember.objects.filter(workspace=workspace, user=user).values("cycle_id")
    above = systems_below(
        workspace=workspace, system_ids=systems_worked_in(workspace=workspace, user=user)
    )
    return (
        Entry.objects.filter(workspace=workspace, deleted_at__isnull=True)
        .annotate(level=effective_level())
        .filter(
            Q(author=user)
            | Q(level__gte=ShareLevel.TEAM, cycle__system_id__in=team_systems)
            | Q(level__gte=ShareLevel.CYCLE, cycle_id__in=my_cycles)
            | Q(level__gte=ShareLevel.SHARED_UPWARD, cycle__system_id__in=above)
            | Q(level__gte=Value(ShareLevel.WORKSPACE))
        )
    )
