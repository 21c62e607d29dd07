"""Meetings keep their wall-clock time across daylight-saving changes, in two time zones; a
meeting in the spring-forward gap moves forward; single meetings move and cancel on their own."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hls.tenancy.context import tenant_scope
from stewardship.models import Occurrence
from stewardship.sessions import repeat, services
from stewardship.sessions.recurrence import session_slots

UTC = dt.UTC


def _create(world, **kwargs):
    base = dict(
        workspace=world.workspace,
        user=world.facilitator.user,
        title="Series",
        cycles=[world.cycle],
        facilitator=world.facilitator.user,
        duration_minutes=60,
        location="",
        structured=True,
        reminder_leads=[],
        members=[],
        guests=[],
    )
    base.update(kwargs)
    with tenant_scope(workspace_id=world.workspace.pk):
        return services.session_create(**base)


def _starts(session):
    with tenant_scope(workspace_id=session.workspace_id):
        return [
            s.starts_at
            for s in session_slots(
                session,
                after=dt.datetime(2029, 1, 1, tzinfo=UTC),
                before=dt.datetime(2031, 1, 1, tzinfo=UTC),
            )
        ]


@pytest.mark.parametrize(
    ("zone", "first_day", "utc_hours"),
    [
        # London: clocks go forward on 31 March 2030: 10:00 GMT, then 10:00 BST (09:00 UTC).
        ("Europe/London", dt.date(2030, 3, 24), [10, 9, 9]),
        # New York: clocks go forward on 10 March 2030: 10:00 EST (15:00), then EDT (14:00).
        ("America/New_York", dt.date(2030, 3, 3), [15, 14, 14]),
    ],
)
def test_weekly_meetings_keep_their_wall_clock_time(world, zone, first_day, utc_hours):
    starts_at = repeat.local_to_utc(first_day, dt.time(10, 0), zone)
    session = _create(world, timezone=zone, starts_at=starts_at, rrule="FREQ=WEEKLY;COUNT=3")

    starts = _starts(session)

    assert [s.hour for s in starts] == utc_hours
    assert [s.astimezone(__import__("zoneinfo").ZoneInfo(zone)).hour for s in starts] == [10] * 3


def test_autumn_change_keeps_wall_clock_time_in_new_york(world):
    zone = "America/New_York"
    starts_at = repeat.local_to_utc(dt.date(2030, 10, 27), dt.time(18, 30), zone)
    session = _create(world, timezone=zone, starts_at=starts_at, rrule="FREQ=WEEKLY;COUNT=2")
    # Clocks go back on 3 November 2030: 18:30 EDT (22:30 UTC), then 18:30 EST (23:30 UTC).
    assert [s.strftime("%H:%M") for s in _starts(session)] == ["22:30", "23:30"]


def test_a_meeting_in_the_spring_forward_gap_moves_forward(world):
    zone = "Europe/London"
    starts_at = repeat.local_to_utc(dt.date(2030, 3, 30), dt.time(1, 30), zone)
    session = _create(world, timezone=zone, starts_at=starts_at, rrule="FREQ=DAILY;COUNT=3")

    starts = _starts(session)

    # 01:30 on 31 March does not exist in London: it is held at 02:30 BST (01:30 UTC).
    local = [
        s.astimezone(__import__("zoneinfo").ZoneInfo(zone)).strftime("%d %H:%M") for s in starts
    ]
    assert local == ["30 01:30", "31 02:30", "01 01:30"]


def test_move_and_cancel_one_meeting(world):
    session = world.session
    with tenant_scope(workspace_id=world.workspace.pk):
        slots = session_slots(
            session, after=session.starts_at, before=session.starts_at + dt.timedelta(weeks=3)
        )
        second, third = slots[1], slots[2]
        new_time = second.original_start + dt.timedelta(days=1, hours=2)
        services.occurrence_move(
            workspace=world.workspace,
            session=session,
            by=world.facilitator,
            original_start=second.original_start,
            starts_at=new_time,
        )
        services.occurrence_cancel(
            workspace=world.workspace,
            session=session,
            by=world.facilitator,
            original_start=third.original_start,
        )
        after = session_slots(
            session, after=session.starts_at, before=session.starts_at + dt.timedelta(weeks=3)
        )
        assert Occurrence.objects.filter(session=session).count() == 2

    assert after[1].starts_at == new_time
    assert after[1].original_start == second.original_start
    assert after[2].cancelled
    assert after[0].starts_at == session.starts_at


def test_moving_a_meeting_to_the_past_is_refused(world):
    session = world.session
    with tenant_scope(workspace_id=world.workspace.pk), pytest.raises(ValidationError) as error:
        services.occurrence_move(
            workspace=world.workspace,
            session=session,
            by=world.facilitator,
            original_start=session.starts_at,
            starts_at=session.starts_at - dt.timedelta(days=30),
        )
    assert "starts_at" in error.value.message_dict


def test_the_picker_writes_and_reads_rules():
    day = dt.date(2030, 3, 12)  # the second Tuesday
    assert repeat.build_rule(repeat=repeat.FORTNIGHTLY, local_start=day, count=10) == (
        "FREQ=WEEKLY;INTERVAL=2;COUNT=10"
    )
    monthly = repeat.build_rule(
        repeat=repeat.MONTHLY_WEEKDAY,
        local_start=day,
        end=repeat.END_UNTIL,
        until=dt.date(2030, 12, 31),
    )
    assert monthly == "FREQ=MONTHLY;BYDAY=+2TU;UNTIL=20301231T235959"
    assert repeat.read_rule(monthly, day).repeat == repeat.MONTHLY_WEEKDAY
    assert repeat.read_rule("FREQ=WEEKLY;INTERVAL=2;COUNT=10", day) == repeat.RepeatChoice(
        repeat.FORTNIGHTLY, count=10
    )
    assert repeat.read_rule("FREQ=DAILY;COUNT=3", day).repeat == repeat.ADVANCED
    assert (
        repeat.lighter_rule("FREQ=WEEKLY;INTERVAL=2;COUNT=10") == "FREQ=WEEKLY;INTERVAL=4;COUNT=5"
    )
