"""A series' own moved and cancelled meetings go with it when the series changes
(stewardship/sessions/carry.py): by day when the first meeting keeps its day, by position when it
moves to another; held meetings are never lost. The calendar side is in
tests/stewardship_notifications/test_ics_series.py."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hls.tenancy.context import tenant_scope
from stewardship.models import Occurrence
from stewardship.sessions import services
from stewardship.sessions.recurrence import session_slots

pytestmark = pytest.mark.django_db

UTC = dt.UTC
FAR_PAST = dt.datetime(2000, 1, 1, tzinfo=UTC)
FAR_FUTURE = dt.datetime(2100, 1, 1, tzinfo=UTC)


def _slots(session):
    session.refresh_from_db()
    return session_slots(session, after=FAR_PAST, before=FAR_FUTURE)


def _update(world, session, **changes):
    session.refresh_from_db()
    fields = {
        "title": session.title,
        "cycles": list(session.cycles.all()),
        "facilitator": session.facilitator,
        "timezone": session.timezone,
        "starts_at": session.starts_at,
        "duration_minutes": session.duration_minutes,
        "rrule": session.rrule,
        "reminder_leads": session.reminder_leads,
    }
    fields.update(changes)
    return services.session_update(
        workspace=world.workspace, session=session, by=world.facilitator, **fields
    )


def _common(world, session):
    return {"workspace": world.workspace, "session": session, "by": world.facilitator}


def test_a_new_first_day_carries_changes_by_position(world):
    session = world.session  # weekly, 8 meetings, Mondays at 10:00 UTC (London)
    with tenant_scope(workspace_id=world.workspace.pk):
        before = _slots(session)
        services.occurrence_cancel(
            **_common(world, session), original_start=before[2].original_start
        )
        moved_to = before[3].starts_at + dt.timedelta(days=1, hours=2)
        services.occurrence_move(
            **_common(world, session), original_start=before[3].original_start, starts_at=moved_to
        )
        _update(world, session, starts_at=session.starts_at + dt.timedelta(days=2))  # Wednesdays
        after = _slots(session)

    assert len(after) == 8
    assert after[2].cancelled
    assert after[2].original_start == before[2].original_start + dt.timedelta(days=2)
    assert [s.starts_at for s in after if s.occurrence and not s.cancelled] == [moved_to]
    assert sum(s.cancelled for s in after) == 1


def test_places_may_swap_when_the_series_shifts_by_its_own_rhythm(world):
    session = world.session
    with tenant_scope(workspace_id=world.workspace.pk):
        before = _slots(session)
        for slot in before[1:3]:
            services.occurrence_cancel(
                **_common(world, session), original_start=slot.original_start
            )
        _update(world, session, starts_at=session.starts_at + dt.timedelta(weeks=1))
        rows = sorted(Occurrence.objects.filter(session=session).values_list("original_start"))

    # The second and third meetings of the new series: one week later each.
    assert rows == [(before[2].original_start,), (before[3].original_start,)]


def test_a_single_meeting_moved_then_rescheduled_is_at_its_new_time(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        session = _update(world, world.session, rrule="")
        [slot] = _slots(session)
        services.occurrence_move(
            **_common(world, session),
            original_start=slot.original_start,
            starts_at=slot.starts_at + dt.timedelta(hours=1),
        )
        later = session.starts_at + dt.timedelta(days=3)
        _update(world, session, starts_at=later)
        [meeting] = _slots(session)
    assert meeting.starts_at == later
    assert meeting.original_start == later


def test_a_lighter_rhythm_drops_changes_that_lost_their_day_but_keeps_held_meetings(world):
    session = world.session
    with tenant_scope(workspace_id=world.workspace.pk):
        before = _slots(session)
        services.occurrence_cancel(
            **_common(world, session), original_start=before[3].original_start
        )
        services.occurrence_move(
            **_common(world, session),
            original_start=before[5].original_start,
            starts_at=before[5].starts_at + dt.timedelta(hours=3),
        )
        services.attendance_set(
            workspace=world.workspace, slot=before[1], by=world.facilitator, attended_ids=[]
        )
        services.occurrence_cancel(
            **_common(world, session), original_start=before[4].original_start
        )
        services.session_lighten(
            workspace=world.workspace,
            session=session,
            by=world.facilitator,
            rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=4",
        )
        after = _slots(session)
        rows = {o.original_start: o for o in Occurrence.objects.filter(session=session)}

    # Weeks 0, 2, 4 and 6 remain; week 4 stays cancelled; weeks 3 and 5 lost their day and
    # nothing was recorded at them; week 1 was held, so it stays where it was.
    assert set(rows) == {before[1].original_start, before[4].original_start}
    assert [s.starts_at for s in after if not s.cancelled] == [
        before[0].starts_at,
        before[1].starts_at,
        before[2].starts_at,
        before[6].starts_at,
    ]


def test_a_first_meeting_the_rule_would_skip_is_refused(world):
    """Calendars count the first meeting as the series' first; the product would skip it."""
    with tenant_scope(workspace_id=world.workspace.pk), pytest.raises(ValidationError) as error:
        _update(world, world.session, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=3")  # it starts on a Monday
    assert "not on a day this rule gives" in error.value.message_dict["rrule"][0]
