"""Planning the outbox: which reminders are due to whom, and when (DESIGN.md §5).

Each planner computes the reminders that *should* exist (by idempotency key) and reconciles
the `Reminder` table with them: missing ones are created pending, pending or held ones that are
no longer wanted are cancelled, sent ones are never touched. A key names what the reminder is
about *and when*, so a moved meeting, end date or review date gives new keys, and what was
pending for the old time is cancelled. Planning is idempotent: running it twice changes nothing.

Everything here runs inside the caller's tenant scope (one workspace).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q
from django.utils import timezone

from cycles.barriers.selectors import answerers_of
from cycles.models import BarrierRoute, CycleMember, Experiment
from hls.tenancy.models import Membership, Role, Workspace
from stewardship.models import (
    NotificationPreference,
    Reminder,
    Session,
    SessionParticipant,
    StewardRole,
)
from stewardship.sessions.recurrence import Slot, session_slots

# Reminders are planned this far ahead (plus the session's largest lead time).
HORIZON = dt.timedelta(days=8)
# Meetings that started up to this long ago are still looked at (for their follow-up).
LOOKBACK = dt.timedelta(days=7)
FOLLOW_UP_AFTER = dt.timedelta(hours=1)
# A dated reminder (experiment, steward review, barrier) planned a little late is still sent.
DATED_GRACE = dt.timedelta(days=1)
STEWARD_REVIEW_LEADS = (14, 0)  # days before the review date
BARRIER_WAIT = dt.timedelta(days=7)
MORNING = dt.time(9, 0)
DEFAULT_TIMEZONE = "Europe/London"

OPEN = (Reminder.Status.PENDING, Reminder.Status.HELD)
PLANNED_SESSION_KINDS = (Reminder.Kind.SESSION_REMINDER, Reminder.Kind.SESSION_FOLLOW_UP)


def safe_zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def stamp(moment: dt.datetime) -> str:
    """A UTC time as it appears in keys (the same shape as `Slot.key`)."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def who(*, user_id: int | None, email: str = "") -> str:
    """The recipient part of a key: a member by id, a guest by a hash of their email (keys
    stay short and carry no personal data)."""
    if user_id is not None:
        return f"user:{user_id}"
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]
    return f"guest:{digest}"


@dataclass(frozen=True)
class Recipient:
    user_id: int | None
    email: str = ""
    name: str = ""

    @property
    def who(self) -> str:
        return who(user_id=self.user_id, email=self.email)


@dataclass
class Wanted:
    """A reminder that should exist."""

    key: str
    kind: str
    recipient: Recipient
    due_at: dt.datetime
    fields: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)


def session_recipients(session: Session, *, include_declined: bool = True) -> list[Recipient]:
    """The session's participants (members by user, guests by email) and its facilitator."""
    found: dict[str, Recipient] = {}
    for p in session.participants.all():
        if not include_declined and p.response == SessionParticipant.Response.DECLINED:
            continue
        recipient = Recipient(user_id=p.user_id, email="" if p.user_id else p.email, name=p.name)
        found.setdefault(recipient.who, recipient)
    if session.facilitator_id is not None:
        recipient = Recipient(user_id=session.facilitator_id)
        found.setdefault(recipient.who, recipient)
    return list(found.values())


