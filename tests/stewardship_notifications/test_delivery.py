"""Delivery in-process (the real-worker tests are in test_worker.py): preferences, the digest,
checks at delivery time, and what the email says."""

import datetime as dt
from email.mime.base import MIMEBase

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from hls.tenancy.context import tenant_scope
from stewardship.models import Notification, NotificationPreference, Reminder
from stewardship.notifications import delivery
from stewardship.sessions.recurrence import Slot
from tests.factories import NotificationPreferenceFactory, OccurrenceFactory

from .conftest import LONDON, changed, london, rows

K = Reminder.Kind
S = Reminder.Status
pytestmark = pytest.mark.django_db


def _run(now=None) -> list[str]:
    outcomes = []
    while (outcome := delivery.deliver_next(now=now)) is not None:
        outcomes.append(outcome)
        if len(outcomes) > 100:
            break
    return outcomes


def _only_pat_due(world, kind=K.SESSION_REMINDER):
    """Everything but Pat's 60-minute reminder set aside, and that one due now."""
    changed(world, "created")
    with tenant_scope(workspace_id=world.workspace.pk):
        Reminder.objects.update(status=S.SENT)
        row = Reminder.objects.get(kind=kind, recipient=world.pat.user, payload__lead=60)
        Reminder.objects.filter(pk=row.pk).update(status=S.PENDING, due_at=timezone.now())
    return row


def _prefs(world, **fields):
    with tenant_scope(workspace_id=world.workspace.pk):
        NotificationPreferenceFactory(workspace=world.workspace, user=world.pat.user, **fields)


def test_an_invitation_goes_to_members_in_app_and_by_email_and_to_guests_by_email_only(world):
    changed(world, "created")
    assert sorted(_run()) == ["sent"] * 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["pat2@riverside.test", "sam@riverside.test", "fay@riverside.test", "gita@example.org"]
    )
    with tenant_scope(workspace_id=world.workspace.pk):
        notes = Notification.objects.filter(kind=K.SESSION_INVITATION)
        assert {n.user_id for n in notes} == {
            world.pat.user.pk,
            world.sam.user.pk,
            world.fay.user.pk,
        }
    assert {r.status for r in rows(world.workspace, kind=K.SESSION_INVITATION)} == {S.SENT}
    # run again: nothing more
    assert _run() == []
    assert len(mail.outbox) == 4


def test_the_email_has_html_text_headers_links_and_an_ics(world):
    changed(world, "created")
    _run()
    message = next(m for m in mail.outbox if m.to == ["pat2@riverside.test"])
    row = rows(world.workspace, kind=K.SESSION_INVITATION, recipient=world.pat.user)[0]
    assert message.extra_headers["X-Idempotency-Key"] == f"{world.workspace.pk}:{row.key}"
    assert message.extra_headers["Message-ID"] == delivery.message_id(world.workspace.pk, row.key)
    assert message.subject == "You are invited: Team sense-making"
    html = message.alternatives[0]
    assert html.mimetype == "text/html"
    session_url = reverse("session-detail", args=[world.workspace.slug, world.session.pk])
    assert session_url in message.body
    assert f'href="http://127.0.0.1:8000{session_url}"' in html.content
    assert "Room 2, Riverside Hub" in message.body
    parts = [a for a in message.attachments if isinstance(a, MIMEBase)]
    assert parts[0].get_content_type() == "text/calendar"
    assert parts[0].get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(parts[0].get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == str(world.session.uid)
    assert event["SEQUENCE"] == 0
    # Same message sent twice (a crash after SMTP accepted it) has the same Message-ID.
    with tenant_scope(workspace_id=world.workspace.pk):
        composed = delivery.compose(row, tz_name="Europe/London")
        again = delivery.build_email(row, composed, to="x@y.z")
    assert again.extra_headers["Message-ID"] == message.extra_headers["Message-ID"]


def test_a_session_reminder_links_to_the_meeting(world):
    row = _only_pat_due(world)
    assert _run() == ["sent"]
    slot_key = Slot(world.session, london(3), london(3), False, None).key
    url = reverse("meeting-detail", args=[world.workspace.slug, world.session.pk, slot_key])
    [message] = mail.outbox
    assert url in message.body
    assert "10:00" in message.body  # in Pat's (London) time
    assert not message.attachments
    with tenant_scope(workspace_id=world.workspace.pk):
        assert Notification.objects.get(reminder_id=row.pk).url == url


def test_an_update_and_a_cancellation_carry_request_and_cancel(world):
    changed(world, "created")
    _run()
    mail.outbox.clear()
    changed(world, "updated")
    _run()
    methods = {m.attachments[0].get_param("method") for m in mail.outbox}
    assert methods == {"REQUEST"}
    mail.outbox.clear()
    with tenant_scope(workspace_id=world.workspace.pk):
        world.session.status = "cancelled"
        world.session.save()
    changed(world, "cancelled")
    _run()
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        ics = Calendar.from_ical(message.attachments[0].get_payload(decode=True))
        assert ics["METHOD"] == "CANCEL"
        assert ics.walk("VEVENT")[0]["SEQUENCE"] == 2


@pytest.mark.parametrize(
    ("local_now", "until"),
    [
        ((23, 30), (1, 7, 0)),  # late evening: quiet until 07:00 tomorrow
        ((6, 0), (0, 7, 0)),  # early morning: until 07:00 today
    ],
)
def test_quiet_hours_across_midnight_defer_the_reminder(world, local_now, until):
    row = _only_pat_due(world)
    _prefs(world, quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0), timezone="Europe/London")
    now = london(1, *local_now)
    with tenant_scope(workspace_id=world.workspace.pk):
        Reminder.objects.filter(pk=row.pk).update(due_at=now)
    assert _run(now=now) == ["deferred"]
    [deferred] = rows(world.workspace, pk=row.pk)
    assert deferred.status == S.PENDING
    assert deferred.due_at == london(1 + until[0], until[1], until[2])
    assert mail.outbox == []


