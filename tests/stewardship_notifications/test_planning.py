"""Planning and reconciling the outbox: what is queued for whom, and what a change cancels."""

import datetime as dt

import pytest
from django.utils import timezone

from cycles.models import BarrierRoute, Experiment
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import Reminder, Session
from stewardship.notifications import planning, tasks
from stewardship.notifications.planning import stamp
from tests.factories import (
    BarrierRouteFactory,
    CycleMemberFactory,
    ExperimentFactory,
    OccurrenceFactory,
    StewardRoleFactory,
    WorkspaceFactory,
)

from .conftest import changed, london, rows

K = Reminder.Kind
S = Reminder.Status
pytestmark = pytest.mark.django_db


def _who(world):
    return {
        f"user:{world.pat.user.pk}",
        f"user:{world.sam.user.pk}",
        f"user:{world.fay.user.pk}",
        planning.who(user_id=None, email="gita@example.org"),
    }


def test_created_invites_everyone_now_and_plans_the_first_meetings_reminders(world):
    before = timezone.now()
    changed(world, "created")

    invitations = rows(world.workspace, kind=K.SESSION_INVITATION)
    assert {r.key.rsplit(":invite:", 1)[1] for r in invitations} == _who(world)
    assert all(r.key.startswith(f"session:{world.session.pk}:seq:0:invite:") for r in invitations)
    assert all(before <= r.due_at <= timezone.now() and r.status == S.PENDING for r in invitations)
    assert {r.email for r in invitations if r.recipient_id is None} == {"gita@example.org"}

    reminders = rows(world.workspace, kind=K.SESSION_REMINDER)
    start = london(3)
    # Only the first meeting is within the horizon: two leads for each of four people.
    assert len(reminders) == 8
    assert {r.due_at for r in reminders} == {
        start - dt.timedelta(days=1),
        start - dt.timedelta(hours=1),
    }
    key = (
        f"session:{world.session.pk}:{stamp(start)}:{stamp(start)}:lead:60:user:{world.pat.user.pk}"
    )
    assert key in {r.key for r in reminders}
    follow_up = rows(world.workspace, kind=K.SESSION_FOLLOW_UP)
    assert [(r.recipient_id, r.due_at) for r in follow_up] == [
        (world.fay.user.pk, start + dt.timedelta(hours=2))
    ]


def test_planning_twice_changes_nothing(world):
    changed(world, "created")
    first = [(r.key, r.status) for r in rows(world.workspace)]
    with tenant_scope(workspace_id=world.workspace.pk):
        planning.plan_workspace(workspace=world.workspace)
        planning.plan_workspace(workspace=world.workspace)
    assert [(r.key, r.status) for r in rows(world.workspace)] == first


def test_a_moved_meeting_cancels_the_old_reminders_and_plans_new_keys(world):
    changed(world, "created")
    start = london(3)
    new_start = london(4, 14)
    with tenant_scope(workspace_id=world.workspace.pk):
        OccurrenceFactory(
            workspace=world.workspace,
            session=world.session,
            original_start=start,
            starts_at=new_start,
        )
    changed(world, "occurrence")

    with tenant_scope(workspace_id=world.workspace.pk):
        world.session.refresh_from_db()
    assert world.session.sequence == 1
    old = rows(world.workspace, kind=K.SESSION_REMINDER, key__contains=f":{stamp(start)}:lead")
    assert old
    assert all(r.status == S.CANCELLED for r in old)
    new = rows(world.workspace, kind=K.SESSION_REMINDER, status=S.PENDING)
    assert len(new) == 8
    assert all(f":{stamp(start)}:{stamp(new_start)}:lead:" in r.key for r in new)
    assert {r.occurrence_start for r in new} == {start}  # still the same meeting in the series
    assert {r.due_at for r in new} == {
        new_start - dt.timedelta(days=1),
        new_start - dt.timedelta(hours=1),
    }
    updates = rows(world.workspace, kind=K.SESSION_UPDATE)
    assert len(updates) == 4
    assert all(":seq:1:update:" in r.key for r in updates)
    follow_ups = rows(world.workspace, kind=K.SESSION_FOLLOW_UP)
    assert {(r.status, r.due_at) for r in follow_ups} == {
        (S.CANCELLED, start + dt.timedelta(hours=2)),
        (S.PENDING, new_start + dt.timedelta(hours=2)),
    }


