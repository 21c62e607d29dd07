"""iCalendar (RFC 5545 / 5546) for sessions: the invitation, update and cancellation attached
to emails, and a member's personal calendar feed. Built with the `icalendar` library.

A series is one VEVENT with DTSTART in the session's time zone (with its VTIMEZONE), an RRULE,
EXDATE for meetings cancelled on their own, and one overriding VEVENT (RECURRENCE-ID) for each
meeting moved on its own. A held meeting whose place left the series (the series changed after
it; see stewardship/sessions/carry.py) is an RDATE, so it stays in the same calendar entry, as
it stays on the product's pages. Only places that are in the series are named by EXDATE and
RECURRENCE-ID. UID is the session's `uid`; SEQUENCE is `session.sequence`.

Each VTIMEZONE covers every meeting it places: from a year before the first to a year after the
last (an endless series, possible only in old data, is covered ENDLESS_ZONE_YEARS ahead), so a
calendar that trusts the block rather than its own time-zone database (RFC 5545 allows both)
places every meeting at the same instant as the product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vRecur, vText

from hls.accounts.models import User
from hls.tenancy.models import Workspace
from stewardship.models import Occurrence, Session, SessionParticipant
from stewardship.sessions.recurrence import all_series_starts, kept_as_history, series_ends, zone

PRODID = "-//HLS Learning Cycles//Sense-making sessions//EN"
PARTSTAT: dict[str, str] = {
    SessionParticipant.Response.NEEDS_ACTION: "NEEDS-ACTION",
    SessionParticipant.Response.ACCEPTED: "ACCEPTED",
    SessionParticipant.Response.DECLINED: "DECLINED",
}
# How far a VTIMEZONE reaches either side of the meetings it places, and how far ahead it
# reaches for a series that never ends.
ZONE_MARGIN = dt.timedelta(days=366)
ENDLESS_ZONE_YEARS = 10

Span = tuple[dt.datetime, dt.datetime]  # first start and last end that a time zone must cover


def organizer_email() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@localhost"


def session_url(session: Session) -> str:
    try:
        path = reverse("session-detail", args=[session.workspace.slug, session.pk])
    except NoReverseMatch:
        return ""
    return settings.SITE_URL + path


def _local(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return moment.astimezone(tz)


def _rule(session: Session, tz: ZoneInfo) -> vRecur | None:
    text = session.rrule.strip()
    if not text:
        return None
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    rule = vRecur.from_ical(text)
    # With a DTSTART in a time zone, UNTIL must be in UTC (RFC 5545 §3.3.10). Our rules are
    # read in local time, so a local UNTIL is placed in the session's zone.
    until = rule.get("UNTIL")
    if until:
        value = until[0]
        if isinstance(value, dt.datetime):
            local = value.replace(tzinfo=None)
            rule["UNTIL"] = [local.replace(tzinfo=tz).astimezone(dt.UTC)]
        elif isinstance(value, dt.date):
            end_of_day = dt.datetime.combine(value, dt.time(23, 59, 59), tzinfo=tz)
            rule["UNTIL"] = [end_of_day.astimezone(dt.UTC)]
    return rule


def _people(event: Event, session: Session, only: Iterable[SessionParticipant] | None) -> None:
    organizer = vCalAddress(f"mailto:{organizer_email()}")
    if session.facilitator is not None:
        organizer = vCalAddress(f"mailto:{session.facilitator.email}")
        organizer.params["cn"] = vText(session.facilitator.full_name or session.facilitator.email)
    event.add("organizer", organizer)
    participants = list(session.participants.all()) if only is None else list(only)
    for p in participants:
        email = p.user.email if p.user is not None else p.email
        attendee = vCalAddress(f"mailto:{email}")
        name = (p.user.full_name if p.user is not None else p.name) or email
        attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText(PARTSTAT.get(p.response) or "NEEDS-ACTION")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=False)


def _base_event(session: Session, tz: ZoneInfo, start: dt.datetime, *, cancelled: bool) -> Event:
    event = Event()
    event.add("uid", str(session.uid))
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", _local(start, tz))
    event.add("dtend", _local(start + dt.timedelta(minutes=session.duration_minutes), tz))
    event.add("summary", session.title)
    if session.description:
        event.add("description", session.description)
    if session.location:
        event.add("location", session.location)
    url = session_url(session)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _series(session: Session) -> list[dt.datetime]:
    return all_series_starts(
        starts_at=session.starts_at, timezone=session.timezone, rule=session.rrule
    )


def session_events(
    session: Session, *, only: Iterable[SessionParticipant] | None = None
) -> list[Event]:
    """The VEVENTs of a session: the series (or single meeting) and its moved meetings."""
    tz = zone(session.timezone)
    cancelled = session.status == Session.Status.CANCELLED
    overrides: list[Occurrence] = list(session.occurrences.all())
    rule = _rule(session, tz)
    in_series = set(_series(session))
    kept = [o for o in overrides if o.original_start not in in_series and kept_as_history(o)]
    if rule is None and not kept:
        # A single meeting: a stored occurrence (moved or cancelled) is the meeting itself.
        moved = next((o for o in overrides if o.original_start == session.starts_at), None)
        start = moved.starts_at if moved else session.starts_at
        event = _base_event(
            session, tz, start, cancelled=cancelled or bool(moved and moved.cancelled)
        )
        _people(event, session, only)
        return [event]
    master = _base_event(session, tz, session.starts_at, cancelled=cancelled)
    if rule is not None:
        master.add("rrule", rule)
    if kept:
        master.add("rdate", [_local(o.original_start, tz) for o in kept])
    exdates = sorted(
        o.original_start for o in overrides if o.cancelled and o.original_start in in_series
    )
    if exdates:
        master.add("exdate", [_local(d, tz) for d in exdates])
    _people(master, session, only)
    events = [master]
    shifted = [
        o
        for o in [*kept, *(o for o in overrides if o.original_start in in_series)]
        if not o.cancelled and o.starts_at != o.original_start
    ]
    for o in sorted(shifted, key=lambda o: o.original_start):
        moved_event = _base_event(session, tz, o.starts_at, cancelled=cancelled)
        moved_event.add("recurrence-id", _local(o.original_start, tz))
        _people(moved_event, session, only)
        events.append(moved_event)
    return events


def session_span(session: Session) -> Span:
    """The first start and the last end of the session's meetings, moved and kept ones
    included: what its time zone's VTIMEZONE must cover."""
    series = _series(session)
    stored = list(session.occurrences.all())
    moments = [*series, *(o.starts_at for o in stored), *(o.original_start for o in stored)]
    last = max(moments)
    if not series_ends(session.rrule):
        last = max(last, session.starts_at + dt.timedelta(days=366 * ENDLESS_ZONE_YEARS))
    return min(moments), last + dt.timedelta(minutes=session.duration_minutes)