def test_outside_quiet_hours_it_is_sent(world):
    row = _only_pat_due(world)
    _prefs(world, quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 0))
    now = london(1, 12)
    with tenant_scope(workspace_id=world.workspace.pk):
        Reminder.objects.filter(pk=row.pk).update(due_at=now)
    assert _run(now=now) == ["sent"]


def test_a_pause_moves_it_to_the_end_of_the_pause(world):
    row = _only_pat_due(world)
    pause = timezone.now() + dt.timedelta(days=2)
    _prefs(world, snoozed_until=pause)
    assert _run() == ["deferred"]
    assert rows(world.workspace, pk=row.pk)[0].due_at == pause


def test_email_off_means_in_app_only(world):
    row = _only_pat_due(world)
    _prefs(world, email_enabled=False)
    assert _run() == ["sent"]
    assert mail.outbox == []
    with tenant_scope(workspace_id=world.workspace.pk):
        assert Notification.objects.filter(reminder_id=row.pk).exists()


def test_the_daily_digest_holds_then_sends_once(world):
    changed(world, "created")
    with tenant_scope(workspace_id=world.workspace.pk):
        Reminder.objects.update(status=S.SENT)
        Reminder.objects.filter(kind=K.SESSION_REMINDER, recipient=world.pat.user).update(
            status=S.PENDING, due_at=london(0, 11)
        )
    _prefs(world, daily_digest=True, digest_hour=8, timezone="Europe/London")
    now = london(0, 12)
    assert _run(now=now) == ["held", "held"]
    held = rows(world.workspace, status=S.HELD)
    assert {r.due_at for r in held} == {london(1, 8)}
    assert mail.outbox == []
    # Not yet at 07:00; at 08:00 one email lists both; again: nothing.
    assert delivery.digest(now=london(1, 7)) == 0
    assert delivery.digest(now=london(1, 8)) == 2
    assert delivery.digest(now=london(1, 8, 5)) == 0
    [message] = mail.outbox
    assert message.to == ["pat2@riverside.test"]
    assert message.body.count("Team sense-making") == 2
    assert message.alternatives[0].mimetype == "text/html"
    assert {r.status for r in rows(world.workspace, recipient=world.pat.user)} == {S.SENT}
    with tenant_scope(workspace_id=world.workspace.pk):
        assert Notification.objects.filter(user=world.pat.user).count() == 2


def test_a_reminder_for_a_moved_meeting_is_not_sent_even_if_planning_missed_it(world):
    row = _only_pat_due(world)
    with tenant_scope(workspace_id=world.workspace.pk):
        OccurrenceFactory(
            workspace=world.workspace,
            session=world.session,
            original_start=london(3),
            starts_at=london(3, 15),
        )
    assert _run() == ["cancelled"]
    assert rows(world.workspace, pk=row.pk)[0].status == S.CANCELLED
    assert mail.outbox == []


def test_the_follow_up_is_not_sent_once_outputs_are_recorded(world):
    changed(world, "created")
    with tenant_scope(workspace_id=world.workspace.pk):
        Reminder.objects.update(status=S.SENT)
        Reminder.objects.filter(kind=K.SESSION_FOLLOW_UP).update(
            status=S.PENDING, due_at=timezone.now()
        )
        OccurrenceFactory(
            workspace=world.workspace, session=world.session, outputs_recorded_at=timezone.now()
        )
    assert _run() == ["cancelled"]


