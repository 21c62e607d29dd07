"""Reads for experiments (cycles.models.Experiment). Every function takes the workspace.

The portfolio lists current versions only (a version replaced by a newer one is history, shown
on the experiment's page). No rankings, rates or counts per owner are computed anywhere.
"""

import datetime

from django.db import connection
from django.db.models import BooleanField, Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from cycles.models import Cycle, CycleMember, Entry, Experiment
from cycles.selectors import entries_visible_to
from hls.accounts.models import User
from hls.tenancy.models import Workspace
from systems.models import Actor, Person, SystemMember
from systems.selectors import people_worked_with

STATUS_ORDER = [
    Experiment.Status.RUNNING,
    Experiment.Status.PLANNED,
    Experiment.Status.ENDED,
]


def today() -> datetime.date:
    return timezone.localdate()


def actors_of_cycle(*, workspace: Workspace, cycle: Cycle) -> QuerySet[Actor]:
    return Actor.objects.filter(workspace=workspace, system_id=cycle.system_id).order_by(
        "name", "pk"
    )


def workspace_users(*, workspace: Workspace) -> QuerySet[User]:
    """The members of the workspace."""
    return User.objects.filter(memberships__workspace=workspace).order_by("full_name", "email")


def owners_inside(*, workspace: Workspace, cycle: Cycle) -> QuerySet[User]:
    """Who may own an experiment of the cycle: those inside it, by the same "works in" as
    cycles.trust (in its system's team, or taking part in a cycle of its system), who are still
    members of the workspace."""
    inside = Q(
        pk__in=CycleMember.objects.filter(
            workspace=workspace, cycle__system_id=cycle.system_id
        ).values("user_id")
    ) | Q(
        pk__in=SystemMember.objects.filter(workspace=workspace, system_id=cycle.system_id).values(
            "user_id"
        )
    )
    return (
        User.objects.filter(memberships__workspace=workspace)
        .filter(inside)
        .distinct()
        .order_by("full_name", "email")
    )


def overdue_for(*, user: User, on: datetime.date | None = None) -> Case:
    """An annotation: True for a running experiment past its end date, for its owner only."""
    return Case(
        When(
            owner_id=user.pk,
            status=Experiment.Status.RUNNING,
            ends_on__lt=on or today(),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def is_overdue_for(*, experiment: Experiment, user: User, on: datetime.date | None = None) -> bool:
    """Whether to tell `user` that the experiment is past its end date: only if they own it."""
    return (
        experiment.owner_id == user.pk
        and experiment.status == Experiment.Status.RUNNING
        and experiment.ends_on is not None
        and experiment.ends_on < (on or today())
    )


def experiments_portfolio(
    *,
    workspace: Workspace,
    user: User,
    cycle_id: int | None = None,
    status: str = "",
    outcome: str = "",
) -> QuerySet[Experiment]:
    """Current versions, running first, then planned, then ended; newest first within each.
    Each carries `overdue` (True only for the viewer's own experiments past their end date)."""
    rank = Case(
        *[When(status=value, then=Value(i)) for i, value in enumerate(STATUS_ORDER)],
        default=Value(len(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    experiments = (
        Experiment.objects.filter(workspace=workspace, next_version__isnull=True)
        .select_related("cycle__system__scale", "cycle__system__parent__scale", "owner")
        .annotate(status_rank=rank, overdue=overdue_for(user=user))
        .order_by("status_rank", "-created_at", "-pk")
    )
    if cycle_id is not None:
        experiments = experiments.filter(cycle_id=cycle_id)
    if status:
        experiments = experiments.filter(status=status)
    if outcome:
        experiments = experiments.filter(outcome=outcome)
    return experiments


def workspace_cycles(*, workspace: Workspace) -> QuerySet[Cycle]:
    return Cycle.objects.filter(workspace=workspace).order_by("name", "pk")


def experiment_versions(*, workspace: Workspace, experiment: Experiment) -> list[Experiment]:
    """Every version of the experiment (those before it and after it), oldest first, in two
    queries whatever the length of the chain."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE back(id, prev) AS (
                SELECT id, previous_version_id FROM cycles_experiment
                WHERE workspace_id = %s AND id = %s
              UNION
                SELECT e.id, e.previous_version_id FROM cycles_experiment e
                JOIN back b ON e.id = b.prev WHERE e.workspace_id = %s
            ), forward(id) AS (
                SELECT id FROM cycles_experiment
                WHERE workspace_id = %s AND previous_version_id = %s
              UNION
                SELECT e.id FROM cycles_experiment e
                JOIN forward f ON e.previous_version_id = f.id WHERE e.workspace_id = %s
            )
            SELECT id FROM back UNION SELECT id FROM forward
            """,
            [workspace.pk, experiment.pk, workspace.pk] * 2,
        )
        ids = [row[0] for row in cursor.fetchall()]
    return list(Experiment.objects.filter(workspace=workspace, pk__in=ids).order_by("version"))


def experiment_check_ins(
    *, workspace: Workspace, user: User, experiments: list[Experiment]
) -> QuerySet[Entry]:
    """The check-in entries of these experiments (e.g. all its versions) that the user may see,
    newest first."""
    return (
        entries_visible_to(workspace=workspace, user=user)
        .filter(experiment__in=[e.pk for e in experiments])
        .select_related("author", "experiment", "cycle__system__scale")
        .order_by("-created_at", "-pk")
    )


def experiment_people_visible_to(
    *, workspace: Workspace, user: User, experiment: Experiment
) -> tuple[list[Person], bool]:
    """The people involved whom the user works with, and whether others are involved too
    (shown as a sentence, never as a number or a name)."""
    involved = Person.objects.filter(workspace=workspace, experimentperson__experiment=experiment)
    visible = list(
        involved.filter(pk__in=people_worked_with(workspace=workspace, user=user).values("pk"))
        .distinct()
        .order_by("reference")
    )
    hidden = involved.exclude(pk__in=[p.pk for p in visible]).exists()
    return visible, hidden


def experiment_actors(*, workspace: Workspace, experiment: Experiment) -> QuerySet[Actor]:
    return (
        Actor.objects.filter(workspace=workspace, experimentactor__experiment=experiment)
        .distinct()
        .order_by("name")
    )


def experiments_to_tend(*, workspace: Workspace, user: User) -> QuerySet[Experiment]:
    """The user's own running experiments (current versions), to check in on, with `overdue`
    (past their end date: time to decide) first, then by end date. One query. Owners only: the
    prompt to decide is never shown to anyone else."""
    return (
        Experiment.objects.filter(
            workspace=workspace,
            owner=user,
            status=Experiment.Status.RUNNING,
            next_version__isnull=True,
        )
        .select_related("cycle__system__scale", "cycle__system__parent__scale")
        .annotate(overdue=overdue_for(user=user))
        .order_by("-overdue", F("ends_on").asc(nulls_last=True), "-pk")
    )
