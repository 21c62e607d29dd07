"""Delivering the outbox exactly once (DESIGN.md §5).

One reminder at a time, each in its own short transaction:

    lock the next due pending row (FOR UPDATE SKIP LOCKED) → check it is still wanted → apply
    the recipient's preferences → write the in-app notification and send the email → mark it
    sent → commit.

The row lock is held until commit, so two workers never take the same row, and a worker killed
before commit leaves it pending for the next run; once committed it is never sent again.
SMTP itself cannot be made exactly-once: if a worker dies after the mail server accepted a
message but before our commit, the message is sent again on the next run, with the *same*
`Message-ID` (derived from the idempotency key), which mail systems use to drop duplicates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.mime.text import MIMEText
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles.models import BarrierRoute, Cycle, Experiment
from cycles.trust import trust_for
from hls.accounts.models import User
from hls.tenancy import crossing
from hls.tenancy.context import narrow_to_workspace, tenant_scope
from hls.tenancy.models import Membership, Workspace
from stewardship.models import (
    Notification,
    NotificationPreference,
    Reminder,
    Session,
    SessionParticipant,
)
from stewardship.notifications.ics import session_calendar
from stewardship.notifications.planning import safe_zone, stamp
from stewardship.sessions.recurrence import Slot, slot_at

logger = logging.getLogger(__name__)

Kind = Reminder.Kind
CALENDAR_KINDS = (Kind.SESSION_INVITATION, Kind.SESSION_UPDATE, Kind.SESSION_CANCELLATION)
SESSION_KINDS = (*CALENDAR_KINDS, Kind.SESSION_REMINDER, Kind.SESSION_FOLLOW_UP)
RUN_SECONDS = 50  # one dispatch run stops taking new rows after this (the soft limit is 100)
RUN_MAX = 1000


# What a message says --------------------------------------------------------------------------


@dataclass
class Message:
    title: str
    paragraphs: list[str]
    path: str  # in the app, without the site
    action: str
    method: str = ""  # iTIP method of the .ics attachment, if any
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return settings.SITE_URL + self.path if self.path else settings.SITE_URL


def _reverse(name: str, *args: object) -> str:
    try:
        return reverse(name, args=list(args))
    except NoReverseMatch:
        return ""


def meeting_path(workspace: Workspace, session_id: int, slot_key: str) -> str:
    return _reverse("meeting-detail", workspace.slug, session_id, slot_key) or _reverse(
        "notification-list", workspace.slug
    )


def _when(moment: dt.datetime, tz_name: str) -> str:
    local = moment.astimezone(safe_zone(tz_name))
    return local.strftime("%A %-d %B %Y, %H:%M") + f" ({tz_name})"


def _lead(minutes: int) -> str:
    if minutes % 1440 == 0:
        days = minutes // 1440
        return _("in %(n)d day(s)") % {"n": days} if days != 1 else _("tomorrow")
    if minutes % 60 == 0:
        hours = minutes // 60
        return _("in %(n)d hour(s)") % {"n": hours} if hours != 1 else _("in an hour")
    return _("in %(n)d minutes") % {"n": minutes}


def _slot(row: Reminder) -> Slot | None:
    if row.session is None or row.occurrence_start is None:
        return None
    return slot_at(row.session, row.occurrence_start)


def compose(row: Reminder, *, tz_name: str) -> Message:
    """Title, text and link of a reminder, as its recipient will read it."""
    workspace = row.workspace
    session = row.session
    if row.kind in CALENDAR_KINDS:
        assert session is not None
        path = _reverse("session-detail", workspace.slug, session.pk) or _reverse(
            "notification-list", workspace.slug
        )
        when = _when(session.starts_at, tz_name)
        place = [_("Where: %(where)s") % {"where": session.location}] if session.location else []
        about = [session.description] if session.description else []
        repeats = (
            [_("It repeats: the calendar invitation has every meeting.")] if session.rrule else []
        )
        if row.kind == Kind.SESSION_INVITATION:
            return Message(
                _("You are invited: %(title)s") % {"title": session.title},
                [_("First meeting: %(when)s") % {"when": when}, *repeats, *place, *about],
                path,
                _("See the session"),
                method="REQUEST",
            )
        if row.kind == Kind.SESSION_UPDATE:
            return Message(
                _("Changed: %(title)s") % {"title": session.title},
                [
                    _("The session has changed. The attached invitation updates your calendar."),
                    *repeats,
                    *place,
                ],
                path,
                _("See the session"),
                method="REQUEST",
            )
        return Message(
            _("Cancelled: %(title)s") % {"title": session.title},
            [_("This session is off for you. The attachment takes it out of your calendar.")],
            path,
            _("See your sessions"),
            method="CANCEL",
        )
    if row.kind in (Kind.SESSION_REMINDER, Kind.SESSION_FOLLOW_UP):
        assert session is not None
        assert row.occurrence_start is not None
        slot_key = row.payload.get("slot") or stamp(row.occurrence_start)
        starts_at = dt.datetime.fromisoformat(row.payload["starts_at"])
        path = meeting_path(workspace, session.pk, slot_key)
        if row.kind == Kind.SESSION_REMINDER:
            lead = int(row.payload.get("lead", 0))
            return Message(
                _("%(title)s, %(when)s") % {"title": session.title, "when": _lead(lead)},
                [
                    _("The meeting starts %(when)s.") % {"when": _when(starts_at, tz_name)},
                    *(
                        [_("Where: %(where)s") % {"where": session.location}]
                        if session.location
                        else []
                    ),
                    _("The agenda is ready to look at beforehand."),
                ],
                path,
                _("See the agenda"),
            )
        return Message(
            _("Record what came out of %(title)s") % {"title": session.title},
            [
                _("The meeting on %(when)s has ended. While it is fresh, record its insights, "
                  "decisions, barriers, experiments and questions, so they reach the cycles.")
                % {"when": _when(starts_at, tz_name)},
            ],
            path,
            _("Record the outputs"),
        )  # fmt: skip
    if row.kind in (Kind.EXPERIMENT_CHECK_IN, Kind.EXPERIMENT_END):
        experiment = row.experiment
        assert experiment is not None
        path = _reverse("experiment-detail", workspace.slug, experiment.pk)
        if row.kind == Kind.EXPERIMENT_CHECK_IN:
            return Message(
                _("Halfway: %(title)s") % {"title": experiment.title},
                [
                    _("Your experiment is halfway through. How is it going against what you "
                      "expected? Is it still safe to fail?"),
                ],
                path,
                _("Look at the experiment"),
            )  # fmt: skip
        return Message(
            _("Ending today: %(title)s") % {"title": experiment.title},
            [
                _("Your experiment reaches its end date. What happened, and what did you learn? "
                  "Amplify, adapt, or stop and keep the learning."),
            ],
            path,
            _("Record what was learnt"),
        )  # fmt: skip
    if row.kind == Kind.STEWARD_REVIEW:
        role = row.steward_role
        assert role is not None
        path = _reverse("place-detail", workspace.slug, role.cycle_id) or _reverse(
            "cycle-detail", workspace.slug, role.cycle_id
        )
        days = int(row.payload.get("days_before", 0))
        in_days = _("today") if days == 0 else _("in %(n)d days") % {"n": days}
        return Message(
            _("Steward role review %(when)s: %(holder)s")
            % {"when": in_days, "holder": role.holder_name},
            [
                _("The stewardship of %(cycle)s is due for review on %(date)s: is the mandate "
                  "still right, and do those it answers to agree?")
                % {"cycle": role.cycle.name, "date": role.review_on.strftime("%-d %B %Y")},
            ],
            path,
            _("Look at the stewards"),
        )  # fmt: skip
    route = row.barrier_route
    assert route is not None
    if row.kind in (Kind.BARRIER_RAISED, Kind.BARRIER_ANSWERED, Kind.BARRIER_PASSED_UP):
        return _barrier_message(row, route)
    trust = _trust(row)
    return Message(
        _("A barrier is waiting for an answer in %(cycle)s") % {"cycle": trust(route.to_cycle)},
        [
            _("A barrier raised by %(cycle)s has waited for a week or more. Even “we have seen it” "
              "helps the people who raised it.")
            % {"cycle": trust(route.from_cycle)},
        ],
        _reverse("barrier-detail", workspace.slug, route.pk),
        _("Read and answer it"),
    )  # fmt: skip


def _trust(row: Reminder) -> Callable[[Cycle], str]:
    """Cycle names as the recipient may see them (cycles.trust: a person's life is shown by a
    pseudonymous name outside those who work with the person)."""
    if row.recipient is None:
        return lambda cycle: cycle.name
    return trust_for(workspace=row.workspace, user=row.recipient).cycle_name


def _barrier_message(row: Reminder, route: BarrierRoute) -> Message:
    """A barrier raised, answered or passed further up: to those who must answer it, or to
    those waiting below. Names cycles only; the barrier's and the answers' text stay in the
    app."""
    name = _trust(row)
    path = _reverse("barrier-detail", row.workspace.slug, route.pk)
    acting = row.payload.get("role") == "act"
    if acting:
        if row.kind == Kind.BARRIER_RAISED:
            title = _("A barrier from %(cycle)s is waiting for an answer") % {
                "cycle": name(route.from_cycle)
            }
        else:
            title = _("A barrier passed up by %(cycle)s is waiting for an answer") % {
                "cycle": name(route.from_cycle)
            }
        return Message(
            title,
            [
                _("It landed in %(cycle)s. Even “we have seen it” helps those who raised it; "
                  "say what changed, or why it cannot change here.")
                % {"cycle": name(route.to_cycle)},
            ],
            path,
            _("Read and answer it"),
        )  # fmt: skip
    ids = [row.payload[k] for k in ("raised", "answered", "passed") if row.payload.get(k)]
    routes: dict[int, BarrierRoute] = {}
    if ids:  # (none: not even the query's building, which costs a few ms a reminder)
        routes = {
            r.pk: r
            for r in BarrierRoute.objects.filter(workspace_id=row.workspace_id, pk__in=ids)
            .select_related("to_cycle__system__scale")
        }  # fmt: skip

    def level(key: str) -> str:
        found = routes.get(row.payload.get(key) or 0)
        return name(found.to_cycle) if found is not None else _("a cycle above")

    if row.kind == Kind.BARRIER_RAISED:
        title = _("A barrier was raised to %(cycle)s") % {"cycle": level("raised")}
        text = _("Its answers will come back to %(cycle)s, on the barrier's page.") % {
            "cycle": name(route.from_cycle)
        }
        action = _("See the barrier")
    elif row.kind == Kind.BARRIER_ANSWERED:
        state = str(BarrierRoute.State(row.payload.get("state", route.state)).label)
        title = _("An answer from %(cycle)s to a barrier you wait on") % {
            "cycle": level("answered")
        }
        text = _("%(cycle)s answered: %(state)s. Read what they said on the barrier's page.") % {
            "cycle": level("answered"),
            "state": state,
        }
        action = _("Read the answer")
    else:
        title = _("%(cycle)s passed a barrier further up, to %(to)s") % {
            "cycle": level("answered"),
            "to": level("passed"),
        }
        text = _("It cannot change at %(cycle)s; they said why on the barrier's page, and its "
                 "answers from %(to)s will show there too.") % {
            "cycle": level("answered"),
            "to": level("passed"),
        }  # fmt: skip
        action = _("Read why")
    return Message(title, [text], path, action)


# Is it still wanted? --------------------------------------------------------------------------


def _is_member(row: Reminder, user_id: int) -> bool:
    """The recipient is (still) a member of the workspace: read with the row when
    `deliver_next` loaded it (`recipient_is_member`, in the same statement), else asked."""
    known: bool | None = getattr(row, "recipient_is_member", None)
    if known is not None:
        return known
    return Membership.objects.filter(workspace_id=row.workspace_id, user_id=user_id).exists()


def still_wanted(row: Reminder) -> bool:
    """Checked at delivery time, under the row lock: the world may have moved since planning."""
    if row.recipient_id is not None and not _is_member(row, row.recipient_id):
        return False
    if row.kind in SESSION_KINDS:
        session = row.session
        if session is None:
            return False
        if row.kind in CALENDAR_KINDS:
            return row.kind == Kind.SESSION_CANCELLATION or session.status == Session.Status.ACTIVE
        slot = _slot(row)
        if slot is None or slot.cancelled:
            return False
        if stamp(slot.starts_at) != stamp(dt.datetime.fromisoformat(row.payload["starts_at"])):
            return False  # moved: the reminders for the new time have their own keys
        if row.kind == Kind.SESSION_FOLLOW_UP:
            return slot.occurrence is None or slot.occurrence.outputs_recorded_at is None
        return True
    if row.kind in (Kind.EXPERIMENT_CHECK_IN, Kind.EXPERIMENT_END):
        experiment = row.experiment
        return (
            experiment is not None
            and experiment.status == Experiment.Status.RUNNING
            and experiment.ends_on is not None
            and experiment.ends_on.isoformat() == row.payload.get("ends_on")
        )
    if row.kind == Kind.STEWARD_REVIEW:
        role = row.steward_role
        return (
            role is not None
            and role.ended_at is None
            and role.review_on.isoformat() == row.payload.get("review_on")
        )
    if row.kind == Kind.BARRIER_WAITING:
        route = row.barrier_route
        return route is not None and route.state == BarrierRoute.State.RAISED
    if row.kind in (Kind.BARRIER_RAISED, Kind.BARRIER_ANSWERED, Kind.BARRIER_PASSED_UP):
        return row.barrier_route is not None  # an event that happened stays worth telling
    return True


# Preferences ----------------------------------------------------------------------------------


def quiet_until(preference: NotificationPreference, now: dt.datetime) -> dt.datetime | None:
    """If `now` is inside the quiet hours (in the member's zone; they may cross midnight), when
    they end; else None."""
    start, end = preference.quiet_start, preference.quiet_end
    if start is None or end is None or start == end:
        return None
    tz = safe_zone(preference.timezone)
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=tz).astimezone(dt.UTC)


def next_digest(preference: NotificationPreference, now: dt.datetime) -> dt.datetime:
    tz = safe_zone(preference.timezone)
    local = now.astimezone(tz)
    hour = dt.time(min(max(preference.digest_hour, 0), 23), 0)
    candidate = dt.datetime.combine(local.date(), hour, tzinfo=tz)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), hour, tzinfo=tz)
    return candidate.astimezone(dt.UTC)


def _preference(row: Reminder) -> NotificationPreference:
    if row.recipient_id is None:
        return NotificationPreference(workspace_id=row.workspace_id)
    found = NotificationPreference.objects.filter(
        workspace_id=row.workspace_id, user_id=row.recipient_id
    ).first()
    return found or NotificationPreference(workspace_id=row.workspace_id)


# Email ----------------------------------------------------------------------------------------


def message_id(workspace_id: int, key: str) -> str:
    digest = hashlib.sha256(f"{workspace_id}:{key}".encode()).hexdigest()[:40]
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{digest}.hls@{domain}>"


def _ics_part(session: Session, method: str, only: list[SessionParticipant] | None) -> MIMEText:
    body = session_calendar(session, method=method, only=only).decode()
    part = MIMEText(body, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="session.ics")
    return part


def _attendee(row: Reminder) -> list[SessionParticipant] | None:
    """For a cancellation to someone no longer in the session: only them as attendee."""
    session = row.session
    assert session is not None
    if row.kind != Kind.SESSION_CANCELLATION or session.status == Session.Status.CANCELLED:
        return None
    if row.recipient_id is not None:
        present = session.facilitator_id == row.recipient_id or (
            session.participants.filter(user_id=row.recipient_id).exists()
        )
    else:
        present = session.participants.filter(email__iexact=row.email).exists()
    if present:
        return None
    return [SessionParticipant(session=session, user=row.recipient, email=row.email)]


def build_email(row: Reminder, message: Message, *, to: str) -> EmailMultiAlternatives:
    context = {"message": message, "workspace": row.workspace, "guest": row.recipient_id is None}
    email = EmailMultiAlternatives(
        subject=message.title,
        body=render_to_string("stewardship/notifications/email/message.txt", context),
        to=[to],
        headers={
            "Message-ID": message_id(row.workspace_id, row.key),
            "X-Idempotency-Key": f"{row.workspace_id}:{row.key}",
        },
    )
    email.attach_alternative(
        render_to_string("stewardship/notifications/email/message.html", context), "text/html"
    )
    if message.method and row.session is not None:
        email.attach(_ics_part(row.session, message.method, _attendee(row)))
    return email


# Delivering one reminder ----------------------------------------------------------------------


def _send(
    row: Reminder,
    now: dt.datetime,
    *,
    preference: NotificationPreference | None,
    mail: BaseEmailBackend | None = None,
) -> None:
    """The in-app notification and the email, or neither. The email is sent last, so only the
    row's update and the commit stand between the mail server's acceptance and the commit (the
    duplicate window of the module docstring); a failed send deletes the notification it wrote
    (no savepoint around it: two statements a reminder fewer). `mail`: a connection kept open
    for a whole run (one SMTP session for many messages); closed on a failure, so the next
    message opens a fresh one."""
    recipient: User | None = row.recipient
    tz_name = preference.timezone if preference is not None else (
        row.session.timezone if row.session is not None else "Europe/London"
    )  # fmt: skip
    message = compose(row, tz_name=tz_name)
    address = recipient.email if recipient is not None else row.email
    email_on = preference is None or preference.email_enabled
    outgoing = build_email(row, message, to=address) if address and email_on else None
    notification = None
    if recipient is not None:
        notification = Notification.objects.create(
            workspace_id=row.workspace_id,
            user=recipient,
            reminder=row,
            kind=row.kind,
            title=message.title[:200],
            body="\n\n".join(message.paragraphs),
            url=message.path,
        )
    if outgoing is not None:
        outgoing.connection = mail  # None: a connection of its own
        try:
            outgoing.send()
        except Exception:
            if mail is not None:
                mail.close()
            if notification is not None:
                Notification.objects.filter(pk=notification.pk).delete()
            raise


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(2**attempts, 360))


def deliver(row: Reminder, *, now: dt.datetime, mail: BaseEmailBackend | None = None) -> str:
    """Deliver a locked pending row (inside its workspace's scope). Returns what happened."""
    if row.status != Reminder.Status.PENDING:
        return "skipped"
    if not still_wanted(row):
        row.status = Reminder.Status.CANCELLED
        row.save(update_fields=["status", "updated_at"])
        return "cancelled"
    preference = None
    if row.recipient_id is not None:
        preference = _preference(row)
        later = quiet_until(preference, now)
        paused = preference.snoozed_until
        if paused is not None and paused > now:
            later = max(later or paused, paused)
        if later is not None:
            row.due_at = later
            row.save(update_fields=["due_at", "updated_at"])
            return "deferred"
        if preference.daily_digest and row.kind not in CALENDAR_KINDS:
            row.status = Reminder.Status.HELD
            row.due_at = next_digest(preference, now)
            row.save(update_fields=["status", "due_at", "updated_at"])
            return "held"
    try:
        _send(row, now, preference=preference, mail=mail)
    except Exception:
        logger.exception("reminder %s: sending failed, will retry", row.pk)
        row.attempts += 1
        row.due_at = now + _backoff(row.attempts)
        row.save(update_fields=["attempts", "due_at", "updated_at"])
        return "retry"
    row.status = Reminder.Status.SENT
    row.sent_at = now
    row.attempts += 1
    row.save(update_fields=["status", "sent_at", "attempts", "updated_at"])
    return "sent"


def _related(kind: str) -> tuple[str, ...]:
    """What a reminder of this kind reads to be checked and composed (and only that: a join
    fewer is a cheaper plan, run once per reminder)."""
    if kind in SESSION_KINDS:
        return ("workspace", "recipient", "session")
    if kind in (Kind.EXPERIMENT_CHECK_IN, Kind.EXPERIMENT_END):
        return ("workspace", "recipient", "experiment")
    if kind == Kind.STEWARD_REVIEW:
        return ("workspace", "recipient", "steward_role__cycle")
    return (
        "workspace", "recipient",
        "barrier_route__from_cycle__system__scale", "barrier_route__to_cycle__system__scale",
    )  # fmt: skip


def deliver_next(
    *, now: dt.datetime | None = None, mail: BaseEmailBackend | None = None
) -> str | None:
    """Take the next due pending reminder of any workspace and deliver it, in one transaction.
    None when nothing is due."""
    now = now or timezone.now()
    with tenant_scope():  # one transaction, in no workspace until the row names one
        claimed = crossing.first("next_due_reminder", now)
        if claimed is None:
            return None
        workspace_id, pk, kind = claimed
        # The work runs in the row's own workspace, in the same transaction (the lock is held
        # until the commit): from here on, the transaction sees that workspace's rows only.
        narrow_to_workspace(workspace_id)
        row = (
            Reminder.objects.select_related(*_related(kind))
            .annotate(
                recipient_is_member=Exists(
                    Membership.objects.filter(
                        workspace_id=OuterRef("workspace_id"), user_id=OuterRef("recipient_id")
                    )
                )
            )
            .get(pk=pk)
        )
        return deliver(row, now=now, mail=mail)


def dispatch_run(*, seconds: float = RUN_SECONDS, limit: int = RUN_MAX) -> tuple[int, bool]:
    """Deliver what is due, one short transaction each, until none is left or the run's rows or
    time are used up. Returns how many were sent, and whether it stopped with some still due
    (its caller then queues the next run at once, rather than leaving them to beat's next
    minute)."""
    started = time.monotonic()
    sent = 0
    with get_connection() as mail:  # one SMTP session for the run, not one per message
        for _i in range(limit):
            outcome = deliver_next(mail=mail)
            if outcome is None:
                return sent, False
            sent += outcome == "sent"
            if time.monotonic() - started > seconds:
                break
    return sent, True


def dispatch(*, seconds: float = RUN_SECONDS, limit: int = RUN_MAX) -> int:
    """Deliver what is due (see `dispatch_run`). Returns how many were sent."""
    return dispatch_run(seconds=seconds, limit=limit)[0]


def backlog(*, more_than: int, now: dt.datetime | None = None) -> bool:
    """Whether more than `more_than` pending reminders are due (an index range, not a count)."""
    now = now or timezone.now()
    return bool(crossing.ask("reminders_due_beyond", now, more_than)[0][0])


# The daily digest -----------------------------------------------------------------------------


def digest_recipients(*, now: dt.datetime) -> list[tuple[int, int]]:
    return [
        (workspace_id, user_id) for workspace_id, user_id in crossing.ask("digest_recipients", now)
    ]


def deliver_digest(*, workspace_id: int, user_id: int, now: dt.datetime) -> int:
    """One email listing a member's held reminders that are due; each is marked sent, once.
    Returns how many it listed."""
    with tenant_scope(workspace_id=workspace_id):
        rows = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                workspace_id=workspace_id,
                recipient_id=user_id,
                status=Reminder.Status.HELD,
                due_at__lte=now,
            )
            .select_related(
                "workspace", "recipient", "session", "experiment", "steward_role__cycle",
                "barrier_route__from_cycle__system__scale",
                "barrier_route__to_cycle__system__scale",
            )
            .order_by("due_at", "pk")
        )  # fmt: skip
        if not rows:
            return 0
        preference = _preference(rows[0])
        if preference.snoozed_until and preference.snoozed_until > now:
            Reminder.objects.filter(pk__in=[r.pk for r in rows]).update(
                due_at=preference.snoozed_until
            )
            return 0
        wanted = []
        for row in rows:
            if still_wanted(row):
                wanted.append(row)
            else:
                row.status = Reminder.Status.CANCELLED
                row.save(update_fields=["status", "updated_at"])
        if not wanted:
            return 0
        workspace = wanted[0].workspace
        user = wanted[0].recipient
        assert user is not None
        items = []
        for row in wanted:
            message = compose(row, tz_name=preference.timezone)
            Notification.objects.create(
                workspace=workspace,
                user=user,
                reminder=row,
                kind=row.kind,
                title=message.title[:200],
                body="\n\n".join(message.paragraphs),
                url=message.path,
            )
            items.append(message)
        if preference.email_enabled and user.email:
            keys = "|".join(r.key for r in wanted)
            digest_key = f"digest:{user_id}:{hashlib.sha256(keys.encode()).hexdigest()[:24]}"
            context = {"items": items, "workspace": workspace, "site": settings.SITE_URL}
            email = EmailMultiAlternatives(
                subject=_("Your daily digest from %(workspace)s") % {"workspace": workspace.name},
                body=render_to_string("stewardship/notifications/email/digest.txt", context),
                to=[user.email],
                headers={
                    "Message-ID": message_id(workspace_id, digest_key),
                    "X-Idempotency-Key": f"{workspace_id}:{digest_key}",
                },
            )
            email.attach_alternative(
                render_to_string("stewardship/notifications/email/digest.html", context),
                "text/html",
            )
            email.send()
        Reminder.objects.filter(pk__in=[r.pk for r in wanted]).update(
            status=Reminder.Status.SENT, sent_at=now, updated_at=now
        )
        return len(wanted)


def digest(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(
        deliver_digest(workspace_id=workspace_id, user_id=user_id, now=now)
        for workspace_id, user_id in digest_recipients(now=now)
    )
