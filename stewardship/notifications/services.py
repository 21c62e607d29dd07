"""Reminders and notifications: writes (DESIGN.md §5).

`session_changed` is the sessions area's one call into this area, made inside its transaction:
it writes messages into the outbox (`Reminder`) and re-plans the session's reminders, so what
is queued commits or rolls back with the change itself. The dispatcher (delivery.py) sends
them after commit, exactly once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hls.accounts.models import User
from hls.tenancy.models import Workspace
from stewardship.models import (
    CalendarFeed,
    Notification,
    NotificationPreference,
    Reminder,
    Session,
)
from stewardship.notifications.planning import (
    Recipient,
    reminders_reconcile_session,
    safe_zone,
    session_recipients,
)
from stewardship.sessions.recurrence import zone

__all__ = [
    "feed_create",
    "feed_revoke",
    "feed_token_hash",
    "notification_mark_read",
    "notification_snooze",
    "notifications_mark_all_read",
    "preferences_for",
    "preferences_update",
    "reminders_reconcile_session",
    "session_changed",
]

CHANGES = ("created", "updated", "cancelled", "participants", "occurrence")
SESSION_MESSAGES = (
    Reminder.Kind.SESSION_INVITATION,
    Reminder.Kind.SESSION_UPDATE,
    Reminder.Kind.SESSION_CANCELLATION,
)


def queue_dispatch() -> None:
    """Ask a worker to deliver what is due, once the current transaction has committed."""
    from hls.jobs import publish_on_commit
    from stewardship.notifications.tasks import dispatch_due

    publish_on_commit(dispatch_due)


# Sessions -------------------------------------------------------------------------------------


def _raise_sequence(session: Session) -> None:
    session.sequence = (
        Session.objects.filter(pk=session.pk).values_list("sequence", flat=True).get() + 1
    )
    Session.objects.filter(pk=session.pk).update(sequence=session.sequence)


def _queue(
    session: Session, recipients: list[Recipient], *, kind: str, action: str, now: dt.datetime
) -> None:
    rows = [
        Reminder(
            workspace_id=session.workspace_id,
            key=f"session:{session.pk}:seq:{session.sequence}:{action}:{r.who}",
            kind=kind,
            recipient_id=r.user_id,
            email=r.email,
            due_at=now,
            session=session,
            payload={"sequence": session.sequence},
        )
        for r in recipients
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)


def _invited(session: Session) -> dict[str, Recipient]:
    """Who holds this session in their calendar now, as far as our messages go: the last
    invitation, update or cancellation to each recipient (not counting withdrawn ones)."""
    latest: dict[str, tuple[str, Recipient]] = {}
    rows = (
        Reminder.objects.filter(session=session, kind__in=SESSION_MESSAGES)
        .exclude(status=Reminder.Status.CANCELLED)
        .order_by("created_at", "pk")
        .values_list("kind", "recipient_id", "email")
    )
    for kind, user_id, email in rows:
        recipient = Recipient(user_id=user_id, email=email)
        latest[recipient.who] = (kind, recipient)
    return {
        key: recipient
        for key, (kind, recipient) in latest.items()
        if kind != Reminder.Kind.SESSION_CANCELLATION
    }


def _withdraw_pending(session: Session, recipient: Recipient) -> bool:
    """Cancel messages not yet sent to someone who left. True if an invitation had not gone out
    yet (so they never heard of the session and need no cancellation)."""
    mine = Q(recipient_id=recipient.user_id) if recipient.user_id else Q(email=recipient.email)
    open_rows = Reminder.objects.filter(
        mine, session=session, status__in=[Reminder.Status.PENDING, Reminder.Status.HELD]
    )
    unsent_invitation = open_rows.filter(kind=Reminder.Kind.SESSION_INVITATION).exists()
    sent_before = (
        Reminder.objects.filter(mine, session=session, kind__in=SESSION_MESSAGES)
        .filter(status=Reminder.Status.SENT)
        .exists()
    )
    open_rows.update(status=Reminder.Status.CANCELLED, updated_at=timezone.now())
    return unsent_invitation and not sent_before


def session_changed(*, session: Session, change: str) -> None:
    """Called by the sessions area inside its own transaction after every change to a session.

    change: "created" | "updated" | "cancelled" | "participants" | "occurrence".

    Queues invitations (created), updates (updated, occurrence: SEQUENCE is raised), a
    cancellation and the end of everything pending (cancelled), invitations and cancellations
    to those added and removed (participants); then re-plans the session's reminders. The
    messages are sent after commit by the dispatcher.
    """
    if change not in CHANGES:
        raise ValueError(f"unknown session change: {change!r}")
    now = timezone.now()
    recipients = session_recipients(session)
    queued = False
    if change == "created":
        _queue(session, recipients, kind=Reminder.Kind.SESSION_INVITATION, action="invite", now=now)
        queued = bool(recipients)
    elif change in ("updated", "occurrence"):
        _raise_sequence(session)
        if session.status == Session.Status.ACTIVE:
            _queue(session, recipients, kind=Reminder.Kind.SESSION_UPDATE, action="update", now=now)
            queued = bool(recipients)
    elif change == "cancelled":
        _raise_sequence(session)
        Reminder.objects.filter(
            session=session, status__in=[Reminder.Status.PENDING, Reminder.Status.HELD]
        ).update(status=Reminder.Status.CANCELLED, updated_at=now)
        told = [r for key, r in _invited(session).items()]
        everyone = {r.who: r for r in [*told, *recipients]}
        _queue(
            session,
            list(everyone.values()),
            kind=Reminder.Kind.SESSION_CANCELLATION,
            action="cancel",
            now=now,
        )
        queued = bool(everyone)
    elif change == "participants":
        invited = _invited(session)
        current = {r.who: r for r in recipients}
        added = [r for key, r in current.items() if key not in invited]
        removed = [r for key, r in invited.items() if key not in current]
        if added or removed:
            _raise_sequence(session)
            to_tell = [r for r in removed if not _withdraw_pending(session, r)]
            if session.status == Session.Status.ACTIVE:
                _queue(
                    session, added, kind=Reminder.Kind.SESSION_INVITATION, action="invite", now=now
                )
            _queue(
                session,
                to_tell,
                kind=Reminder.Kind.SESSION_CANCELLATION,
                action="cancel",
                now=now,
            )
            queued = bool(added or to_tell)
    reminders_reconcile_session(session, now=now)
    if queued:
        queue_dispatch()


# The notification centre ----------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, workspace: Workspace, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, workspace: Workspace, user: User) -> int:
    return Notification.objects.filter(workspace=workspace, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


SNOOZE_CHOICES = ("hour", "tomorrow")


def snooze_until(*, choice: str, tz_name: str, now: dt.datetime) -> dt.datetime:
    if choice == "hour":
        return now + dt.timedelta(hours=1)
    if choice == "tomorrow":
        tz = safe_zone(tz_name)
        tomorrow = now.astimezone(tz).date() + dt.timedelta(days=1)
        return dt.datetime.combine(tomorrow, dt.time(9, 0), tzinfo=tz).astimezone(dt.UTC)
    raise ValidationError({"until": _("Choose one hour, or tomorrow at 9:00.")})


@transaction.atomic
def notification_snooze(
    *, workspace: Workspace, user: User, notification: Notification, choice: str
) -> Reminder:
    """Remind me again later: a new pending reminder (`<key>:snooze:<n>`), due in an hour or
    tomorrow at 9:00 in my time zone; the notification is marked read."""
    if notification.reminder_id is None:
        raise ValidationError({"until": _("Only a reminder can be snoozed.")})
    original = Reminder.objects.select_for_update().get(
        workspace=workspace, pk=notification.reminder_id
    )
    now = timezone.now()
    due = snooze_until(
        choice=choice, tz_name=preferences_for(workspace=workspace, user=user).timezone, now=now
    )
    Reminder.objects.filter(pk=original.pk).update(snoozed_count=F("snoozed_count") + 1)
    original.refresh_from_db(fields=["snoozed_count"])
    again = Reminder.objects.create(
        workspace=workspace,
        key=f"{original.key}:snooze:{original.snoozed_count}",
        kind=original.kind,
        recipient=user,
        due_at=due,
        session_id=original.session_id,
        occurrence_start=original.occurrence_start,
        experiment_id=original.experiment_id,
        steward_role_id=original.steward_role_id,
        barrier_route_id=original.barrier_route_id,
        payload={**original.payload, "snoozed_from": original.key},
    )
    notification_mark_read(workspace=workspace, notification=notification)
    return again


# Preferences ----------------------------------------------------------------------------------


def preferences_for(*, workspace: Workspace, user: User) -> NotificationPreference:
    """The member's preferences, or the defaults (unsaved) if they never chose."""
    found = NotificationPreference.objects.filter(workspace=workspace, user=user).first()
    return found or NotificationPreference(workspace=workspace, user=user)


