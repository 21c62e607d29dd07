"""The .ics of a session parses with `icalendar` and says what calendars need."""

import datetime as dt

import pytest
from icalendar import Calendar

from hls.tenancy.context import tenant_scope
from stewardship.models import Session
from stewardship.notifications.ics import feed_calendar, session_calendar
from tests.factories import OccurrenceFactory, SessionFactory, SessionParticipantFactory

from .conftest import LONDON, london

pytestmark = pytest.mark.django_db


def _parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def test_a_series_with_a_cancelled_and_a_moved_meeting(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        OccurrenceFactory(
            workspace=world.workspace,
            session=world.session,
            original_start=london(10),
            starts_at=london(10),
            cancelled=True,
        )
        OccurrenceFactory(
            workspace=world.workspace,
            session=world.session,
            original_start=london(17),
            starts_at=london(18, 14),
        )
        Session.objects.filter(pk=world.session.pk).update(sequence=3)
        world.session.refresh_from_db()
        calendar = _parse(session_calendar(world.session, method="REQUEST"))

    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    master, moved = calendar.walk("VEVENT")
    assert str(master["UID"]) == str(world.session.uid)
    assert master["SEQUENCE"] == 3
    assert master["DTSTART"].params["TZID"] == "Europe/London"
    assert master["DTSTART"].dt == london(3).astimezone(LONDON)
    assert master["DTSTART"].dt.hour == 10
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]
    assert master["RRULE"]["COUNT"] == [6]
    assert [d.dt for d in master["EXDATE"].dts] == [london(10).astimezone(LONDON)]
    assert moved["RECURRENCE-ID"].dt == london(17).astimezone(LONDON)
    assert moved["DTSTART"].dt == london(18, 14).astimezone(LONDON)
    assert str(moved["UID"]) == str(world.session.uid)
    attendees = {str(a) for a in master["ATTENDEE"]}
    assert attendees == {
        "mailto:pat2@riverside.test",
        "mailto:sam@riverside.test",
        "mailto:gita@example.org",
    }
    assert str(master["ORGANIZER"]) == "mailto:fay@riverside.test"
    assert master["LOCATION"] == "Room 2, Riverside Hub"


def test_a_cancellation(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        data = session_calendar(world.session, method="CANCEL")
    calendar = _parse(data)
    assert calendar["METHOD"] == "CANCEL"
    assert {str(e["STATUS"]) for e in calendar.walk("VEVENT")} == {"CANCELLED"}


def test_a_single_meeting_in_another_zone_with_a_local_until_rule(world):
    start = dt.datetime(2031, 3, 3, 15, 0, tzinfo=dt.UTC)
    with tenant_scope(workspace_id=world.workspace.pk):
        single = SessionFactory(
            workspace=world.workspace, starts_at=start, timezone="America/New_York", rrule=""
        )
        SessionParticipantFactory(workspace=world.workspace, session=single)
        calendar = _parse(session_calendar(single, method="REQUEST"))
        [event] = calendar.walk("VEVENT")
        assert event["DTSTART"].params["TZID"] == "America/New_York"
        assert "RRULE" not in event
        single.rrule = "FREQ=WEEKLY;UNTIL=20310401T100000"
        single.save()
        event = _parse(session_calendar(single, method="REQUEST")).walk("VEVENT")[0]
    until = event["RRULE"]["UNTIL"][0]
    assert until.tzinfo is not None
    assert until.utcoffset() == dt.timedelta(0)


def test_the_feed_has_the_sessions_i_take_part_in_or_facilitate(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        SessionFactory(workspace=world.workspace, title="Not mine")
        mine = _parse(feed_calendar(workspace=world.workspace, user=world.pat.user))
        hers = _parse(feed_calendar(workspace=world.workspace, user=world.fay.user))
    assert [str(e["SUMMARY"]) for e in mine.walk("VEVENT")] == ["Team sense-making"]
    assert [str(e["SUMMARY"]) for e in hers.walk("VEVENT")] == ["Team sense-making"]
    assert "METHOD" not in mine
    assert str(mine["X-WR-CALNAME"]).startswith("Riverside Partnership")
