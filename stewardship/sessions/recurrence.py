"""When a session meets: RFC 5545 recurrence read in the session's own time zone.

A rule is expanded over *local wall-clock* times (so "every other Tuesday at 10:00" stays at
10:00 when the clocks change) and each local time is then placed in the time zone. A local time
that does not exist (in the spring-forward gap) moves forward by the gap; an ambiguous one (in
the autumn fold) takes its first instance. Everything returned is an aware UTC datetime.
"""

from __future__ import annotations

from calendar import isleap
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser
from dateutil.rrule import rrule, rrulestr
from django.core.exceptions import ValidationError

from stewardship.models import Occurrence, Session

# A series is planned, not endless: it must end, and within this many meetings.
MAX_OCCURRENCES = 520
# How far an endless rule (only possible in data written before rules had to end) is read when
# the whole series is needed: carrying meetings along a change, a calendar's time-zone block.
ENDLESS_LIMIT = 2 * MAX_OCCURRENCES
# ... and within this many years of its first meeting: a rule is never read further than that
# when it is checked (FREQ=DAILY;UNTIL=99991231 or a rule no day fits would take seconds).
SERIES_YEARS = 10
# Sense-making meets at most daily: a rule repeating hourly or faster is refused.
_MORE_THAN_DAILY = {"HOURLY", "MINUTELY", "SECONDLY"}
UNREADABLE = "This repeat rule cannot be read. Example: FREQ=WEEKLY;INTERVAL=2;COUNT=10."


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError({"timezone": f"“{name}” is not a time zone we know."}) from error