@transaction.atomic
def preferences_update(
    *,
    workspace: Workspace,
    user: User,
    email_enabled: bool,
    timezone_name: str,
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
    daily_digest: bool,
    digest_hour: int,
    snoozed_until: dt.date | None,
) -> NotificationPreference:
    zone(timezone_name)  # raises ValidationError({"timezone": ...})
    if (quiet_start is None) != (quiet_end is None):
        field = "quiet_end" if quiet_end is None else "quiet_start"
        raise ValidationError({field: _("Give both ends of your quiet hours, or neither.")})
    if quiet_start is not None and quiet_start == quiet_end:
        raise ValidationError({"quiet_end": _("Quiet hours must end at a different time.")})
    if not 0 <= digest_hour <= 23:
        raise ValidationError({"digest_hour": _("Choose an hour from 0 to 23.")})
    pause: dt.datetime | None = None
    if snoozed_until is not None:
        tz = safe_zone(timezone_name)
        if snoozed_until < timezone.now().astimezone(tz).date():
            raise ValidationError({"snoozed_until": _("Choose today or a later date.")})
        # Paused until the start of that day, in my time zone.
        pause = dt.datetime.combine(snoozed_until, dt.time(0, 0), tzinfo=tz).astimezone(dt.UTC)
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
        workspace=workspace, user=user
    )
    preference.email_enabled = email_enabled
    preference.timezone = timezone_name
    preference.quiet_start = quiet_start
    preference.quiet_end = quiet_end
    preference.daily_digest = daily_digest
    preference.digest_hour = digest_hour
    preference.snoozed_until = pause
    preference.save()
    return preference


# Calendar feeds -------------------------------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_create(*, workspace: Workspace, user: User) -> tuple[CalendarFeed, str]:
    """A new secret feed; returns it and its token, which is shown once and never stored."""
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        workspace=workspace, user=user, token_hash=feed_token_hash(token)
    )
    return feed, token


@transaction.atomic
def feed_revoke(*, workspace: Workspace, feed: CalendarFeed) -> CalendarFeed:
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed
