"""The sessions area tells the notifications area of every change, for real (no stub): making,
editing, moving, cancelling a session or one of its meetings, and changing who is invited,
re-plan the reminders that go out. Each test reads the reminder rows themselves."""

import datetime as dt

import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from stewardship.models import Reminder
from stewardship.sessions import services

REMINDER = Reminder.Kind.SESSION_REMINDER
OPEN = (Reminder.Status.PENDING, Reminder.Status.HELD)


def _in_two_days() -> dt.datetime:
    """A start two days ahead, on the hour: within the planning horizon, with one meeting."""
    soon = timezone.now().astimezone(dt.UTC) + dt.timedelta(days=2)
    return soon.replace(minute=0, second=0, microsecond=0)


def _planned(session, kind=REMINDER) -> set[tuple[str, dt.datetime]]:
    """Who is reminded of the session, and when: the open rows of that kind."""
    rows = Reminder.objects.filter(session=session, kind=kind, status__in=OPEN)
    return {(f"user:{r.recipient_id}" if r.recipient_id else r.email, r.due_at) for r in rows}


def _who(world) -> set[str]:
    return {f"user:{m.user.pk}" for m in (world.facilitator, world.pat)} | {"g@example.org"}


def _edit(world, session, **changes):
    fields = dict(
        title=session.title,
        cycles=list(session.cycles.all()),
        facilitator=session.facilitator,
        timezone=session.timezone,
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        rrule=session.rrule,
        reminder_leads=session.reminder_leads,
    )
    fields.update(changes)
    return services.session_update(
        workspace=world.workspace, session=session, by=world.facilitator, **fields
    )


@pytest.fixture
def single(world):
    """One meeting two days ahead, reminders an hour before, a member and a guest invited."""
    with tenant_scope(workspace_id=world.workspace.pk):
        return services.session_create(
            workspace=world.workspace,
            user=world.facilitator.user,
            title="One-off",
            cycles=[world.cycle],
            facilitator=world.facilitator.user,
            timezone="Europe/London",
            starts_at=_in_two_days(),
            duration_minutes=60,
            rrule="",
            reminder_leads=[60],
            members=[world.pat.user],
            guests=["g@example.org"],
        )


def test_making_a_session_invites_everyone_and_plans_their_reminders(world, single):
    start = single.starts_at
    with tenant_scope(workspace_id=world.workspace.pk):
        invited = {who for who, _due in _planned(single, Reminder.Kind.SESSION_INVITATION)}
        planned = _planned(single)
    assert invited == _who(world)  # the facilitator too: the invitation carries the calendar
    assert planned == {(who, start - dt.timedelta(minutes=60)) for who in _who(world)}


def test_editing_the_start_replans_the_reminders(world, single):
    later = single.starts_at + dt.timedelta(days=1, hours=2)
    with tenant_scope(workspace_id=world.workspace.pk):
        _edit(world, single, starts_at=later)
        planned = _planned(single)
        updates = _planned(single, Reminder.Kind.SESSION_UPDATE)
        old = Reminder.objects.filter(session=single, kind=REMINDER).exclude(status__in=OPEN)
        old_dues = set(old.values_list("due_at", flat=True))
    assert planned == {(who, later - dt.timedelta(minutes=60)) for who in _who(world)}
    assert old_dues == {single.starts_at - dt.timedelta(minutes=60)}  # the first plan, cancelled
    assert {who for who, _due in updates} == _who(world)


def test_editing_the_lead_times_replans_the_reminders(world, single):
    with tenant_scope(workspace_id=world.workspace.pk):
        _edit(world, single, reminder_leads=[1440, 30])
        planned = _planned(single)
    start = single.starts_at
    assert planned == {
        (who, start - dt.timedelta(minutes=lead)) for who in _who(world) for lead in (1440, 30)
    }


def test_moving_one_meeting_replans_only_its_reminders(world):
    start = _in_two_days()
    with tenant_scope(workspace_id=world.workspace.pk):
        daily = services.session_create(
            workspace=world.workspace,
            user=world.facilitator.user,
            title="Daily huddle",
            cycles=[world.cycle],
            facilitator=world.facilitator.user,
            timezone="UTC",
            starts_at=start,
            duration_minutes=15,
            rrule="FREQ=DAILY;COUNT=2",
            reminder_leads=[60],
            members=[],
            guests=[],
        )
        fay = f"user:{world.facilitator.user.pk}"
        lead = dt.timedelta(minutes=60)
        second = start + dt.timedelta(days=1)
        assert _planned(daily) == {(fay, start - lead), (fay, second - lead)}
        moved_to = second + dt.timedelta(hours=3)
        services.occurrence_move(
            workspace=world.workspace,
            session=daily,
            by=world.facilitator,
            original_start=second,
            starts_at=moved_to,
        )
        assert _planned(daily) == {(fay, start - lead), (fay, moved_to - lead)}
        services.occurrence_cancel(
            workspace=world.workspace, session=daily, by=world.facilitator, original_start=start
        )
        assert _planned(daily) == {(fay, moved_to - lead)}


def test_changing_who_is_invited_replans_the_reminders(world, single):
    with tenant_scope(workspace_id=world.workspace.pk):
        services.participants_set(
            workspace=world.workspace,
            session=single,
            by=world.facilitator,
            members=[world.sam.user],
            guests=[],
        )
        planned = _planned(single)
    reminded = {f"user:{world.facilitator.user.pk}", f"user:{world.sam.user.pk}"}
    assert planned == {(who, single.starts_at - dt.timedelta(minutes=60)) for who in reminded}


def test_cancelling_the_session_ends_every_reminder_and_tells_everyone(world, single):
    with tenant_scope(workspace_id=world.workspace.pk):
        services.session_cancel(workspace=world.workspace, session=single, by=world.facilitator)
        planned = _planned(single)
        told = {who for who, _ in _planned(single, Reminder.Kind.SESSION_CANCELLATION)}
    assert planned == set()
    assert told >= {f"user:{world.pat.user.pk}", "g@example.org"}
