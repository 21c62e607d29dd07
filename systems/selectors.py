"""Reads for systems. Who works where decides what people may see (see cycles/selectors.py)."""

from django.db import connection
from django.db.models import Q

from hls.accounts.models import User
from hls.tenancy.models import Workspace
from systems.models import Person, System, SystemMember


def systems_worked_in(*, workspace: Workspace, user: User) -> set[int]:
    """Systems whose team the user is in, or in one of whose cycles the user takes part."""
    return set(
        System.objects.filter(workspace=workspace)
        .filter(Q(systemmember__user=user) | Q(cycles__cyclemember__user=user))
        .values_list("pk", flat=True)
        .distinct()
    )


def systems_below(*, workspace: Workspace, system_ids: set[int]) -> set[int]:
    """Every system nested (at any depth) under the given ones, not counting them."""
    if not system_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE below(id) AS (
                SELECT id FROM systems_system
                WHERE workspace_id = %s AND parent_id = ANY(%s)
              UNION
                SELECT s.id FROM systems_system s JOIN below b ON s.parent_id = b.id
                WHERE s.workspace_id = %s
            )
            SELECT id FROM below
            """,
            [workspace.pk, list(system_ids), workspace.pk],
        )
        return {row[0] for row in cursor.fetchall()}


def works_with_person(*, workspace: Workspace, user: User, person: Person) -> bool:
    """Whether the user works on this person's cycle: in the team of the person's own system or
    taking part in one of its cycles. Only they may see the person's identity."""
    if person.system_id is None:
        return person.created_by_id == user.pk
    return person.system_id in systems_worked_in(workspace=workspace, user=user)


def system_member_ids(*, workspace: Workspace, system: System) -> set[int]:
    return set(
        SystemMember.objects.filter(workspace=workspace, system=system).values_list(
            "user_id", flat=True
        )
    )