def _place(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive local time as an aware UTC time. With fold=0 (PEP 495) a time in the gap is read
    with the offset before the change, so it moves forward; a time in the fold comes first."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _rule(rule: str, local_start: datetime) -> rrule:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    try:
        parsed = rrulestr(text, dtstart=local_start, forceset=False, ignoretz=True)
    except (ValueError, TypeError, OverflowError) as error:
        raise _refused(UNREADABLE) from error
    if not isinstance(parsed, rrule):
        raise ValidationError({"rrule": "Give one repeat rule (RRULE), nothing else."})
    return parsed


def validate_rule(*, starts_at: datetime, timezone: str, rule: str) -> None:
    """Raise a ValidationError, keyed by field, unless the rule repeats at most daily, ends
    within SERIES_YEARS of its first meeting and within MAX_OCCURRENCES meetings, and gives the
    first meeting first. Every rule is read over that bounded stretch only, never to its end (a
    rule like FREQ=DAILY;UNTIL=99991231 or one no date fits answers as fast as a weekly one)."""
    tz = zone(timezone)
    if not rule.strip():
        return
    local_start = starts_at.astimezone(tz).replace(tzinfo=None, microsecond=0)
    parts = _parts(rule)
    if parts.keys() >= {"COUNT", "UNTIL"}:  # RFC 5545 forbids it; dateutil would warn
        raise _refused("Give a number of meetings or a last date, not both.")
    parsed = _rule(rule, local_start)
    if not parts.keys() & {"COUNT", "UNTIL"}:
        raise _refused("A series must end: give a number of meetings or a last date.")
    if parts.get("FREQ") in _MORE_THAN_DAILY:
        raise _refused("Meetings repeat at most once a day: use DAILY, WEEKLY, MONTHLY or YEARLY.")
    if "BYEASTER" in parts:
        raise _refused(UNREADABLE)  # not RFC 5545: calendars would not read it
    if parts.keys() & {"BYHOUR", "BYMINUTE", "BYSECOND"}:
        raise _refused(
            "Meetings repeat at most once a day, at the first meeting's time: leave out BYHOUR, "
            "BYMINUTE and BYSECOND."
        )
    if not parts.get("INTERVAL", "1").isdigit() or int(parts.get("INTERVAL", "1")) < 1:
        raise _refused("INTERVAL must be a whole number from 1 up (1 means every time).")
    horizon = _years_after(local_start, SERIES_YEARS)
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    if count is not None and count < 1:
        raise _refused("This rule gives no meeting at all: give a COUNT of 1 or more.")
    if count is not None and count > MAX_OCCURRENCES:
        raise _refused(f"That is more than {MAX_OCCURRENCES} meetings: end the series sooner.")
    last = horizon if count is not None else _last_date(parts["UNTIL"])
    if last > horizon:
        raise _refused(
            f"The last date is more than {SERIES_YEARS} years after the first meeting: end the "
            "series sooner."
        )
    # dateutil reads a rule no day fits on to the year 9999 before it gives up (seconds), so
    # the rule is read in late years with the same calendar: the same meetings, a shift apart.
    shift = _late_twin_shift(local_start, horizon)
    try:
        there = parsed.replace(dtstart=local_start + shift, count=None, until=last + shift)
        meetings = list(islice(there, MAX_OCCURRENCES + 1 if count is None else count))
        first = meetings[0] if meetings else next(iter(there.replace(until=horizon + shift)), None)
    except (ValueError, OverflowError) as error:  # a day past year 9999, or out of range
        raise _refused(UNREADABLE) from error
    if first is None:
        raise _refused(
            f"This rule never meets: no day in the {SERIES_YEARS} years from the first meeting "
            "fits it. Check its days and months."
        )
    if not meetings:
        raise _refused("This rule gives no meeting at all: check its end.")
    if meetings[0] != local_start + shift:
        # Calendars count the first meeting as the series' first (RFC 5545 leaves any other
        # case undefined), so a first meeting the rule would skip shows on some calendars only.
        raise _refused(
            "The first meeting is not on a day this rule gives: start the series on one of its "
            "days, or change the rule."
        )
    if len(meetings) > MAX_OCCURRENCES:
        raise _refused(f"That is more than {MAX_OCCURRENCES} meetings: end the series sooner.")
    if count is not None and len(meetings) < count:
        raise _refused(
            f"That series runs on for more than {SERIES_YEARS} years: end it sooner, with "
            "fewer meetings."
        )


def _refused(message: str) -> ValidationError:
    return ValidationError({"rrule": message})


def _years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment + timedelta(days=365 * years + years // 4 + 1)
    except OverflowError:
        return datetime.max


def _calendar(year: int) -> tuple[int, bool]:
    return date(year, 1, 1).weekday(), isleap(year)


def _late_twin_shift(first: datetime, last: datetime) -> timedelta:
    """How far to move [first, last] so it falls in the latest years before 9999 whose
    calendars (each year's first weekday and length, and the years either side, for week
    numbers) are those of its own years. A rule read there gives the same meetings, moved by
    that many days, and dateutil reads at most a few decades past them (the Gregorian calendar
    repeats every 400 years, and mostly every 28)."""
    if first.year <= MINYEAR or last.year >= MAXYEAR - 1:
        return timedelta(0)
    span = last.year - first.year
    pattern = [_calendar(year) for year in range(first.year - 1, last.year + 2)]
    for year in range(MAXYEAR - 1 - span, first.year, -1):
        if [_calendar(y) for y in range(year - 1, year + span + 2)] == pattern:
            return date(year, 1, 1) - date(first.year, 1, 1)
    return timedelta(0)


def _last_date(value: str) -> datetime:
    """UNTIL as the rule reads it: dateutil's own parser, the time zone ignored (the rule has
    been read already, so this reads)."""
    return dateutil_parser.parse(value, ignoretz=True)


def series_starts(
    *, starts_at: datetime, timezone: str, rule: str, after: datetime, before: datetime
) -> list[datetime]:
    """Starts of the series (UTC) with after <= start < before, with no stored overrides."""
    tz = zone(timezone)
    local_start = starts_at.astimezone(tz).replace(tzinfo=None)
    if not rule.strip():
        candidates = [local_start]
    else:
        # A day's margin either side, as the window is in UTC and the rule in local time.
        window_from = after.astimezone(tz).replace(tzinfo=None) - timedelta(days=1)
        window_to = before.astimezone(tz).replace(tzinfo=None) + timedelta(days=1)
        candidates = _rule(rule, local_start).between(window_from, window_to, inc=True)
    return [start for local in candidates if after <= (start := _place(local, tz)) < before]


def all_series_starts(*, starts_at: datetime, timezone: str, rule: str) -> list[datetime]:
    """Every start of the series (UTC), in order, with no stored overrides. A rule that does
    not end is read for its first ENDLESS_LIMIT meetings."""
    tz = zone(timezone)
    local_start = starts_at.astimezone(tz).replace(tzinfo=None)
    if not rule.strip():
        return [_place(local_start, tz)]
    return [_place(local, tz) for local in islice(_rule(rule, local_start), ENDLESS_LIMIT)]


def series_ends(rule: str) -> bool:
    """Whether a rule ends (has a COUNT or an UNTIL); a single meeting ends."""
    return not rule.strip() or bool({"COUNT", "UNTIL"} & _names(rule))


def _names(rule: str) -> set[str]:
    return set(_parts(rule))


def _parts(rule: str) -> dict[str, str]:
    """A rule's parts by name (upper case, stripped; the last of a repeated name)."""
    pieces = rule.strip().upper().removeprefix("RRULE:").split(";")
    return {
        name.strip(): value.strip()
        for name, _eq, value in (piece.partition("=") for piece in pieces)
    }


@dataclass(frozen=True)
class Slot:
    """One meeting of a session as people see it: where it sits in the series
    (`original_start`) and when it actually is, with its stored row if it has one."""

    session: Session
    original_start: datetime
    starts_at: datetime
    cancelled: bool
    occurrence: Occurrence | None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.session.duration_minutes)

    @property
    def key(self) -> str:
        """A stable name for the slot in URLs and idempotency keys (its original start)."""
        return self.original_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_slot_key(key: str) -> datetime:
    try:
        return datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError as error:
        raise ValueError(f"not a slot key: {key!r}") from error


def kept_as_history(occurrence: Occurrence) -> bool:
    """A stored meeting whose place left the series (its time or rule changed after it was
    held) is still shown, where it was, when it was held and not cancelled: it happened."""
    return occurrence.held_at is not None and not occurrence.cancelled


def _in_series(session: Session, original_start: datetime) -> bool:
    return bool(
        series_starts(
            starts_at=session.starts_at,
            timezone=session.timezone,
            rule=session.rrule,
            after=original_start,
            before=original_start + timedelta(seconds=1),
        )
    )


def session_slots(
    session: Session,
    *,
    after: datetime,
    before: datetime,
    overrides: list[Occurrence] | None = None,
) -> list[Slot]:
    """The session's meetings that *actually start* in [after, before), moved ones included,
    sorted by start. Cancelled meetings are included (with `cancelled=True`) so callers can say
    so. Held meetings that left the series are included too (see `kept_as_history`). Pass
    `overrides` (the session's stored occurrences) to avoid a query."""
    stored = list(session.occurrences.all()) if overrides is None else overrides
    by_original = {o.original_start: o for o in stored}
    # A stored occurrence may have moved into the window from outside it, or out of it.
    margin = timedelta(days=366)
    read_from, read_to = (after - margin, before + margin) if stored else (after, before)
    originals = set(
        series_starts(
            starts_at=session.starts_at,
            timezone=session.timezone,
            rule=session.rrule,
            after=read_from,
            before=read_to,
        )
    )
    session_cancelled = session.status == Session.Status.CANCELLED
    slots = []
    for original in originals:
        occurrence = by_original.get(original)
        starts_at = occurrence.starts_at if occurrence else original
        if not after <= starts_at < before:
            continue
        cancelled = session_cancelled or bool(occurrence and occurrence.cancelled)
        slots.append(Slot(session, original, starts_at, cancelled, occurrence))
    for occurrence in stored:
        original = occurrence.original_start
        if (
            original in originals
            or not kept_as_history(occurrence)
            or not after <= occurrence.starts_at < before
            or (not read_from <= original < read_to and _in_series(session, original))
        ):
            continue
        slots.append(Slot(session, original, occurrence.starts_at, session_cancelled, occurrence))
    return sorted(slots, key=lambda slot: slot.starts_at)


def slot_at(session: Session, original_start: datetime) -> Slot | None:
    """The slot whose place in the series is `original_start` (or a held meeting that left the
    series, kept at that place), or None if there is none."""
    in_series = _in_series(session, original_start)
    occurrence = session.occurrences.filter(original_start=original_start).first()
    if not in_series and (occurrence is None or not kept_as_history(occurrence)):
        return None
    starts_at = occurrence.starts_at if occurrence else original_start
    cancelled = session.status == Session.Status.CANCELLED or bool(
        occurrence and occurrence.cancelled
    )
    return Slot(session, original_start, starts_at, cancelled, occurrence)
