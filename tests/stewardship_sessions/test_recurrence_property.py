"""Recurrence across daylight-saving changes, property-based: a series keeps its wall-clock
time in its own zone whatever the clocks do; a meeting whose time does not exist that day (the
spring gap) moves forward by the gap; one whose time happens twice (the autumn fold) takes the
first; and any window of the series reads the same meetings as the whole series."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from stewardship.sessions.recurrence import all_series_starts, series_starts

UTC = dt.UTC
ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Pacific/Auckland", "UTC"]


def _exists(wall: dt.datetime, tz: ZoneInfo) -> bool:
    """Whether a wall-clock time happens in `tz` (it is not in a spring-forward gap)."""
    there = wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return there == wall


@st.composite
def series(draw):
    tz_name = draw(st.sampled_from(ZONES), label="zone")
    day = dt.date(2026, 1, 1) + dt.timedelta(days=draw(st.integers(0, 730), label="day"))
    # Hours around the changes (01:00-03:00 local) often, any hour sometimes.
    hour = draw(st.one_of(st.integers(0, 3), st.integers(0, 23)), label="hour")
    minute = draw(st.sampled_from([0, 15, 30, 45]), label="minute")
    freq, step = draw(st.sampled_from([("DAILY", 1), ("WEEKLY", 7)]), label="freq")
    interval = draw(st.integers(1, 3), label="interval")
    count = draw(st.integers(1, 120), label="count")
    wall = dt.datetime.combine(day, dt.time(hour, minute))
    tz = ZoneInfo(tz_name)
    starts_at = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    rule = f"FREQ={freq};INTERVAL={interval};COUNT={count}"
    return tz_name, wall, starts_at, rule, step * interval, count


@settings(max_examples=300, deadline=None)
@given(series())
def test_a_series_keeps_its_wall_clock_time_across_the_changes(case):
    tz_name, first_wall, starts_at, rule, days_apart, count = case
    tz = ZoneInfo(tz_name)
    first_wall = starts_at.astimezone(tz).replace(tzinfo=None)  # a gap start moved forward
    starts = all_series_starts(starts_at=starts_at, timezone=tz_name, rule=rule)

    assert len(starts) == count
    assert all(s.tzinfo is not None and s.utcoffset() == dt.timedelta(0) for s in starts)
    assert starts == sorted(set(starts)), "meetings in order, none twice"
    for i, start in enumerate(starts):
        wall = first_wall + dt.timedelta(days=days_apart * i)
        local = start.astimezone(tz)
        if _exists(wall, tz):
            assert local.replace(tzinfo=None) == wall  # the same wall-clock time
            # In a fold, the first of the two: the earlier instant.
            assert start == wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
        else:
            # In the gap: moved forward by the gap, to the first time that exists.
            gap = local.utcoffset() - (local - dt.timedelta(hours=3)).utcoffset()
            assert gap > dt.timedelta(0)
            assert local.replace(tzinfo=None) == wall + gap


@settings(max_examples=150, deadline=None)
@given(series(), st.integers(-5, 900), st.integers(0, 900))
def test_any_window_reads_the_same_meetings_as_the_whole_series(case, from_day, length):
    tz_name, _wall, starts_at, rule, _days, _count = case
    whole = all_series_starts(starts_at=starts_at, timezone=tz_name, rule=rule)
    after = starts_at + dt.timedelta(days=from_day, hours=from_day % 24)
    before = after + dt.timedelta(days=length, minutes=length)
    window = series_starts(
        starts_at=starts_at, timezone=tz_name, rule=rule, after=after, before=before
    )
    assert window == [s for s in whole if after <= s < before]


def test_the_spring_gap_and_the_autumn_fold_in_london():
    """The cases the properties cover, written out: 01:30 daily over London's changes."""
    london = ZoneInfo("Europe/London")
    spring = dt.datetime(2026, 3, 28, 1, 30, tzinfo=london).astimezone(UTC)
    days = all_series_starts(starts_at=spring, timezone="Europe/London", rule="FREQ=DAILY;COUNT=3")
    # 28 March 01:30 GMT; 29 March 01:30 does not exist, so 02:30 BST; 30 March 01:30 BST.
    assert days == [
        dt.datetime(2026, 3, 28, 1, 30, tzinfo=UTC),
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        dt.datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
    ]
    autumn = dt.datetime(2026, 10, 24, 1, 30, tzinfo=london).astimezone(UTC)
    days = all_series_starts(starts_at=autumn, timezone="Europe/London", rule="FREQ=DAILY;COUNT=3")
    # 25 October 01:30 happens twice: the first (BST, 00:30 UTC) is the meeting.
    assert days == [
        dt.datetime(2026, 10, 24, 0, 30, tzinfo=UTC),
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        dt.datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]