def test_a_cancelled_meeting_cancels_its_reminders(world):
    changed(world, "created")
    with tenant_scope(workspace_id=world.workspace.pk):
        OccurrenceFactory(workspace=world.workspace, session=world.session, cancelled=True)
    changed(world, "occurrence")
    planned = rows(world.workspace, kind__in=[K.SESSION_REMINDER, K.SESSION_FOLLOW_UP])
    assert planned
    assert {r.status for r in planned} == {S.CANCELLED}


def test_a_cancelled_session_cancels_everything_pending_and_tells_everyone(world):
    changed(world, "created")
    with tenant_scope(workspace_id=world.workspace.pk):
        Session.objects.filter(pk=world.session.pk).update(status=Session.Status.CANCELLED)
    changed(world, "cancelled")
    with tenant_scope(workspace_id=world.workspace.pk):
        world.session.refresh_from_db()
    assert world.session.sequence == 1
    others = rows(world.workspace, kind__in=[K.SESSION_INVITATION, K.SESSION_REMINDER])
    assert {r.status for r in others} == {S.CANCELLED}
    cancellations = rows(world.workspace, kind=K.SESSION_CANCELLATION)
    assert {r.key.rsplit(":cancel:", 1)[1] for r in cancellations} == _who(world)
    assert {r.status for r in cancellations} == {S.PENDING}


def test_a_removed_participant_loses_their_reminders_and_gets_a_cancellation(world):
    changed(world, "created")
    with tenant_scope(workspace_id=world.workspace.pk):
        Reminder.objects.filter(kind=K.SESSION_INVITATION).update(status=S.SENT)
        world.sam_p.delete()
    changed(world, "participants")
    sams = rows(world.workspace, recipient=world.sam.user, kind=K.SESSION_REMINDER)
    assert sams
    assert {r.status for r in sams} == {S.CANCELLED}
    assert [r.key for r in rows(world.workspace, kind=K.SESSION_CANCELLATION)] == [
        f"session:{world.session.pk}:seq:1:cancel:user:{world.sam.user.pk}"
    ]
    # others keep theirs
    assert len(rows(world.workspace, kind=K.SESSION_REMINDER, status=S.PENDING)) == 6


def test_someone_removed_before_their_invitation_went_out_is_simply_not_told(world):
    changed(world, "created")
    with tenant_scope(workspace_id=world.workspace.pk):
        world.sam_p.delete()
    changed(world, "participants")
    assert rows(world.workspace, kind=K.SESSION_CANCELLATION) == []
    invitation = rows(world.workspace, kind=K.SESSION_INVITATION, recipient=world.sam.user)
    assert [r.status for r in invitation] == [S.CANCELLED]


def test_someone_added_is_invited_and_planned(world, make_member):
    changed(world, "created")
    newcomer = make_member(world.workspace, Role.PRACTITIONER)
    from tests.factories import SessionParticipantFactory

    with tenant_scope(workspace_id=world.workspace.pk):
        SessionParticipantFactory(
            workspace=world.workspace, session=world.session, user=newcomer.user
        )
    changed(world, "participants")
    invitations = rows(world.workspace, kind=K.SESSION_INVITATION, recipient=newcomer.user)
    assert [r.key for r in invitations] == [
        f"session:{world.session.pk}:seq:1:invite:user:{newcomer.user.pk}"
    ]
    assert len(rows(world.workspace, kind=K.SESSION_REMINDER, recipient=newcomer.user)) == 2
    # A response alone is not a change of who takes part: nothing new is queued.
    count = len(rows(world.workspace))
    changed(world, "participants")
    assert len(rows(world.workspace)) == count


