"""Reading a session's .ics as calendars do, to compare with the product's own meetings.

- `product_meetings`: the starts of the meetings the product's pages list (recurrence
  `session_slots`, which the selectors read), cancelled ones left out, as UTC instants.
- `calendar_meetings`: the .ics expanded by an independent expander (recurring-ical-events),
  with the reader's own time-zone database, as UTC instants.
- `block_meetings`: the same expansion, each local time placed by the calendar's own VTIMEZONE
  block only (icalendar's `Timezone.to_tz`, no look-up of the TZID), as a reader that trusts the
  block does (RFC 5545 allows it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import recurring_ical_events
from icalendar import Calendar, Component

from hls.tenancy.context import tenant_scope
from stewardship.models import Session
from stewardship.sessions import services
from stewardship.sessions.recurrence import session_slots

UTC = dt.UTC
FAR_PAST = dt.datetime(2000, 1, 1, tzinfo=UTC)
FAR_FUTURE = dt.datetime(2100, 1, 1, tzinfo=UTC)


def product_meetings(session: Session) -> list[dt.datetime]:
    with tenant_scope(workspace_id=session.workspace_id):
        session.refresh_from_db()
        slots = session_slots(session, after=FAR_PAST, before=FAR_FUTURE)
    return sorted(slot.starts_at for slot in slots if not slot.cancelled)


def _expanded(data: bytes) -> list[Component]:
    calendar = Calendar.from_ical(data)
    return [
        event
        for event in recurring_ical_events.of(calendar).between(FAR_PAST, FAR_FUTURE)
        if str(event.get("STATUS", "")) != "CANCELLED"
    ]


def calendar_meetings(data: bytes) -> list[dt.datetime]:
    return sorted(event["DTSTART"].dt.astimezone(UTC) for event in _expanded(data))


def block_meetings(data: bytes) -> list[dt.datetime]:
    calendar = Calendar.from_ical(data)
    blocks = {
        str(block["TZID"]): block.to_tz(lookup_tzid=False) for block in calendar.walk("VTIMEZONE")
    }
    placed = []
    for event in _expanded(data):
        start = event["DTSTART"].dt
        tzid = str(getattr(start.tzinfo, "key", start.tzinfo))
        placed.append(start.replace(tzinfo=None).replace(tzinfo=blocks[tzid]).astimezone(UTC))
    return sorted(placed)


def make_series(world, *, timezone: str, starts_at: dt.datetime, rrule: str) -> Session:
    with tenant_scope(workspace_id=world.workspace.pk):
        return services.session_create(
            workspace=world.workspace,
            user=world.fay.user,
            title="Series",
            cycles=[world.cycle],
            facilitator=world.fay.user,
            timezone=timezone,
            starts_at=starts_at,
            duration_minutes=60,
            rrule=rrule,
            reminder_leads=[60],
            members=[world.pat.user],
        )


def change_series(world, session: Session, **changes: object) -> Session:
    """session_update with the session's own values, but for `changes`."""
    with tenant_scope(workspace_id=world.workspace.pk):
        session.refresh_from_db()
        fields: dict[str, object] = {
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
        update: Callable[..., Session] = services.session_update
        return update(workspace=world.workspace, session=session, by=world.fay, **fields)
