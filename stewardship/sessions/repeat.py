"""The friendly repeat picker, as RFC 5545 rules: build a rule from the picker's choices, read a
rule back into them (so editing shows the current choice), and a lighter rhythm of a rule.

Expansion and validation stay in `recurrence.py`; this module only writes and reads rule text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import UTC

from stewardship.sessions.recurrence import zone

NONE = "none"
WEEKLY = "weekly"
FORTNIGHTLY = "fortnightly"
FOUR_WEEKLY = "four_weekly"
MONTHLY_WEEKDAY = "monthly_weekday"
ADVANCED = "advanced"

END_COUNT = "count"
END_UNTIL = "until"

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_INTERVALS = {WEEKLY: 1, FORTNIGHTLY: 2, FOUR_WEEKLY: 4}


def local_to_utc(day: dt.date, time: dt.time, timezone: str) -> dt.datetime:
    """A wall-clock time in a zone as an aware UTC datetime. A time in the spring-forward gap
    moves forward by the gap (PEP 495 fold=0), as recurrence.py does for every meeting."""
    tz = zone(timezone)
    return dt.datetime.combine(day, time).replace(tzinfo=tz, fold=0).astimezone(UTC)


def nth_weekday(day: dt.date) -> str:
    """BYDAY for "the same weekday of the month" as `day`: +2TU, or -1TU in the last week."""
    n = (day.day - 1) // 7 + 1
    return f"{'-1' if n == 5 else f'+{n}'}{WEEKDAYS[day.weekday()]}"


def build_rule(
    *,
    repeat: str,
    local_start: dt.date,
    end: str = END_COUNT,
    count: int | None = None,
    until: dt.date | None = None,
    advanced: str = "",
) -> str:
    """The RRULE for the picker's choices ("" for a single meeting)."""
    if repeat == NONE:
        return ""
    if repeat == ADVANCED:
        text = advanced.strip()
        return text[6:] if text.upper().startswith("RRULE:") else text
    if repeat == MONTHLY_WEEKDAY:
        parts = ["FREQ=MONTHLY", f"BYDAY={nth_weekday(local_start)}"]
    else:
        parts = ["FREQ=WEEKLY", f"INTERVAL={_INTERVALS[repeat]}"]
    if end == END_UNTIL and until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    elif count is not None:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


def rule_parts(rule: str) -> dict[str, str]:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts: dict[str, str] = {}
    for piece in text.split(";"):
        if "=" in piece:
            name, value = piece.split("=", 1)
            parts[name.strip().upper()] = value.strip().upper()
    return parts


@dataclass(frozen=True)
class RepeatChoice:
    repeat: str
    end: str = END_COUNT
    count: int | None = None
    until: dt.date | None = None
    advanced: str = ""


def read_rule(rule: str, local_start: dt.date) -> RepeatChoice:
    """The picker's choices for a stored rule; rules the picker cannot say are "advanced"."""
    if not rule.strip():
        return RepeatChoice(NONE)
    parts = rule_parts(rule)
    end, count, until = END_COUNT, None, None
    if "COUNT" in parts and parts["COUNT"].isdigit():
        count = int(parts.pop("COUNT"))
    elif "UNTIL" in parts:
        try:
            until = dt.datetime.strptime(parts.pop("UNTIL")[:8], "%Y%m%d").date()
            end = END_UNTIL
        except ValueError:
            return RepeatChoice(ADVANCED, advanced=rule)
    freq = parts.pop("FREQ", "")
    interval = parts.pop("INTERVAL", "1")
    if freq == "WEEKLY" and not parts:
        by_interval = {str(v): k for k, v in _INTERVALS.items()}
        if interval in by_interval:
            return RepeatChoice(by_interval[interval], end, count, until)
    if freq == "MONTHLY" and interval == "1" and parts == {"BYDAY": nth_weekday(local_start)}:
        return RepeatChoice(MONTHLY_WEEKDAY, end, count, until)
    return RepeatChoice(ADVANCED, advanced=rule)


def lighter_rule(rule: str) -> str | None:
    """The same rule at half the rhythm (INTERVAL doubled: fortnightly becomes every four weeks),
    ending no later than before: a COUNT is halved (rounded up). None for a single meeting."""
    if not rule.strip():
        return None
    parts = rule_parts(rule)
    try:
        interval = int(parts.get("INTERVAL", "1"))
        if "COUNT" in parts:
            parts["COUNT"] = str(max(1, -(-int(parts["COUNT"]) // 2)))
    except ValueError:
        return None
    parts["INTERVAL"] = str(interval * 2)
    order = ["FREQ", "INTERVAL"]
    names = order + [name for name in parts if name not in order]
    return ";".join(f"{name}={parts[name]}" for name in names if name in parts)


def describe_rule(rule: str) -> str:
    """A plain sentence for a rule ("Every 2 weeks, 10 meetings")."""
    if not rule.strip():
        return "Does not repeat"
    parts = rule_parts(rule)
    freq = parts.get("FREQ", "")
    interval_text = parts.get("INTERVAL", "1")
    interval = int(interval_text) if interval_text.isdigit() else 1
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}.get(freq)
    if unit is None:
        text = f"Repeats ({rule})"
    elif interval == 1:
        text = f"Every {unit}"
    else:
        text = f"Every {interval} {unit}s"
    if freq == "MONTHLY" and "BYDAY" in parts:
        text += " on the same weekday"
    if "COUNT" in parts:
        text += f", {parts['COUNT']} meetings"
    elif "UNTIL" in parts:
        try:
            last = dt.datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
            text += f", until {last:%-d %B %Y}"
        except ValueError:
            pass
    return text