def test_changed_lead_times(world):
    changed(world, "created")
    with tenant_scope(workspace_id=world.workspace.pk):
        Session.objects.filter(pk=world.session.pk).update(reminder_leads=[120])
    changed(world, "updated")
    pending = rows(world.workspace, kind=K.SESSION_REMINDER, status=S.PENDING)
    assert {r.payload["lead"] for r in pending} == {120}
    assert len(pending) == 4
    cancelled = rows(world.workspace, kind=K.SESSION_REMINDER, status=S.CANCELLED)
    assert {r.payload["lead"] for r in cancelled} == {60, 1440}


def test_reminders_for_times_already_past_are_not_made(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        Session.objects.filter(pk=world.session.pk).update(
            starts_at=timezone.now() + dt.timedelta(minutes=30), rrule=""
        )
    changed(world, "created")
    assert {r.payload["lead"] for r in rows(world.workspace, kind=K.SESSION_REMINDER)} == set()


def test_a_declined_participant_gets_no_reminders(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        world.pat_p.response = "declined"
        world.pat_p.save()
    changed(world, "created")
    assert rows(world.workspace, kind=K.SESSION_REMINDER, recipient=world.pat.user) == []
    assert len(rows(world.workspace, kind=K.SESSION_INVITATION, recipient=world.pat.user)) == 1


def test_recorded_outputs_cancel_the_follow_up(world):
    changed(world, "created")
    with tenant_scope(workspace_id=world.workspace.pk):
        OccurrenceFactory(
            workspace=world.workspace, session=world.session, outputs_recorded_at=timezone.now()
        )
    changed(world, "occurrence")
    assert {r.status for r in rows(world.workspace, kind=K.SESSION_FOLLOW_UP)} == {S.CANCELLED}


# Experiments, stewards, barriers --------------------------------------------------------------


def _plan(workspace, now=None):
    with tenant_scope(workspace_id=workspace.pk):
        planning.plan_workspace(workspace=workspace, now=now)


def test_experiment_check_in_and_end_and_a_moved_end_date(world):
    today = timezone.now().astimezone(planning.safe_zone("Europe/London")).date()
    with tenant_scope(workspace_id=world.workspace.pk):
        experiment = ExperimentFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            owner=world.pat.user,
            status=Experiment.Status.RUNNING,
            starts_on=today - dt.timedelta(days=2),
            ends_on=today + dt.timedelta(days=4),
        )
    _plan(world.workspace)
    found = {r.kind: r for r in rows(world.workspace, experiment=experiment)}
    assert found[K.EXPERIMENT_END].due_at == london(4, 9)
    assert found[K.EXPERIMENT_CHECK_IN].due_at == london(1, 9)
    assert found[K.EXPERIMENT_END].recipient_id == world.pat.user.pk

    with tenant_scope(workspace_id=world.workspace.pk):
        Experiment.objects.filter(pk=experiment.pk).update(ends_on=today + dt.timedelta(days=6))
    _plan(world.workspace)
    ends = rows(world.workspace, experiment=experiment, kind=K.EXPERIMENT_END)
    assert {(r.status, r.due_at) for r in ends} == {
        (S.CANCELLED, london(4, 9)),
        (S.PENDING, london(6, 9)),
    }


def test_an_ended_experiment_has_no_reminders_left(world):
    today = timezone.now().date()
    with tenant_scope(workspace_id=world.workspace.pk):
        experiment = ExperimentFactory(
            workspace=world.workspace,
            owner=world.pat.user,
            status=Experiment.Status.RUNNING,
            ends_on=today + dt.timedelta(days=3),
        )
    _plan(world.workspace)
    with tenant_scope(workspace_id=world.workspace.pk):
        Experiment.objects.filter(pk=experiment.pk).update(status=Experiment.Status.ENDED)
    _plan(world.workspace)
    assert {r.status for r in rows(world.workspace, experiment=experiment)} == {S.CANCELLED}


def test_steward_review_14_days_before_and_on_the_day(world, make_member):
    today = timezone.now().astimezone(planning.safe_zone("Europe/London")).date()
    with tenant_scope(workspace_id=world.workspace.pk):
        role = StewardRoleFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            user=world.sam.user,
            review_on=today + dt.timedelta(days=17),
        )
    _plan(world.workspace)
    found = rows(world.workspace, steward_role=role)
    # 14 days before is within the horizon; the day itself is not yet.
    assert [(r.recipient_id, r.due_at, r.payload["days_before"]) for r in found] == [
        (world.sam.user.pk, london(3, 9), 14)
    ]
    # Moving the review date cancels what was pending for the old one.
    with tenant_scope(workspace_id=world.workspace.pk):
        role.review_on = today + dt.timedelta(days=5)
        role.save()
    _plan(world.workspace)
    assert {
        (r.status, r.payload["days_before"]) for r in rows(world.workspace, steward_role=role)
    } == {
        (S.CANCELLED, 14),
        (S.PENDING, 0),
    }


