"""Carrying a series' own meetings along when the series changes.

A meeting moved or cancelled on its own is stored as an `Occurrence` keyed by its place in the
series (`original_start`, the iCalendar RECURRENCE-ID or EXDATE). When the series itself changes
(its first meeting, its time of day, its rule or its time zone) every place moves with it, so
each stored meeting is re-keyed to its place in the new series, as calendar products do:

- When the first meeting stays on the same day (a new time of day, a new rule, a new time zone),
  a stored meeting keeps its *day*: it goes to the new series' meeting on the same local date.
- When the first meeting moves to another day, the whole series shifts, so a stored meeting
  keeps its *position*: the third meeting's change goes to the new third meeting.

Then:

- A cancelled meeting stays cancelled at its new place.
- A moved meeting keeps the time it was moved to (someone chose it), except for a single meeting,
  where changing the session's time is moving that meeting.
- A meeting that was not moved follows the series to its new time, unless it is already past:
  what happened keeps the time it happened at (and never takes a place still to come).
- A stored meeting with no place in the new series (it fell on a day the new rule skips, or
  beyond its new end) is dropped when nothing was recorded at it; one with notes, attendance,
  outputs or answers is never deleted: it is kept where it was (see `recurrence.kept_as_history`).

The product's pages and its calendars read the same rows, so they show the same meetings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from stewardship.models import (
    Attendance,
    HeardAnswer,
    HeardReceipt,
    Occurrence,
    OccurrenceQuestion,
    Session,
    SessionOutput,
)
from stewardship.sessions.recurrence import all_series_starts, zone

# Where a re-keyed row waits while the others move (the pair (session, original_start) is
# unique, and a swap of two places would otherwise collide half-way).
_ASIDE = dt.timedelta(days=366 * 1000)


@dataclass(frozen=True)
class Shape:
    """What places a series' meetings: its first meeting, time zone and rule."""

    starts_at: dt.datetime
    timezone: str
    rrule: str

    @classmethod
    def of(cls, session: Session) -> Shape:
        return cls(session.starts_at, session.timezone, session.rrule.strip())

    def starts(self) -> list[dt.datetime]:
        return all_series_starts(starts_at=self.starts_at, timezone=self.timezone, rule=self.rrule)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(zone(self.timezone)).date()


def has_history(occurrence: Occurrence) -> bool:
    """Whether anything was recorded at this meeting (it is never deleted)."""
    if occurrence.held_at or occurrence.notes.strip() or occurrence.outputs_recorded_at:
        return True
    related = (Attendance, SessionOutput, HeardAnswer, HeardReceipt, OccurrenceQuestion)
    return any(
        model.objects.filter(workspace_id=occurrence.workspace_id, occurrence=occurrence).exists()
        for model in related
    )


def _places(old: Shape, new: Shape, rows: list[Occurrence]) -> dict[int, dt.datetime]:
    """Each stored meeting's place in the new series (by day, or by position), where it has one."""
    new_starts = new.starts()
    if old.local_date(old.starts_at) == new.local_date(new.starts_at):
        by_day: dict[dt.date, dt.datetime] = {}
        for start in new_starts:
            by_day.setdefault(new.local_date(start), start)
        found = {row.pk: by_day.get(old.local_date(row.original_start)) for row in rows}
    else:
        position = {start: index for index, start in enumerate(old.starts())}
        found = {}
        for row in rows:
            index = position.get(row.original_start)
            found[row.pk] = (
                new_starts[index] if index is not None and index < len(new_starts) else None
            )
    return {pk: place for pk, place in found.items() if place is not None}


def carry_meetings(*, session: Session, old: Shape, now: dt.datetime | None = None) -> None:
    """Re-key the session's stored meetings from the `old` shape to the session's current one
    (call inside the transaction that changed the session, with the session row locked)."""
    new = Shape.of(session)
    if new == old:
        return
    now = now or timezone.now()
    rows = list(
        Occurrence.objects.select_for_update()
        .filter(workspace_id=session.workspace_id, session=session)
        .order_by("original_start", "pk")
    )
    if not rows:
        return
    places = _places(old, new, rows)
    single = not new.rrule
    claimed: dict[dt.datetime, Occurrence] = {}
    left: list[Occurrence] = []  # no place in the new series
    for row in rows:
        target = places.get(row.pk)
        if target is not None and row.starts_at < now <= target:
            target = None  # what happened stays in the past: it does not take a coming place
        if target is None or target in claimed:
            left.append(row)
        else:
            claimed[target] = row
    # A row left where it was (it has history) keeps its place, so nobody else may take it: a
    # row that would is left out in turn.
    while left:
        row = left.pop()
        if not has_history(row):
            row.delete()  # its meeting is no longer in the series, and nothing was recorded
            continue
        other = claimed.get(row.original_start)
        if other is not None and other.pk != row.pk:
            del claimed[row.original_start]
            left.append(other)
    moves: list[tuple[Occurrence, dt.datetime, dt.datetime]] = []
    for target, row in claimed.items():
        moved = row.starts_at != row.original_start
        past = row.starts_at < now
        starts_at = row.starts_at if past or (moved and not single) else target
        if (target, starts_at) != (row.original_start, row.starts_at):
            moves.append((row, target, starts_at))
    # Two steps, so that places may swap without meeting the unique (session, place) pair.
    for row, _target, _starts_at in moves:
        row.original_start = row.original_start - _ASIDE
        row.save(update_fields=["original_start"])
    for row, target, starts_at in moves:
        row.original_start = target
        row.starts_at = starts_at
        row.save(update_fields=["original_start", "starts_at", "updated_at"])