def test_a_failed_send_is_retried_later_not_lost(world, monkeypatch):
    row = _only_pat_due(world)

    def broken(self, fail_silently=False):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    assert _run() == ["retry"]
    failed = rows(world.workspace, pk=row.pk)[0]
    assert (failed.status, failed.attempts) == (S.PENDING, 1)
    assert failed.due_at > timezone.now()
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not Notification.objects.filter(reminder_id=row.pk).exists()  # rolled back
    monkeypatch.undo()
    assert _run(now=failed.due_at) == ["sent"]


class OneSessionBackend(LocmemBackend):
    """Counts mail connections made and closed; the first send fails when told to."""

    made = 0
    closed = 0
    fail_first = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).made += 1

    def close(self):
        type(self).closed += 1

    def send_messages(self, messages):
        if type(self).fail_first:
            type(self).fail_first = False
            raise OSError("the connection dropped")
        return super().send_messages(messages)


def test_a_run_sends_through_one_connection_and_a_dropped_one_is_opened_again(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.OneSessionBackend"
    OneSessionBackend.made = OneSessionBackend.closed = 0
    OneSessionBackend.fail_first = True
    changed(world, "created")  # four invitations due now
    assert delivery.dispatch() == 3  # the first failed: it is retried later, the rest went out
    assert OneSessionBackend.made == 1  # one connection for the whole run
    assert OneSessionBackend.closed >= 2  # closed after the failure (reopened), and at the end
    assert len(mail.outbox) == 3
    invitations = rows(world.workspace, kind=K.SESSION_INVITATION)
    assert sorted(r.status for r in invitations) == [S.PENDING, S.SENT, S.SENT, S.SENT]


def test_quiet_hours_helper_in_another_zone():
    pref = NotificationPreference(
        timezone="America/New_York", quiet_start=dt.time(21, 0), quiet_end=dt.time(6, 30)
    )
    now = dt.datetime(2025, 3, 1, 3, 0, tzinfo=dt.UTC)  # 22:00 in New York
    assert delivery.quiet_until(pref, now) == dt.datetime(2025, 3, 1, 11, 30, tzinfo=dt.UTC)
    assert delivery.quiet_until(pref, dt.datetime(2025, 3, 1, 15, 0, tzinfo=dt.UTC)) is None
    # And in the world's zone, across the change to summer time: 22:00 in London in July is
    # 21:00 UTC, quiet until 06:30 London time.
    london_pref = NotificationPreference(
        timezone="Europe/London", quiet_start=dt.time(21, 0), quiet_end=dt.time(6, 30)
    )
    july_night = dt.datetime(2025, 7, 1, 22, 0, tzinfo=LONDON).astimezone(dt.UTC)
    assert july_night.hour == 21
    assert delivery.quiet_until(london_pref, july_night) == dt.datetime(
        2025, 7, 2, 6, 30, tzinfo=LONDON
    )
    january_night = dt.datetime(2025, 1, 15, 22, 0, tzinfo=LONDON).astimezone(dt.UTC)
    assert delivery.quiet_until(london_pref, january_night) == dt.datetime(
        2025, 1, 16, 6, 30, tzinfo=dt.UTC
    )


def test_a_backlog_brings_a_helper_and_each_run_queues_the_next_until_none_is_due(
    world, monkeypatch
):
    from stewardship.notifications import tasks

    published = []
    monkeypatch.setattr(delivery, "RUN_MAX", 2)
    monkeypatch.setattr(tasks, "publish", lambda task, *args: published.append(args))
    changed(world, "created")  # four invitations due now: more than one run of two takes
    assert tasks.dispatch_due() == 2
    assert published == [(True,), (True,)]  # a helper at once, then the next run
    published.clear()
    assert tasks.dispatch_due(True) == 2  # a helper asks for no more helpers
    assert published == [(True,)]  # it used up its run: the next may find more
    published.clear()
    assert tasks.dispatch_due(True) == 0
    assert published == []  # none was due: the chain ends
    assert len(mail.outbox) == 4


def test_one_reminder_costs_a_fixed_number_of_statements(world, django_assert_num_queries):
    _only_pat_due(world)
    # Eight: the scope, the lock, the workspace's scope, the row with what it needs and whether
    # its recipient is still a member, the meeting slot, the preference, the in-app
    # notification, the row marked sent. Four more only because the test's own transaction
    # is around it (a savepoint, and its scope read and given back).
    with django_assert_num_queries(8 + 4):
        assert delivery.deliver_next() == "sent"