def reconcile(
    *,
    workspace: Workspace,
    wanted: Iterable[Wanted],
    scope: Q,
    now: dt.datetime,
    create_after: dt.datetime,
) -> tuple[int, int]:
    """Make the open reminders matching `scope` be exactly `wanted`. A wanted reminder is
    created (or revived, if it was cancelled) only when due at or after `create_after`.
    Returns (created or revived, cancelled)."""
    wanted_by_key = {w.key: w for w in wanted}
    existing = {
        r.key: r
        for r in Reminder.objects.filter(workspace=workspace).filter(
            scope & (Q(status__in=OPEN) | Q(key__in=list(wanted_by_key)))
        )
    }
    stale = [r.pk for key, r in existing.items() if r.status in OPEN and key not in wanted_by_key]
    cancelled = 0
    if stale:
        cancelled = Reminder.objects.filter(pk__in=stale, status__in=OPEN).update(
            status=Reminder.Status.CANCELLED, updated_at=now
        )
    new: list[Reminder] = []
    revived = 0
    for key, w in wanted_by_key.items():
        row = existing.get(key)
        if row is not None:
            if row.status == Reminder.Status.CANCELLED and w.due_at >= create_after:
                revived += Reminder.objects.filter(
                    pk=row.pk, status=Reminder.Status.CANCELLED
                ).update(status=Reminder.Status.PENDING, due_at=w.due_at, updated_at=now)
            continue
        if w.due_at < create_after:
            continue
        new.append(
            Reminder(
                workspace=workspace,
                key=w.key,
                kind=w.kind,
                recipient_id=w.recipient.user_id,
                email=w.recipient.email,
                due_at=w.due_at,
                payload=w.payload,
                **w.fields,
            )
        )
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new) + revived, cancelled


# Sessions -------------------------------------------------------------------------------------


def session_reminder_key(session: Session, slot: Slot, lead: int, recipient: Recipient) -> str:
    return f"session:{session.pk}:{slot.key}:{stamp(slot.starts_at)}:lead:{lead}:{recipient.who}"


def follow_up_key(session: Session, slot: Slot, user_id: int) -> str:
    return f"session:{session.pk}:{slot.key}:{stamp(slot.starts_at)}:follow-up:user:{user_id}"


def wanted_for_session(session: Session, *, now: dt.datetime) -> list[Wanted]:
    if session.status != Session.Status.ACTIVE:
        return []
    leads = sorted({int(lead) for lead in session.reminder_leads or []})
    largest = dt.timedelta(minutes=max(leads, default=0))
    slots = session_slots(
        session,
        after=now - LOOKBACK,
        before=now + HORIZON + largest,
        overrides=list(session.occurrences.all()),
    )
    recipients = session_recipients(session, include_declined=False)
    wanted: list[Wanted] = []
    for slot in slots:
        if slot.cancelled:
            continue
        common = {"session_id": session.pk, "occurrence_start": slot.original_start}
        payload = {"starts_at": slot.starts_at.isoformat(), "slot": slot.key}
        for lead in leads:
            for recipient in recipients:
                wanted.append(
                    Wanted(
                        key=session_reminder_key(session, slot, lead, recipient),
                        kind=Reminder.Kind.SESSION_REMINDER,
                        recipient=recipient,
                        due_at=slot.starts_at - dt.timedelta(minutes=lead),
                        fields=common,
                        payload={**payload, "lead": lead},
                    )
                )
        facilitator = session.facilitator_id
        recorded = slot.occurrence is not None and slot.occurrence.outputs_recorded_at is not None
        if facilitator is not None and not recorded:
            wanted.append(
                Wanted(
                    key=follow_up_key(session, slot, facilitator),
                    kind=Reminder.Kind.SESSION_FOLLOW_UP,
                    recipient=Recipient(user_id=facilitator),
                    due_at=slot.ends_at + FOLLOW_UP_AFTER,
                    fields=common,
                    payload=payload,
                )
            )
    return wanted


def reminders_reconcile_session(session: Session, *, now: dt.datetime | None = None) -> None:
    """Plan the session's reminders and follow-ups for the coming days; cancel those whose
    meeting moved or was cancelled, whose recipient left, or whose lead time was removed."""
    now = now or timezone.now()
    wanted = wanted_for_session(session, now=now)
    # Reminders are not created for times already past; a follow-up may be a little late.
    reminders = [w for w in wanted if w.kind == Reminder.Kind.SESSION_REMINDER]
    follow_ups = [w for w in wanted if w.kind == Reminder.Kind.SESSION_FOLLOW_UP]
    reconcile(
        workspace=session.workspace,
        wanted=reminders,
        scope=Q(session=session, kind=Reminder.Kind.SESSION_REMINDER),
        now=now,
        create_after=now,
    )
    reconcile(
        workspace=session.workspace,
        wanted=follow_ups,
        scope=Q(session=session, kind=Reminder.Kind.SESSION_FOLLOW_UP),
        now=now,
        create_after=now - DATED_GRACE,
    )


