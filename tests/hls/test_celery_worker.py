"""A real Celery worker on the real Redis broker sends invitation emails, once per send.

The worker runs in a thread with its own database connection, so the data it reads must be
committed: these tests use `transactional_db`. Each test gets its own queue, so messages left
over from other runs (or other xdist workers) never reach it.
"""

import uuid
from collections.abc import Iterator

import pytest
import redis
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connection

from hls.celery import app
from hls.tenancy import services
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from hls.tenancy.tasks import send_invitation_email
from tests.processes import wait_for

pytestmark = pytest.mark.live
WAIT_SECONDS = 20


@pytest.fixture
def worker(transactional_db: None) -> Iterator[dict[str, object]]:
    """Run a worker on a queue of its own; yields {task id: return value} of finished tasks."""
    queue = f"hls-test-{uuid.uuid4().hex}"
    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    saved_selection = app.amqp.queues._consume_from
    finished: dict[str, object] = {}

    def on_postrun(task_id: str, retval: object, **_kwargs: object) -> None:
        finished[task_id] = retval
        connection.close()  # the worker thread's own connection: leave none open behind

    signals.task_postrun.connect(on_postrun, weak=False)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, queues=[queue], loglevel="WARNING"
        ):
            yield finished
    finally:
        signals.task_postrun.disconnect(on_postrun)
        app.conf.update(saved)
        app.amqp.queues._consume_from = saved_selection
        client = redis.Redis.from_url(settings.REDIS_URL)
        # the queue, and kombu's records of its exchange binding
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()


def test_the_worker_sends_an_invitation_email_once_per_send(
    worker: dict[str, object], workspace: Workspace, admin: Membership
) -> None:
    with tenant_scope(workspace_id=workspace.pk, user_id=admin.user.pk):
        invitation, _created = services.invitation_create(
            workspace=workspace, invited_by=admin.user, email="far@example.test", role=Role.VIEWER
        )
    assert app.conf.task_always_eager is False

    wait_for(lambda: len(mail.outbox) >= 1, "the invitation email", WAIT_SECONDS, every=0.05)
    wait_for(lambda: True in worker.values(), "the task to finish", WAIT_SECONDS, every=0.05)
    assert [m.to for m in mail.outbox] == [["far@example.test"]]
    assert "/invitations/" in mail.outbox[0].body

    # The same send again, as after a redelivery: nothing more is sent.
    again = send_invitation_email.delay(workspace.pk, invitation.pk, 1)
    wait_for(lambda: again.id in worker, "the repeated task", WAIT_SECONDS, every=0.05)
    assert worker[again.id] is False
    assert len(mail.outbox) == 1

    # A resend is a new send number, and is sent.
    with tenant_scope(workspace_id=workspace.pk, user_id=admin.user.pk):
        services.invitation_resend(invitation=invitation, actor=admin.user)
    wait_for(lambda: len(mail.outbox) >= 2, "the second email", WAIT_SECONDS, every=0.05)
    assert [m.to for m in mail.outbox] == [["far@example.test"], ["far@example.test"]]
    with tenant_scope(workspace_id=workspace.pk):
        invitation.refresh_from_db()
    assert (invitation.send_count, invitation.emailed_count) == (2, 2)
    # and the member list was not disturbed by the worker
    with tenant_scope(workspace_id=workspace.pk):
        assert list(Membership.objects.values_list("role", flat=True)) == [Role.ADMIN]