def test_a_steward_role_without_a_member_reminds_the_cycles_stewards_and_admins(world, make_member):
    steward = make_member(world.workspace, Role.STEWARD)
    admin = make_member(world.workspace, Role.ADMIN)
    outsider_steward = make_member(world.workspace, Role.STEWARD)  # not in the cycle
    today = timezone.now().date()
    with tenant_scope(workspace_id=world.workspace.pk):
        for m in (steward, admin):
            CycleMemberFactory(workspace=world.workspace, cycle=world.cycle, user=m.user)
        role = StewardRoleFactory(
            workspace=world.workspace,
            cycle=world.cycle,
            user=None,
            review_on=today + dt.timedelta(days=3),
        )
    _plan(world.workspace)
    recipients = {r.recipient_id for r in rows(world.workspace, steward_role=role)}
    assert recipients == {steward.user.pk, admin.user.pk}
    assert outsider_steward.user.pk not in recipients


def test_a_barrier_waiting_a_week_then_weekly(world, make_member):
    manager = make_member(world.workspace, Role.MANAGER)
    practitioner = make_member(world.workspace, Role.PRACTITIONER)
    with tenant_scope(workspace_id=world.workspace.pk):
        route = BarrierRouteFactory(workspace=world.workspace, to_cycle=world.cycle)
        for m in (manager, practitioner):
            CycleMemberFactory(workspace=world.workspace, cycle=world.cycle, user=m.user)
        raised = timezone.now() - dt.timedelta(days=3)
        BarrierRoute.objects.filter(pk=route.pk).update(raised_at=raised)
    _plan(world.workspace)
    found = rows(world.workspace, barrier_route=route)
    # The receiving cycle's manager (Sam is a manager too); not the practitioners.
    assert {r.recipient_id for r in found} == {manager.user.pk, world.sam.user.pk}
    assert {r.payload["week"] for r in found} == {1}
    assert {r.due_at for r in found} == {raised + dt.timedelta(days=7)}

    later = timezone.now() + dt.timedelta(days=6)
    _plan(world.workspace, now=later)
    weeks = {r.payload["week"] for r in rows(world.workspace, barrier_route=route)}
    assert weeks == {1, 2}

    with tenant_scope(workspace_id=world.workspace.pk):
        BarrierRoute.objects.filter(pk=route.pk).update(state=BarrierRoute.State.ACKNOWLEDGED)
    _plan(world.workspace)
    assert {r.status for r in rows(world.workspace, barrier_route=route)} == {S.CANCELLED}


def test_the_beat_task_plans_every_workspace(world, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    other = WorkspaceFactory()
    tasks.plan_reminders.apply()
    assert len(rows(world.workspace, kind=K.SESSION_REMINDER)) == 8
    with tenant_scope(workspace_id=other.pk):
        assert not Reminder.objects.filter(workspace=world.workspace).exists()  # RLS holds
