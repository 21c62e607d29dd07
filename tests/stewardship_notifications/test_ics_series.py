"""Calendars tell the same truth as the product when a series changes (issue 11 §6).

Regression tests for the two findings, then a property test: random series across
daylight-saving changes, random moves, cancellations and changes of the series through the real
services, and the .ics expanded by an independent expander (recurring-ical-events), read with
the reader's time-zone database and with the embedded VTIMEZONE only, always gives the
product's own meetings, as UTC instants."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from hls.tenancy.context import tenant_scope
from stewardship.models import Occurrence
from stewardship.notifications.ics import feed_calendar, session_calendar
from stewardship.sessions import repeat, services
from stewardship.sessions.recurrence import session_slots

from .calendars import (
    FAR_FUTURE,
    FAR_PAST,
    block_meetings,
    calendar_meetings,
    change_series,
    make_series,
    product_meetings,
)

pytestmark = pytest.mark.django_db

ZONES = ["Europe/London", "America/New_York", "Australia/Sydney"]


def _ics(session) -> bytes:
    with tenant_scope(workspace_id=session.workspace_id):
        session.refresh_from_db()
        return session_calendar(session, method="REQUEST")


def _next_monday(hour: int, tz: str) -> dt.datetime:
    today = timezone.now().astimezone(ZoneInfo(tz)).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return repeat.local_to_utc(monday, dt.time(hour, 0), tz)


def _slots(session):
    with tenant_scope(workspace_id=session.workspace_id):
        session.refresh_from_db()
        return session_slots(session, after=FAR_PAST, before=FAR_FUTURE)


def test_a_moved_meeting_appears_once_after_the_series_time_changes(world):
    """Finding (a), moved: its RECURRENCE-ID followed the series, so it is not shown twice."""
    session = make_series(
        world,
        timezone="Europe/London",
        starts_at=_next_monday(10, "Europe/London"),
        rrule="FREQ=WEEKLY;COUNT=6",
    )
    third = _slots(session)[2]
    moved_to = third.starts_at + dt.timedelta(days=2, hours=3)
    with tenant_scope(workspace_id=world.workspace.pk):
        services.occurrence_move(
            workspace=world.workspace,
            session=session,
            by=world.fay,
            original_start=third.original_start,
            starts_at=moved_to,
        )
    change_series(world, session, starts_at=session.starts_at + dt.timedelta(hours=4))

    data = _ics(session)
    product = product_meetings(session)
    assert len(product) == 6
    assert product.count(moved_to) == 1
    assert calendar_meetings(data) == product
    assert block_meetings(data) == product
    [moved] = [e for e in Calendar.from_ical(data).walk("VEVENT") if "RECURRENCE-ID" in e]
    local_third = third.original_start.astimezone(ZoneInfo("Europe/London"))
    assert moved["RECURRENCE-ID"].dt.date() == local_third.date()
    assert moved["RECURRENCE-ID"].dt.hour == 14  # the new time of the series


def test_a_cancelled_meeting_stays_cancelled_after_the_series_time_changes(world):
    """Finding (a), cancelled: its EXDATE followed the series, so it does not come back."""
    session = make_series(
        world,
        timezone="America/New_York",
        starts_at=_next_monday(9, "America/New_York"),
        rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=5",
    )
    second = _slots(session)[1]
    with tenant_scope(workspace_id=world.workspace.pk):
        services.occurrence_cancel(
            workspace=world.workspace,
            session=session,
            by=world.fay,
            original_start=second.original_start,
        )
    change_series(world, session, starts_at=session.starts_at + dt.timedelta(minutes=90))

    data = _ics(session)
    product = product_meetings(session)
    assert len(product) == 4
    assert all(start.date() != second.starts_at.date() for start in product)
    assert calendar_meetings(data) == product
    master = next(e for e in Calendar.from_ical(data).walk("VEVENT") if "RRULE" in e)
    [exdate] = [d.dt for d in master["EXDATE"].dts]
    assert (exdate.hour, exdate.minute) == (10, 30)


def test_the_time_zone_block_covers_a_long_series(world):
    """Finding (b): 72 monthly meetings, six years, all placed right by the block alone."""
    start = _next_monday(10, "Europe/London")
    first_day = start.astimezone(ZoneInfo("Europe/London")).date()
    rule = f"FREQ=MONTHLY;BYDAY={repeat.nth_weekday(first_day)};COUNT=72"
    session = make_series(world, timezone="Europe/London", starts_at=start, rrule=rule)

    data = _ics(session)
    product = product_meetings(session)
    assert len(product) == 72
    assert calendar_meetings(data) == product
    assert block_meetings(data) == product
    with tenant_scope(workspace_id=world.workspace.pk):
        feed = feed_calendar(workspace=world.workspace, user=world.fay.user)
    assert set(product) <= set(calendar_meetings(feed))
    assert block_meetings(feed) == calendar_meetings(feed)


def test_a_held_meeting_is_never_lost_when_the_rule_changes(world):
    """A meeting with attendance whose day the new rule skips stays, on the pages and in the
    calendar (an RDATE of the same series); one with nothing recorded is dropped."""
    session = make_series(
        world,
        timezone="Australia/Sydney",
        starts_at=_next_monday(18, "Australia/Sydney"),
        rrule="FREQ=WEEKLY;COUNT=8",
    )
    slots = _slots(session)
    with tenant_scope(workspace_id=world.workspace.pk):
        services.attendance_set(
            workspace=world.workspace, slot=slots[1], by=world.fay, attended_ids=[]
        )
        services.occurrence_cancel(
            workspace=world.workspace,
            session=session,
            by=world.fay,
            original_start=slots[3].original_start,
        )
    change_series(world, session, rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=4")

    with tenant_scope(workspace_id=world.workspace.pk):
        rows = list(Occurrence.objects.filter(session=session))
    assert [(r.original_start, r.held_at is not None) for r in rows] == [
        (slots[1].original_start, True)
    ]
    product = product_meetings(session)
    assert product == sorted(
        [slots[0].starts_at, slots[1].starts_at, *(s.starts_at for s in slots[2::2][:3])]
    )
    data = _ics(session)
    assert calendar_meetings(data) == product
    assert block_meetings(data) == product


# The property ---------------------------------------------------------------------------------

REPEATS = [repeat.WEEKLY, repeat.FORTNIGHTLY, repeat.FOUR_WEEKLY, repeat.MONTHLY_WEEKDAY]


def _rule_for(data, first_day: dt.date) -> str:
    kind = data.draw(st.sampled_from(REPEATS), label="repeat")
    if data.draw(st.booleans(), label="ends by count"):
        count = data.draw(st.integers(2, 40), label="count")
        return repeat.build_rule(repeat=kind, local_start=first_day, count=count)
    until = first_day + dt.timedelta(days=data.draw(st.integers(20, 365 * 7), label="days"))
    return repeat.build_rule(repeat=kind, local_start=first_day, end=repeat.END_UNTIL, until=until)


def _same_choice(rule: str, was: dt.date, now: dt.date) -> str:
    """The rule the repeat picker writes for the same choice from another first day."""
    choice = repeat.read_rule(rule, was)
    return repeat.build_rule(
        repeat=choice.repeat,
        local_start=now,
        end=choice.end,
        count=choice.count,
        until=choice.until,
        advanced=choice.advanced,
    )


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("move"), st.integers(0, 60), st.integers(-40, 40), st.sampled_from([0, 30])
        ),
        st.tuples(st.just("cancel"), st.integers(0, 60)),
        st.tuples(st.just("hold"), st.integers(0, 60)),
        st.tuples(st.just("time"), st.integers(7, 19), st.sampled_from([0, 15, 45])),
        st.tuples(st.just("day"), st.integers(-3, 40)),
        st.tuples(st.just("rule")),
        st.tuples(st.just("zone"), st.sampled_from(ZONES)),
    ),
    min_size=1,
    max_size=7,
)


def _apply(world, session, operation, data) -> None:
    with tenant_scope(workspace_id=world.workspace.pk):
        session.refresh_from_db()
        tz = ZoneInfo(session.timezone)
        local = session.starts_at.astimezone(tz)
        slots = [
            s for s in session_slots(session, after=FAR_PAST, before=FAR_FUTURE) if not s.cancelled
        ]
        name, *args = operation
        common = {"workspace": world.workspace, "session": session, "by": world.fay}
        if name in ("move", "cancel", "hold"):
            if not slots:
                return
            slot = slots[args[0] % len(slots)]
            if name == "move":
                to = slot.starts_at + dt.timedelta(hours=args[1], minutes=args[2])
                if not 7 <= to.astimezone(tz).hour <= 20:
                    return  # meetings happen by day, away from the clock changes at night
                services.occurrence_move(**common, original_start=slot.original_start, starts_at=to)
            elif name == "cancel":
                services.occurrence_cancel(**common, original_start=slot.original_start)
            else:
                services.attendance_set(
                    workspace=world.workspace, slot=slot, by=world.fay, attended_ids=[]
                )
            return
    if name == "time":
        starts_at = repeat.local_to_utc(local.date(), dt.time(args[0], args[1]), session.timezone)
        change_series(world, session, starts_at=starts_at)
    elif name == "day":
        day = local.date() + dt.timedelta(days=args[0])
        change_series(
            world,
            session,
            starts_at=repeat.local_to_utc(day, local.time(), session.timezone),
            rrule=_same_choice(session.rrule, local.date(), day),
        )
    elif name == "rule":
        change_series(world, session, rrule=_rule_for(data, local.date()))
    else:  # the form keeps the wall-clock time and reads it in the new zone
        starts_at = repeat.local_to_utc(local.date(), local.time(), args[0])
        change_series(world, session, timezone=args[0], starts_at=starts_at)


@dataclass(frozen=True)
class Seen:
    """What the product shows of a series: its meetings, the moved ones, the cancelled ones."""

    meetings: list[dt.datetime]
    moved: set[dt.datetime]
    cancelled_days: list[dt.date]
    counted: bool  # the series ends after a number of meetings (not on a date)

    @classmethod
    def of(cls, session) -> Seen:
        slots = _slots(session)
        tz = ZoneInfo(session.timezone)
        return cls(
            meetings=sorted(s.starts_at for s in slots if not s.cancelled),
            moved={
                s.starts_at
                for s in slots
                if s.occurrence and not s.cancelled and s.starts_at != s.original_start
            },
            cancelled_days=sorted(s.starts_at.astimezone(tz).date() for s in slots if s.cancelled),
            counted="COUNT" in session.rrule,
        )


def _carried(operation: tuple, before: Seen, after: Seen) -> None:
    """The series' own changes went along with it: a new time of day or zone keeps every day,
    so the same days are cancelled; a new first day keeps every position, so as many are."""
    name = operation[0]
    if name in ("time", "zone") or (name == "day" and before.counted):
        assert len(after.meetings) == len(before.meetings)
        assert before.moved <= set(after.meetings), "a moved meeting was lost"
        assert len(after.cancelled_days) == len(before.cancelled_days)
    if name in ("time", "zone"):
        assert after.cancelled_days == before.cancelled_days


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_calendars_show_the_products_meetings(world, data):
    tz = data.draw(st.sampled_from(ZONES), label="zone")
    today = timezone.now().astimezone(ZoneInfo(tz)).date()
    first_day = today + dt.timedelta(days=data.draw(st.integers(1, 400), label="in days"))
    at = dt.time(data.draw(st.integers(7, 19), label="hour"), data.draw(st.sampled_from([0, 30])))
    rule = _rule_for(data, first_day)
    operations = data.draw(OPERATIONS, label="operations")
    with transaction.atomic():
        session = make_series(
            world, timezone=tz, starts_at=repeat.local_to_utc(first_day, at, tz), rrule=rule
        )
        held: set[int] = set()
        for operation in operations:
            # A change may be refused beside the field (a time in the past, a rule with no
            # meeting): then nothing changed, and the calendar must still agree.
            before = Seen.of(session)
            with contextlib.suppress(ValidationError):
                _apply(world, session, operation, data)
            _carried(operation, before, Seen.of(session))
            with tenant_scope(workspace_id=world.workspace.pk):
                now_held = set(
                    Occurrence.objects.filter(session=session, held_at__isnull=False).values_list(
                        "pk", flat=True
                    )
                )
            assert held <= now_held, "a held meeting was lost"
            held = now_held

            product = product_meetings(session)
            ics = _ics(session)
            assert calendar_meetings(ics) == product
            assert block_meetings(ics) == product
        with tenant_scope(workspace_id=world.workspace.pk):
            feed = feed_calendar(workspace=world.workspace, user=world.fay.user)
        assert set(product) <= set(calendar_meetings(feed))
        assert block_meetings(feed) == calendar_meetings(feed)
        transaction.set_rollback(True)
