"""A repeat rule is checked over a bounded stretch, never read to its end: rules that once took
seconds (a meeting every second, a last date in the year 9999, a day no calendar has) are
refused at once with a message saying what to change; a rule that does meet still gives the
same meetings, however far ahead its first one is.

The check reads a rule in the latest years before 9999 whose calendar is its own (dateutil
reads a rule no day fits on to the year 9999 before it gives up), so the shift itself is tested:
every day of the stretch keeps its month, day, weekday and week number."""

import datetime as dt

import pytest
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from stewardship.sessions.recurrence import (
    MAX_OCCURRENCES,
    SERIES_YEARS,
    _late_twin_shift,
    validate_rule,
)

UTC = dt.UTC
START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # a Monday


def _refusal(rule: str, starts_at: dt.datetime = START) -> str:
    with pytest.raises(ValidationError) as error:
        validate_rule(starts_at=starts_at, timezone="Europe/London", rule=rule)
    [message] = error.value.message_dict["rrule"]
    return message


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "rule", ["FREQ=SECONDLY;COUNT=999999", "FREQ=SECONDLY;UNTIL=20270101T000000Z"]
)
def test_a_rule_more_often_than_daily_is_refused_without_reading_it(rule):
    assert _refusal(rule) == (
        "Meetings repeat at most once a day: use DAILY, WEEKLY, MONTHLY or YEARLY."
    )


@pytest.mark.timeout(10)
def test_a_rule_no_day_fits_says_it_never_meets():
    assert _refusal("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31;COUNT=5") == (
        f"This rule never meets: no day in the {SERIES_YEARS} years from the first meeting "
        "fits it. Check its days and months."
    )


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;UNTIL=20300101",
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=3",  # every 7 days from a Monday: never a Tuesday
        "FREQ=WEEKLY;BYMONTH=4,6,9,11;BYMONTHDAY=31;COUNT=2",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;COUNT=3",  # next in 2044
    ],
)
def test_other_rules_without_a_meeting_in_reach_say_so(rule):
    assert _refusal(rule).startswith("This rule never meets")


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "FREQ=DAILY;UNTIL=99991231",
            f"The last date is more than {SERIES_YEARS} years after the first meeting",
        ),
        ("FREQ=YEARLY;COUNT=20", f"That series runs on for more than {SERIES_YEARS} years"),
        ("FREQ=WEEKLY;COUNT=600", f"That is more than {MAX_OCCURRENCES} meetings"),
        ("FREQ=DAILY;UNTIL=20300101", f"That is more than {MAX_OCCURRENCES} meetings"),
        ("FREQ=WEEKLY;COUNT=0", "This rule gives no meeting at all"),
        ("FREQ=WEEKLY;UNTIL=20200101", "This rule gives no meeting at all: check its end."),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "Give a number of meetings or a last date"),
        ("FREQ=DAILY;INTERVAL=0;COUNT=3", "INTERVAL must be a whole number from 1 up"),
        ("FREQ=DAILY;BYHOUR=9,10;COUNT=3", "leave out BYHOUR, BYMINUTE and BYSECOND"),
        ("FREQ=YEARLY;BYEASTER=0;COUNT=3", "This repeat rule cannot be read"),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=3", "The first meeting is not on a day this rule gives"),
    ],
)
def test_each_refusal_says_what_to_change(rule, message):
    assert message in _refusal(rule)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;COUNT=520",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;COUNT=12",
        "FREQ=MONTHLY;BYDAY=1MO;COUNT=24",
        "FREQ=MONTHLY;BYMONTHDAY=1;COUNT=10",
        "FREQ=YEARLY;COUNT=10",
        "FREQ=DAILY;COUNT=520",
        "FREQ=DAILY;BYDAY=MO,WE,FR;UNTIL=20280101T000000Z",
        "RRULE:FREQ=WEEKLY;WKST=SU;BYDAY=MO;UNTIL=20360501",
    ],
)
def test_rules_that_meet_within_reach_are_accepted(rule):
    validate_rule(starts_at=START, timezone="Europe/London", rule=rule)


# The shift to the late twin years keeps the calendar ------------------------------------------

RULES = [
    "FREQ=YEARLY;BYWEEKNO=1,53;BYDAY=MO;COUNT=12",
    "FREQ=YEARLY;BYYEARDAY=-1,60;COUNT=12",
    "FREQ=MONTHLY;BYDAY=-1FR;COUNT=30",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=30",
    "FREQ=MONTHLY;BYMONTHDAY=29,30,31;BYSETPOS=1;COUNT=30",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3",
    "FREQ=WEEKLY;INTERVAL=3;WKST=SU;BYDAY=SU,MO;COUNT=40",
    "FREQ=DAILY;INTERVAL=5;BYMONTH=1,7;COUNT=40",
]


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(dt.date(1990, 1, 1), dt.date(2400, 12, 31)),
    rule=st.sampled_from(RULES),
)
def test_a_rule_gives_the_same_meetings_in_its_late_twin_years(day, rule):
    start = dt.datetime.combine(day, dt.time(10, 30))
    horizon = start + dt.timedelta(days=365 * SERIES_YEARS + 4)
    shift = _late_twin_shift(start, horizon)
    assert shift > dt.timedelta(0)
    assert (start + shift).year >= dt.MAXYEAR - SERIES_YEARS - 400
    here = list(rrulestr(rule, dtstart=start))
    there = list(rrulestr(rule, dtstart=start + shift))
    cut = [m for m in here if m <= horizon]
    assert [m - shift for m in there[: len(cut)]] == cut


@settings(max_examples=40, deadline=None)
@given(day=st.dates(dt.date(1600, 1, 1), dt.date(9980, 12, 31)))
def test_every_day_of_the_stretch_keeps_its_date_weekday_and_week(day):
    start = dt.datetime.combine(day, dt.time(0, 0))
    horizon = start + dt.timedelta(days=365 * SERIES_YEARS + 4)
    shift = _late_twin_shift(start, horizon)
    assert (horizon + shift).year < dt.MAXYEAR
    for offset in range(-370, (horizon - start).days + 370, 11):
        here = (start + dt.timedelta(days=offset)).date()
        there = here + shift
        assert (there.month, there.day) == (here.month, here.day)
        assert there.weekday() == here.weekday()
        assert there.isocalendar()[1:] == here.isocalendar()[1:]
