"""Two beat schedulers started by mistake send nothing twice (issue 17, docs/operations.md).

Real processes: two `celery beat`, each with every entry of CELERY_BEAT_SCHEDULE due every two
seconds (tests/hls/beat_settings.py), and two Celery workers, on a redis-server of the test's
own and the test database; an SMTP server on loopback (aiosmtpd) receives the mail and a
webhook receiver the deliveries. Due at once: reminders, a meeting's follow-up that only the
planner makes, a member's daily digest, an invitation email whose message was lost, webhook
deliveries, and drafts past the workspace's retention. Each beat sends every task many times
over, the two workers run them side by side, and each email, webhook delivery, in-app
notification and retention run happens exactly once (by the idempotency keys the messages
carry, and by the rows).

The processes read committed data: `transactional_db`.
"""

import datetime as dt
import email
import os
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from cycles.models import EntryDraft
from hls.audit.models import RetentionRun
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Invitation, Membership, Role, Workspace
from hls.webhooks.models import WebhookDelivery
from hls.webhooks.services import webhook_emit, webhook_subscription_create
from stewardship.models import Notification, NotificationPreference, Reminder
from tests.factories import EntryDraftFactory, InvitationFactory, ReminderFactory, SessionFactory
from tests.processes import (
    REPO,
    RedisServer,
    free_port,
    live_database_url,
    queue_drained,
    start_worker,
    stop,
    wait_for,
)
from tests.webhooks.receivers import Receiver

pytestmark = pytest.mark.live

REMINDERS = 12
HELD = 3  # in one member's daily digest
EVENTS = 5
DRAFTS = 4
AFTER = 6  # seconds the beats go on after everything was sent once: time to send it again
RETENTION = "stewardship.privacy.tasks.apply_retention"
HAS_RETENTION = any(e["task"] == RETENTION for e in settings.CELERY_BEAT_SCHEDULE.values())


class Sink:
    """An SMTP server on loopback counting each message by its idempotency key."""

    def __init__(self) -> None:
        self.port = free_port()
        self.keys: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        key = message.get("X-Idempotency-Key") or message.get("X-HLS-Idempotency-Key") or ""
        with self.lock:
            self.keys[str(key)] += 1
        return "250 OK"

    def counted(self) -> Counter[str]:
        with self.lock:
            return Counter(self.keys)


@pytest.fixture
def sink() -> Iterator[Sink]:
    from aiosmtpd.controller import Controller

    found = Sink()
    controller = Controller(found, hostname="127.0.0.1", port=found.port)
    controller.start()
    try:
        yield found
    finally:
        controller.stop()


class Stack:
    def __init__(self, tmp: Path, redis_url: str, smtp_port: int) -> None:
        self.tmp = tmp
        self.redis_url = redis_url
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.hls.beat_settings",
            "DATABASE_URL": live_database_url(),
            "REDIS_URL": redis_url,
            "CONN_MAX_AGE": "0",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "PYTEST_XDIST_WORKER": f"beats-{uuid.uuid4().hex[:8]}",
        }
        self.workers: list[subprocess.Popen[bytes]] = []
        self.beats: list[subprocess.Popen[bytes]] = []

    def worker(self) -> None:
        n = len(self.workers)
        self.workers.append(start_worker(self.env, self.tmp / f"worker-{n}.log"))

    def beat(self) -> None:
        n = len(self.beats)
        argv = [
            str(REPO / ".venv/bin/celery"), "-A", "hls", "beat", "--loglevel=INFO",
            "--schedule", str(self.tmp / f"beat-{n}-schedule"),
            "--pidfile", str(self.tmp / f"beat-{n}.pid"),
        ]  # fmt: skip
        with (self.tmp / f"beat-{n}.log").open("w") as out:
            beat = subprocess.Popen(argv, cwd=REPO, env=self.env, stdout=out, stderr=out)
        self.beats.append(beat)

    def sent_by_beat(self, n: int, entry: str) -> int:
        return (self.tmp / f"beat-{n}.log").read_text().count(f"Sending due task {entry} ")

    def stop(self) -> None:
        for proc in [*self.beats, *self.workers]:
            stop(proc, grace=30)


@pytest.fixture
def stack(
    transactional_db: None, tmp_path: Path, redis_server: RedisServer, sink: Sink
) -> Iterator[Stack]:
    found = Stack(tmp_path, redis_server.url, sink.port)
    try:
        yield found
    finally:
        found.stop()