def _zones(sessions: Iterable[Session]) -> dict[str, Span]:
    spans: dict[str, Span] = {}
    for session in sessions:
        first, last = session_span(session)
        if session.timezone in spans:
            was_first, was_last = spans[session.timezone]
            first, last = min(first, was_first), max(last, was_last)
        spans[session.timezone] = (first, last)
    return spans


def _calendar(
    method: str | None,
    events: list[Event],
    zones: dict[str, Span],
    extra: dict[str, str] | None = None,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    for name, value in (extra or {}).items():
        calendar.add(name, value)
    for name, (first, last) in sorted(zones.items()):
        calendar.add_component(
            Timezone.from_tzinfo(
                ZoneInfo(name),
                tzid=name,
                first_date=(first - ZONE_MARGIN).date(),
                last_date=(last + ZONE_MARGIN).date(),
            )
        )
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def session_calendar(
    session: Session, *, method: str, only: Iterable[SessionParticipant] | None = None
) -> bytes:
    """The session as an iTIP message: method "REQUEST" (invitation or update) or "CANCEL".
    `only` limits the attendees listed (a cancellation to someone removed names them)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unknown iTIP method {method!r}")
    events = session_events(session, only=only)
    if method == "CANCEL":
        for event in events:
            event["status"] = vText("CANCELLED")
    return _calendar(method, events, _zones([session]))


def feed_sessions(*, workspace: Workspace, user: User) -> list[Session]:
    """The sessions `user` takes part in or facilitates (recent and coming ones)."""
    since = timezone.now() - dt.timedelta(days=366)
    return list(
        Session.objects.filter(workspace=workspace)
        .filter(Q(facilitator=user) | Q(participants__user=user))
        .filter(Q(starts_at__gte=since) | ~Q(rrule=""))
        .distinct()
        .select_related("facilitator", "workspace")
        .prefetch_related(
            "occurrences",
            Prefetch("participants", queryset=SessionParticipant.objects.select_related("user")),
        )
        .order_by("starts_at", "pk")
    )


def feed_calendar(*, workspace: Workspace, user: User) -> bytes:
    """A member's personal calendar of sessions, for a calendar app to subscribe to."""
    sessions = feed_sessions(workspace=workspace, user=user)
    events = [event for session in sessions for event in session_events(session)]
    extra = {"x-wr-calname": f"{workspace.name}: sense-making sessions", "x-published-ttl": "PT1H"}
    return _calendar(None, events, _zones(sessions), extra)
