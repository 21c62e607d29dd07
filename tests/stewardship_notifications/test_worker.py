"""Exactly once under a real Celery worker (a subprocess) on the real Redis broker.

The worker reads the test database (DATABASE_URL points at it), so the data must be committed:
`transactional_db`. Each test has its own queue. Sent mail is appended to a file by
tests/stewardship_notifications/mailbackend.py, one line per message with its idempotency key.
"""

import datetime as dt
import json
import os
import signal
import subprocess
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from hls.celery import app
from hls.tenancy.context import tenant_scope
from stewardship.models import Reminder
from stewardship.notifications import services
from stewardship.notifications.planning import stamp
from stewardship.notifications.tasks import dispatch_due
from tests.factories import (
    OccurrenceFactory,
    ReminderFactory,
    SessionFactory,
    SessionParticipantFactory,
)
from tests.processes import live_database_url, queue_drained, start_worker, wait_for

pytestmark = pytest.mark.live
S = Reminder.Status


class Workers:
    def __init__(self, tmp: Path, queue: str) -> None:
        self.tmp, self.queue = tmp, queue
        self.mail = tmp / "mail.jsonl"
        self.reached = tmp / "reached"
        self.done_file = tmp / "done"
        self.procs: list[subprocess.Popen] = []

    def start(self, *, hang_at: int = 0) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.stewardship_notifications.worker_settings",
            "DATABASE_URL": live_database_url(),
            "CONN_MAX_AGE": "0",
            "NOTIFY_MAIL_FILE": str(self.mail),
            "NOTIFY_MAIL_REACHED": str(self.reached),
            "NOTIFY_TASKS_DONE": str(self.done_file),
            "NOTIFY_MAIL_HANG_AT": str(hang_at),
        }
        proc = start_worker(env, self.tmp / f"worker-{len(self.procs)}.log", queue=self.queue)
        self.procs.append(proc)
        return proc

    def done(self) -> set[str]:
        """The ids of the tasks the workers have finished."""
        if not self.done_file.exists():
            return set()
        return set(self.done_file.read_text().split())

    def drained(self) -> bool:
        return queue_drained(settings.REDIS_URL, self.queue)

    def lines(self) -> list[dict]:
        if not self.mail.exists():
            return []
        return [json.loads(line) for line in self.mail.read_text().splitlines() if line]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)


@pytest.fixture
def workers(transactional_db, tmp_path) -> Iterator[Workers]:
    queue = f"hls-test-notify-{uuid.uuid4().hex}"
    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    found = Workers(tmp_path, queue)
    try:
        yield found
    finally:
        found.stop()
        app.conf.update(saved)
        client = redis.Redis.from_url(settings.REDIS_URL)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()


def _due_batch(workspace, make_member, n: int) -> list[str]:
    """n invitations due now, each to another member."""
    members = [make_member(workspace) for _ in range(n)]
    with tenant_scope(workspace_id=workspace.pk):
        session = SessionFactory(workspace=workspace)
        return [
            ReminderFactory(
                workspace=workspace, recipient=m.user, kind=Reminder.Kind.SESSION_INVITATION,
                session=session, key=f"batch:{i}",
            ).key
            for i, m in enumerate(members)
        ]  # fmt: skip


def _statuses(workspace) -> Counter:
    with tenant_scope(workspace_id=workspace.pk):
        return Counter(Reminder.objects.values_list("status", flat=True))


def _due_left(workspace) -> int:
    with tenant_scope(workspace_id=workspace.pk):
        return Reminder.objects.filter(status=S.PENDING, due_at__lte=timezone.now()).count()


def _sent(workers: Workers) -> Counter:
    """Idempotency keys of the mail sent (the header is "<workspace id>:<key>")."""
    return Counter(line["key"].split(":", 1)[1] for line in workers.lines())


def test_a_batch_is_delivered_once_each_by_concurrent_dispatches(workers, workspace, make_member):
    keys = _due_batch(workspace, make_member, 12)
    for _ in range(4):
        dispatch_due.delay()
    workers.start()
    workers.start()  # two workers on the queue, taking the dispatches concurrently
    wait_for(lambda: _statuses(workspace)[S.SENT] == len(keys), "every reminder to be sent")
    later = {dispatch_due.delay().id for _ in range(3)}  # more runs after: nothing more goes out
    wait_for(lambda: later <= workers.done(), "the later dispatches to have run")
    assert _sent(workers) == Counter(keys)


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    workers, workspace, make_member
):
    keys = _due_batch(workspace, make_member, 8)
    first = workers.start(hang_at=4)
    dispatch_due.delay()
    wait_for(workers.reached.exists, "the worker to reach the 4th message")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    assert len(workers.lines()) == 3
    assert _statuses(workspace)[S.SENT] == 3  # the 4th was in flight, not committed

    workers.start()
    dispatch_due.delay()
    wait_for(lambda: _statuses(workspace)[S.SENT] == len(keys), "the rest to be sent")
    assert _sent(workers) == Counter(keys)
    assert _statuses(workspace) == Counter({S.SENT: len(keys)})


def test_a_session_moved_after_reminders_were_queued(workers, workspace, make_member):
    fay = make_member(workspace, email="fay@riverside.test")
    pat = make_member(workspace, email="pat9@riverside.test")
    start = (timezone.now() + dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
    with tenant_scope(workspace_id=workspace.pk):
        session = SessionFactory(
            workspace=workspace, facilitator=fay.user, starts_at=start, rrule="",
            reminder_leads=[20], timezone="Europe/London",
        )  # fmt: skip
        SessionParticipantFactory(workspace=workspace, session=session, user=pat.user)
        services.session_changed(session=session, change="created")
        # The invitations went out long ago; the reminder 20 minutes before is due now.
        Reminder.objects.filter(kind=Reminder.Kind.SESSION_INVITATION).update(status=S.SENT)
        Reminder.objects.filter(kind=Reminder.Kind.SESSION_REMINDER).update(
            due_at=timezone.now() - dt.timedelta(seconds=1)
        )
        old_keys = set(
            Reminder.objects.filter(kind=Reminder.Kind.SESSION_REMINDER).values_list(
                "key", flat=True
            )
        )
    assert len(old_keys) == 2
    for _ in range(3):
        dispatch_due.delay()  # waiting in the broker: no worker yet

    new_start = start + dt.timedelta(minutes=15)
    with tenant_scope(workspace_id=workspace.pk):
        OccurrenceFactory(
            workspace=workspace, session=session, original_start=start, starts_at=new_start
        )
        session.refresh_from_db()
        services.session_changed(session=session, change="occurrence")
        # The reminder for the new time is due now too (20 minutes before 45 from now is soon;
        # bring it forward so the test need not wait).
        Reminder.objects.filter(kind=Reminder.Kind.SESSION_REMINDER, status=S.PENDING).update(
            due_at=timezone.now() - dt.timedelta(seconds=1)
        )
    workers.start()
    wait_for(lambda: _due_left(workspace) == 0, "every due reminder to be delivered")
    wait_for(lambda: workers.drained(), "every dispatch to have ended")
    sent = _sent(workers)
    assert not set(sent) & old_keys
    assert all(count == 1 for count in sent.values())
    updates = [k for k in sent if ":seq:1:update:" in k]
    assert len(updates) == 2
    reminders = [k for k in sent if ":lead:20:" in k]
    assert len(reminders) == 2
    assert all(f":{stamp(new_start)}:lead:" in k for k in reminders)