def _seed(
    workspace: Workspace, make_member: Callable[..., Membership], receiver: Receiver
) -> dict[str, Any]:
    admin = make_member(workspace, Role.ADMIN, email="ada@riverside.test")
    members = [make_member(workspace, email=f"m{i}@riverside.test") for i in range(REMINDERS)]
    digester = make_member(workspace, email="dee@riverside.test")
    facilitator = make_member(workspace, email="fay@riverside.test")
    now = timezone.now()
    with tenant_scope(workspace_id=workspace.pk):
        invited = SessionFactory(workspace=workspace, reminder_leads=[])
        for i, member in enumerate(members):
            ReminderFactory(
                workspace=workspace, recipient=member.user, session=invited,
                kind=Reminder.Kind.SESSION_INVITATION, key=f"beats:invite:{i}",
                due_at=now - dt.timedelta(minutes=1),
            )  # fmt: skip
        NotificationPreference.objects.create(
            workspace=workspace, user=digester.user, daily_digest=True
        )
        for i in range(HELD):
            ReminderFactory(
                workspace=workspace, recipient=digester.user, session=invited,
                kind=Reminder.Kind.SESSION_INVITATION, key=f"beats:held:{i}",
                status=Reminder.Status.HELD, due_at=now - dt.timedelta(minutes=5),
            )  # fmt: skip
        # A meeting that ended an hour and a half ago: only the planner makes its follow-up.
        met = SessionFactory(
            workspace=workspace, facilitator=facilitator.user, reminder_leads=[],
            starts_at=now - dt.timedelta(hours=3), duration_minutes=90,
        )  # fmt: skip
        # An invitation whose email's message was lost (the outbox sweep sends it again).
        invitation = InvitationFactory(
            workspace=workspace, invited_by=admin.user, send_count=1, emailed_count=0,
            last_sent_at=now - dt.timedelta(minutes=10),
        )  # fmt: skip
        webhook_subscription_create(
            workspace=workspace, created_by=admin.user, url=receiver.url,
            events=["experiment.ended"],
        )  # fmt: skip
        for i in range(EVENTS):
            webhook_emit(
                workspace=workspace, event="experiment.ended", resource="experiment",
                object_id=900 + i, data={"cycle": 1, "outcome": "adapt"},
            )  # fmt: skip
        workspace.retain_drafts_days = 30
        workspace.save(update_fields=["retain_drafts_days"])
        drafts = [EntryDraftFactory(workspace=workspace, author=admin.user) for _ in range(DRAFTS)]
        EntryDraft.objects.filter(pk__in=[d.pk for d in drafts]).update(
            updated_at=now - dt.timedelta(days=31)
        )
    return {"session": met.pk, "invitation": invitation.pk, "digester": digester.user_id}


def test_two_beats_at_once_send_each_reminder_digest_invitation_and_webhook_once(
    stack: Stack, sink: Sink, receiver: Receiver, workspace: Workspace,
    make_member: Callable[..., Membership], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # Written here (where tasks would run at once) for the beats alone to send.
    monkeypatch.setattr("hls.webhooks.services._queue_dispatch", lambda: None)
    seeded = _seed(workspace, make_member, receiver)
    expected_mail = REMINDERS + 1 + 1 + 1  # the reminders, the follow-up, a digest, the invitation

    stack.worker()
    stack.worker()
    stack.beat()
    stack.beat()

    def everything_once() -> bool:
        mail = sum(sink.counted().values())
        return mail >= expected_mail and len(receiver.deliveries()) >= EVENTS

    wait_for(everything_once, "every message to be sent once", 90)
    # Both beats keep sending every task every two seconds; the workers keep running them.
    time.sleep(AFTER)
    for beat in stack.beats:
        stop(beat, grace=30)
    wait_for(lambda: queue_drained(stack.redis_url, "celery"), "the workers to finish", 90)

    # Both beats were really sending, each many times over.
    for n in (0, 1):
        for entry in ("dispatch-due-reminders", "send-daily-digests", "plan-reminders"):
            assert stack.sent_by_beat(n, entry) >= 3, (n, entry)
        assert stack.sent_by_beat(n, "dispatch-webhooks") >= 3
        assert stack.sent_by_beat(n, "republish-invitation-emails") >= 3

    # Mail: each message once, by its idempotency key.
    mail = sink.counted()
    assert sum(mail.values()) == expected_mail, mail
    assert set(mail.values()) == {1}, [key for key, n in mail.items() if n > 1]
    reminder_keys = {k for k in mail if ":beats:invite:" in k}
    assert len(reminder_keys) == REMINDERS
    assert len([k for k in mail if ":follow-up:" in k]) == 1
    assert len([k for k in mail if f":digest:{seeded['digester']}:" in k]) == 1
    assert len([k for k in mail if k.startswith("invitation-")]) == 1

    with tenant_scope(workspace_id=workspace.pk):
        reminders = list(Reminder.objects.all())
        statuses = Counter(r.status for r in reminders)
        assert statuses == {Reminder.Status.SENT: REMINDERS + HELD + 1}, statuses
        follow_ups = [r for r in reminders if r.kind == Reminder.Kind.SESSION_FOLLOW_UP]
        assert len(follow_ups) == 1, "planned once, however often the planner ran"
        assert all(r.attempts <= 1 for r in reminders)
        # One in-app notification per reminder.
        notified = Counter(Notification.objects.values_list("reminder_id", flat=True))
        assert notified == Counter({r.pk: 1 for r in reminders})
        assert Invitation.objects.get(pk=seeded["invitation"]).emailed_count == 1
        deliveries = list(WebhookDelivery.objects.all())
        assert len(deliveries) == EVENTS
        assert {(d.status, d.attempts) for d in deliveries} == {
            (WebhookDelivery.Status.SUCCEEDED, 1)
        }
        if HAS_RETENTION:
            runs = list(RetentionRun.objects.all())
            assert [r.counts for r in runs] == [{"identities": 0, "drafts": DRAFTS}]
            assert not EntryDraft.objects.exists()
    # Webhooks: each event reached the receiver once.
    assert sorted(receiver.deliveries()) == sorted({str(d.event_id) for d in deliveries})