# Dated reminders: experiments, steward reviews, barriers --------------------------------------


def _zones(workspace: Workspace, user_ids: Iterable[int]) -> dict[int, ZoneInfo]:
    rows = NotificationPreference.objects.filter(
        workspace=workspace, user_id__in=set(user_ids)
    ).values_list("user_id", "timezone")
    return {user_id: safe_zone(name) for user_id, name in rows}


def _morning(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, MORNING, tzinfo=tz).astimezone(dt.UTC)


def plan_experiments(*, workspace: Workspace, now: dt.datetime) -> None:
    """A check-in at the midpoint of a running experiment and a note on its end date, at 09:00
    in the owner's time zone."""
    running = list(
        Experiment.objects.filter(
            workspace=workspace,
            status=Experiment.Status.RUNNING,
            owner__isnull=False,
            ends_on__isnull=False,
        ).only("pk", "owner_id", "starts_on", "ends_on")
    )
    zones = _zones(workspace, (e.owner_id for e in running if e.owner_id))
    default = safe_zone(DEFAULT_TIMEZONE)
    wanted: list[Wanted] = []
    for experiment in running:
        assert experiment.owner_id is not None
        assert experiment.ends_on is not None
        owner = Recipient(user_id=experiment.owner_id)
        tz = zones.get(experiment.owner_id, default)
        fields = {"experiment_id": experiment.pk}
        ends_on = experiment.ends_on
        wanted.append(
            Wanted(
                key=f"experiment:{experiment.pk}:end:{ends_on.isoformat()}:{owner.who}",
                kind=Reminder.Kind.EXPERIMENT_END,
                recipient=owner,
                due_at=_morning(ends_on, tz),
                fields=fields,
                payload={"ends_on": ends_on.isoformat()},
            )
        )
        if experiment.starts_on and experiment.starts_on < ends_on:
            midpoint = experiment.starts_on + (ends_on - experiment.starts_on) / 2
            wanted.append(
                Wanted(
                    key=f"experiment:{experiment.pk}:check-in:{midpoint.isoformat()}:{owner.who}",
                    kind=Reminder.Kind.EXPERIMENT_CHECK_IN,
                    recipient=owner,
                    due_at=_morning(midpoint, tz),
                    fields=fields,
                    payload={"on": midpoint.isoformat(), "ends_on": ends_on.isoformat()},
                )
            )
    horizon = now + HORIZON
    reconcile(
        workspace=workspace,
        wanted=[w for w in wanted if w.due_at < horizon],
        scope=Q(kind__in=[Reminder.Kind.EXPERIMENT_END, Reminder.Kind.EXPERIMENT_CHECK_IN]),
        now=now,
        create_after=now - DATED_GRACE,
    )


