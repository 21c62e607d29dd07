"""Reads of the audit log: the admins' page and its CSV (docs/people-and-privacy.md, "Audit").

The log is append-only and holds no personal text (ids and codes only), so what it shows is
who did what, to what, when. It is read newest first, a page at a time by keyset (the time
and id of the last row shown), never counted or read whole: a busy workspace writes millions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hls.accounts.models import User
from hls.audit import actions, targets
from hls.audit.models import AuditEvent
from hls.tenancy.models import Membership, Role, Workspace

PAGE_SIZE = 50
EXPORT_CHUNK = 1000


@dataclass(frozen=True)
class AuditFilter:
    """What the log is narrowed to. `action` is a value of `actions.choices()`; `no_actor`
    asks for what nobody did by hand (background work)."""

    action: str = ""
    actor_id: int | None = None
    no_actor: bool = False
    target_type: str = ""
    target_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def as_data(self) -> dict[str, Any]:
        """The filter as ids and codes (what the export's own audit event keeps)."""
        data: dict[str, Any] = {
            "action": self.action,
            "actor_id": self.actor_id,
            "no_actor": self.no_actor,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {key: value for key, value in data.items() if value not in (None, "", False)}


def _start_of(day: dt.date) -> dt.datetime:
    """The first instant of `day` in the current time zone (the viewer's)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events(*, workspace: Workspace, f: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    """The workspace's events narrowed by `f`, newest first (by time, then id)."""
    f = f or AuditFilter()
    events = AuditEvent.objects.filter(workspace=workspace)
    if f.action:
        condition = actions.matching(f.action)
        events = events.filter(condition) if condition is not None else events.none()
    if f.no_actor:
        events = events.filter(actor__isnull=True)
    elif f.actor_id is not None:
        events = events.filter(actor_id=f.actor_id)
    if f.target_type:
        events = events.filter(target_type=f.target_type)
    if f.target_id:
        events = events.filter(target_id=f.target_id)
    if f.since is not None:
        events = events.filter(created_at__gte=_start_of(f.since))
    if f.until is not None:
        events = events.filter(created_at__lt=_start_of(f.until + dt.timedelta(days=1)))
    return events.order_by("-created_at", "-pk")


# Keyset pages -------------------------------------------------------------------------------


def cursor_of(event: AuditEvent) -> str:
    """Where a page ends or starts: the event's time (microseconds since 1970) and id."""
    micros = int(event.created_at.timestamp() * 1_000_000)
    return f"{micros}-{event.pk}"


def parse_cursor(value: str) -> tuple[dt.datetime, int] | None:
    micros, _sep, pk = value.partition("-")
    if not (micros.isdigit() and pk.isdigit()) or len(micros) > 18:
        return None
    instant = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(micros))
    return instant, int(pk)


@dataclass
class AuditRow:
    event: AuditEvent
    label: str
    group: str
    target: targets.Target | None
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class AuditPage:
    rows: list[AuditRow]
    older: str  # the cursor for the next (older) page, "" at the end
    newer: str  # the cursor for the previous (newer) page, "" at the start


def _older_than(at: tuple[dt.datetime, int]) -> Q:
    return Q(created_at__lt=at[0]) | Q(created_at=at[0], pk__lt=at[1])


def _newer_than(at: tuple[dt.datetime, int]) -> Q:
    return Q(created_at__gt=at[0]) | Q(created_at=at[0], pk__gt=at[1])


def audit_page(
    *,
    workspace: Workspace,
    f: AuditFilter | None = None,
    before: str = "",
    after: str = "",
    size: int = PAGE_SIZE,
) -> AuditPage:
    """One page of the log, newest first: the first page, the page older than `before`, or the
    page newer than `after`. Two queries: the events with their actors, and what their
    targets are (one per kind of target on the page)."""
    events = audit_events(workspace=workspace, f=f).select_related("actor")
    at_before, at_after = parse_cursor(before), parse_cursor(after)
    if at_after is not None:
        found = list(events.filter(_newer_than(at_after)).order_by("created_at", "pk")[: size + 1])
        more_newer = len(found) > size
        found = list(reversed(found[:size]))
        older = cursor_of(found[-1]) if found else ""
        newer = cursor_of(found[0]) if found and more_newer else ""
    else:
        if at_before is not None:
            events = events.filter(_older_than(at_before))
        found = list(events[: size + 1])
        more_older = len(found) > size
        found = found[:size]
        older = cursor_of(found[-1]) if found and more_older else ""
        newer = cursor_of(found[0]) if found and at_before is not None else ""
    return AuditPage(
        rows=describe_rows(workspace=workspace, events=found), older=older, newer=newer
    )


# What a row says ----------------------------------------------------------------------------


def _role_name(code: object) -> str:
    try:
        return str(Role(str(code)).label)
    except ValueError:
        return str(code)


def details_of(event: AuditEvent) -> list[tuple[str, str]]:
    """The event's data as short pairs to show (ids, codes and counts only: the data holds
    nothing else)."""
    data = dict(event.data or {})
    shown: list[tuple[str, str]] = []
    if "old" in data and "new" in data and event.action == "membership.role_changed":
        shown.append(
            (
                str(_("role")),
                f"{_role_name(data.pop('old'))} → {_role_name(data.pop('new'))}",
            )
        )
    via = data.pop("via", None)
    if via:
        shown.append((str(_("through")), str(via)))
    for key in sorted(data):
        value = data[key]
        if isinstance(value, list | tuple):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            text = ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
        else:
            text = str(value)
        shown.append((key.replace("_", " "), text))
    return shown


def describe_rows(*, workspace: Workspace, events: list[AuditEvent]) -> list[AuditRow]:
    known = targets.describe(
        workspace=workspace,
        targets=[(e.target_type, e.target_id) for e in events if e.target_type],
    )
    rows = []
    for event in events:
        target = None
        if event.target_type:
            key = (event.target_type, event.target_id)
            target = known.get(key) or targets.gone(event.target_type, event.target_id)
        rows.append(
            AuditRow(
                event=event,
                label=actions.label(event.action),
                group=actions.group_of(event.action),
                target=target,
                details=details_of(event),
            )
        )
    return rows


def actors_for_filter(*, workspace: Workspace) -> QuerySet[User]:
    """The members who may be chosen as "who" (the workspace's members now)."""
    member_ids = Membership.objects.filter(workspace=workspace).values("user_id")
    return User.objects.filter(pk__in=member_ids).order_by("full_name", "email")


def events_about(*, workspace: Workspace, target_type: str, target_id: str) -> QuerySet[AuditEvent]:
    """Every event about one object, oldest first (a person's subject access file)."""
    return AuditEvent.objects.filter(
        workspace=workspace, target_type=target_type, target_id=target_id
    ).order_by("created_at", "pk")


def export_chunks(
    *, workspace: Workspace, f: AuditFilter | None = None, chunk: int = EXPORT_CHUNK
) -> Iterator[list[AuditEvent]]:
    """The filtered log, newest first, `chunk` events at a time by keyset: each chunk is one
    query, so an export of millions never holds them all. Call inside the workspace's scope."""
    at: tuple[dt.datetime, int] | None = None
    while True:
        events = audit_events(workspace=workspace, f=f).select_related("actor")
        if at is not None:
            events = events.filter(_older_than(at))
        found = list(events[:chunk])
        if not found:
            return
        yield found
        if len(found) < chunk:
            return
        at = (found[-1].created_at, found[-1].pk)