def steward_recipients(*, workspace: Workspace, role: StewardRole) -> list[Recipient]:
    """The steward themself, or (when the role names no member) the cycle's members who are
    stewards or admins of the workspace."""
    if role.user_id is not None:
        return [Recipient(user_id=role.user_id)]
    members = CycleMember.objects.filter(workspace=workspace, cycle_id=role.cycle_id).values(
        "user_id"
    )
    ids = (
        Membership.objects.filter(
            workspace=workspace, role__in=[Role.STEWARD, Role.ADMIN], user_id__in=members
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    return [Recipient(user_id=user_id) for user_id in ids]


def plan_steward_reviews(*, workspace: Workspace, now: dt.datetime) -> None:
    """14 days before a steward role's review date, and on the day, at 09:00."""
    today = now.date()
    horizon = now + HORIZON
    roles = StewardRole.objects.filter(
        workspace=workspace,
        ended_at__isnull=True,
        review_on__gte=today - dt.timedelta(days=2),
        review_on__lte=(horizon + dt.timedelta(days=max(STEWARD_REVIEW_LEADS) + 2)).date(),
    )
    wanted: list[Wanted] = []
    for role in roles:
        recipients = steward_recipients(workspace=workspace, role=role)
        zones = _zones(workspace, (r.user_id for r in recipients if r.user_id))
        for days in STEWARD_REVIEW_LEADS:
            day = role.review_on - dt.timedelta(days=days)
            for recipient in recipients:
                tz = zones.get(recipient.user_id or 0, safe_zone(DEFAULT_TIMEZONE))
                wanted.append(
                    Wanted(
                        key=(
                            f"steward:{role.pk}:review:{role.review_on.isoformat()}"
                            f":before:{days}:{recipient.who}"
                        ),
                        kind=Reminder.Kind.STEWARD_REVIEW,
                        recipient=recipient,
                        due_at=_morning(day, tz),
                        fields={"steward_role_id": role.pk},
                        payload={"review_on": role.review_on.isoformat(), "days_before": days},
                    )
                )
    reconcile(
        workspace=workspace,
        wanted=[w for w in wanted if w.due_at < horizon],
        scope=Q(kind=Reminder.Kind.STEWARD_REVIEW),
        now=now,
        create_after=now - DATED_GRACE,
    )


def plan_barriers(*, workspace: Workspace, now: dt.datetime) -> None:
    """A barrier still "raised" (not acknowledged) 7 days after it landed is brought to the
    receiving cycle's admins, stewards and managers, then again each week."""
    horizon = now + HORIZON
    routes = BarrierRoute.objects.filter(
        workspace=workspace,
        state=BarrierRoute.State.RAISED,
        raised_at__lte=horizon - BARRIER_WAIT,
    ).select_related("to_cycle")
    wanted: list[Wanted] = []
    for route in routes:
        recipients = [
            Recipient(user_id=pk)
            for pk in answerers_of(workspace=workspace, cycle=route.to_cycle).values_list(
                "pk", flat=True
            )
        ]
        weeks_waited = max(1, int((now - route.raised_at) / BARRIER_WAIT))
        # The week just passed (if its note was missed) and the weeks ahead in the horizon.
        for week in range(weeks_waited, weeks_waited + 3):
            due = route.raised_at + BARRIER_WAIT * week
            if due >= horizon:
                break
            for recipient in recipients:
                wanted.append(
                    Wanted(
                        key=f"barrier:{route.pk}:week:{week}:{recipient.who}",
                        kind=Reminder.Kind.BARRIER_WAITING,
                        recipient=recipient,
                        due_at=due,
                        fields={"barrier_route_id": route.pk},
                        payload={"week": week},
                    )
                )
    reconcile(
        workspace=workspace,
        wanted=wanted,
        scope=Q(kind=Reminder.Kind.BARRIER_WAITING),
        now=now,
        create_after=now - BARRIER_WAIT,
    )


def plan_workspace(*, workspace: Workspace, now: dt.datetime | None = None) -> None:
    """Plan every kind of reminder for one workspace (inside its tenant scope)."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(
            workspace=workspace,
            status=Session.Status.ACTIVE,
            starts_at__lt=now + HORIZON + dt.timedelta(days=28),
        )
        .select_related("workspace")
        .prefetch_related("participants", "occurrences")
    )
    for session in sessions:
        reminders_reconcile_session(session, now=now)
    plan_experiments(workspace=workspace, now=now)
    plan_steward_reviews(workspace=workspace, now=now)
    plan_barriers(workspace=workspace, now=now)
