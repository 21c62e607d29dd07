"""Delivery through a real local HTTP receiver: signatures, retries with backoff, disabling
after repeated failures (the admins are told), no double delivery, replay, refused URLs."""

import datetime as dt
import hashlib
import hmac
import json
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from hls.webhooks import delivery
from hls.webhooks.models import WebhookDelivery, WebhookSubscription
from hls.webhooks.services import (
    webhook_delivery_replay,
    webhook_emit,
    webhook_secret_rotate,
    webhook_subscription_create,
    webhook_subscription_enable,
)
from stewardship.models import LearningReport, Notification
from stewardship.reports.services import report_publish
from tests.bypass import all_workspaces
from tests.factories import CycleFactory, LearningReportFactory, ReportCycleFactory

Status = WebhookDelivery.Status


def _publish_report(admin):
    workspace = admin.workspace
    with tenant_scope(workspace_id=workspace.pk):
        report = LearningReportFactory(
            workspace=workspace,
            title="What Riverside learnt about Sam's tenancy",
            created_by=admin.user,
            assembly=LearningReport.Assembly.READY,
        )
        cycle = CycleFactory(workspace=workspace)
        ReportCycleFactory(workspace=workspace, report=report, cycle=cycle)
        report_publish(workspace=workspace, report=report, user=admin.user)
    return report, cycle


def _emit(admin, n=1):
    with tenant_scope(workspace_id=admin.workspace_id):
        for i in range(n):
            webhook_emit(
                workspace=admin.workspace,
                event="experiment.ended",
                resource="experiment",
                object_id=1000 + i,
                data={"cycle": 1, "outcome": "adapt"},
            )


def _rows(subscription=None):
    with all_workspaces("test"):
        rows = WebhookDelivery.objects.order_by("pk")
        if subscription is not None:
            rows = rows.filter(subscription=subscription)
        return list(rows)


def _subscription(pk):
    with all_workspaces("test"):
        return WebhookSubscription.objects.get(pk=pk)


def test_a_published_report_reaches_a_real_receiver_signed(admin, receiver, subscribe):
    subscription = subscribe(receiver.url, ["report.published"])
    receiver.secret = subscription.secret
    report, cycle = _publish_report(admin)

    assert delivery.dispatch() == 1

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/hook"
    assert request.verified, "hls.webhooks.signing.verify accepted the signature"
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == "HLS-Learning-Cycles-Webhooks/1"
    assert headers["x-hls-event"] == "report.published"
    # Independently of our module: HMAC-SHA256 over "<t>.<raw body>".
    parts = dict(item.split("=", 1) for item in headers["x-hls-signature"].split(","))
    expected = hmac.new(
        subscription.secret.encode(), f"{parts['t']}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    assert abs(int(parts["t"]) - timezone.now().timestamp()) < 60
    payload = json.loads(request.body)
    assert payload["id"] == headers["x-hls-delivery"]
    assert payload["type"] == "report.published"
    assert payload["workspace"] == "riverside"
    assert payload["data"] == {
        "object": "report",
        "id": report.pk,
        "url": f"/api/v1/reports/{report.pk}/",
        "cycles": [cycle.pk],
    }
    assert b"Sam" not in request.body, "no titles or personal text in a payload"
    (row,) = _rows()
    assert row.status == Status.SUCCEEDED
    assert (row.attempts, row.last_status_code, row.last_error) == (1, 200, "")
    assert row.delivered_at is not None
    assert row.last_response_ms is not None
    assert str(row.event_id) == headers["x-hls-delivery"]


def test_a_tampered_body_or_old_timestamp_does_not_verify(admin, receiver, subscribe):
    from hls.webhooks import signing

    subscription = subscribe(receiver.url)
    _emit(admin)
    delivery.dispatch()
    request = receiver.requests[0]
    header = request.headers["X-HLS-Signature"]
    assert signing.verify(subscription.secret, header, request.body)
    assert not signing.verify(subscription.secret, header, request.body + b" ")
    assert not signing.verify("whsec_other", header, request.body)
    later = timezone.now().timestamp() + 301
    assert not signing.verify(subscription.secret, header, request.body, now=later)


def test_a_failure_is_retried_with_backoff_then_succeeds_once(admin, receiver, subscribe):
    subscription = subscribe(receiver.url)
    receiver.secret = subscription.secret
    receiver.statuses = [500]
    _emit(admin)
    now = timezone.now()

    assert delivery.dispatch(now=now) == 0
    (row,) = _rows()
    assert row.status == Status.FAILED
    assert row.attempts == 1
    assert row.last_status_code == 500
    assert "HTTP 500" in row.last_error
    # 1 minute, with up to 10% jitter.
    assert now + dt.timedelta(minutes=1) <= row.next_attempt_at
    assert row.next_attempt_at <= now + dt.timedelta(minutes=1, seconds=6)
    assert _subscription(subscription.pk).consecutive_failures == 1

    assert delivery.dispatch(now=now + dt.timedelta(seconds=30)) == 0, "not due yet"
    assert len(receiver.requests) == 1

    assert delivery.dispatch(now=now + dt.timedelta(minutes=2)) == 1
    (row,) = _rows()
    assert row.status == Status.SUCCEEDED
    assert row.attempts == 2
    assert row.last_status_code == 200
    assert row.last_error == ""
    assert len(receiver.requests) == 2
    ids = {r.headers["X-HLS-Delivery"] for r in receiver.requests}
    assert ids == {str(row.event_id)}, "the same delivery id both times, so receivers dedupe"
    assert all(r.verified for r in receiver.requests)
    assert _subscription(subscription.pk).consecutive_failures == 0

    # Nothing more, however often dispatch runs.
    assert delivery.dispatch(now=now + dt.timedelta(days=2)) == 0
    assert len(receiver.requests) == 2


def test_backoff_doubles_and_is_capped_at_six_hours():
    waits = [delivery.backoff(n) for n in (1, 2, 3, 4, 12)]
    for wait, minutes in zip(waits, (1, 2, 4, 8, 360), strict=True):
        assert dt.timedelta(minutes=minutes) <= wait <= dt.timedelta(minutes=minutes * 1.1)


def test_ten_failures_in_a_row_turn_the_webhook_off_and_tell_the_admins(
    admin, make_member, receiver, subscribe
):
    member = make_member(admin.workspace, Role.PRACTITIONER, email="pat@riverside.test")
    other_admin = make_member(admin.workspace, Role.ADMIN, email="second@riverside.test")
    subscription = subscribe(receiver.url)
    receiver.statuses = [503] * 20
    _emit(admin, n=12)

    delivery.dispatch()

    assert len(receiver.requests) == 10, "after the tenth failure nothing more is sent"
    now = _subscription(subscription.pk)
    assert not now.active
    assert now.disabled_at is not None
    assert "10 deliveries in a row failed" in now.disabled_reason
    assert "503" in now.disabled_reason
    assert sorted(m.to[0] for m in mail.outbox) == [admin.user.email, other_admin.user.email]
    assert subscription.url in mail.outbox[0].body
    assert f"/w/riverside/integrations/webhooks/{subscription.pk}/" in mail.outbox[0].body
    with tenant_scope(workspace_id=admin.workspace_id):
        told = set(Notification.objects.values_list("user_id", flat=True))
    assert told == {admin.user_id, other_admin.user_id}
    assert member.user_id not in told
    rows = _rows()
    assert [r.status for r in rows].count(Status.FAILED) == 10
    assert [r.status for r in rows].count(Status.PENDING) == 2, "the rest wait"

    # Waiting deliveries stay put while it is off...
    assert delivery.dispatch(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert len(receiver.requests) == 10
    # ...and go out when an admin turns it on again.
    receiver.statuses = []
    with tenant_scope(workspace_id=admin.workspace_id):
        webhook_subscription_enable(
            workspace=admin.workspace, subscription=now, enabled_by=admin.user
        )
    assert delivery.dispatch() == 12
    assert all(r.status == Status.SUCCEEDED for r in _rows())
    assert len(mail.outbox) == 2, "nobody is told twice"


def test_the_last_attempt_of_a_delivery_gives_up_and_turns_it_off(
    admin, receiver, subscribe, monkeypatch
):
    monkeypatch.setattr(delivery, "MAX_ATTEMPTS", 2)
    subscription = subscribe(receiver.url)
    receiver.statuses = [500, 500]
    _emit(admin)
    now = timezone.now()
    delivery.dispatch(now=now)
    delivery.dispatch(now=now + dt.timedelta(minutes=5))

    (row,) = _rows()
    assert row.status == Status.ABANDONED
    assert row.attempts == 2
    assert row.next_attempt_at is None
    after = _subscription(subscription.pk)
    assert not after.active
    assert "2 times" in after.disabled_reason
    assert [m.to for m in mail.outbox] == [[admin.user.email]]


def test_an_unreachable_receiver_is_a_failure_with_its_reason(admin, subscribe):
    subscribe("http://127.0.0.1:9/nothing-listens-here")
    _emit(admin)
    delivery.dispatch()
    (row,) = _rows()
    assert row.status == Status.FAILED
    assert row.last_status_code is None
    assert row.last_error


def test_a_redirect_is_not_followed(admin, receiver, subscribe):
    subscribe(receiver.url)
    receiver.statuses = [302]
    _emit(admin)
    delivery.dispatch()
    (row,) = _rows()
    assert row.status == Status.FAILED
    assert row.last_status_code == 302
    assert len(receiver.requests) == 1


def test_replay_sends_the_same_event_again_as_a_new_delivery(admin, receiver, subscribe):
    subscribe(receiver.url)
    _emit(admin)
    delivery.dispatch()
    (first,) = _rows()

    with tenant_scope(workspace_id=admin.workspace_id):
        replay = webhook_delivery_replay(
            workspace=admin.workspace, delivery=first, replayed_by=admin.user
        )
    assert delivery.dispatch() == 1

    assert replay.replay_of_id == first.pk
    assert replay.event_id == first.event_id
    assert len(receiver.requests) == 2
    one, two = receiver.requests
    assert one.headers["X-HLS-Delivery"] == two.headers["X-HLS-Delivery"] == str(first.event_id)
    assert json.loads(one.body) == json.loads(two.body)
    assert [r.status for r in _rows()] == [Status.SUCCEEDED, Status.SUCCEEDED]


def test_replay_is_for_admins_only(admin, member, receiver, subscribe):
    from django.core.exceptions import PermissionDenied

    subscribe(receiver.url)
    _emit(admin)
    (row,) = _rows()
    with tenant_scope(workspace_id=admin.workspace_id), pytest.raises(PermissionDenied):
        webhook_delivery_replay(workspace=admin.workspace, delivery=row, replayed_by=member.user)


def test_after_rotation_the_old_secret_still_verifies_for_a_day(admin, receiver, subscribe):
    subscription = subscribe(receiver.url)
    old = subscription.secret
    with tenant_scope(workspace_id=admin.workspace_id):
        rotated = webhook_secret_rotate(
            workspace=admin.workspace, subscription=subscription, rotated_by=admin.user
        )
    assert rotated.secret != old
    assert rotated.secret.startswith("whsec_")
    _emit(admin)
    delivery.dispatch()
    request = receiver.requests[0]
    from hls.webhooks import signing

    assert signing.verify(rotated.secret, request.headers["X-HLS-Signature"], request.body)
    assert signing.verify(old, request.headers["X-HLS-Signature"], request.body)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://2130706433/hook",
    ],
)
def test_private_addresses_are_refused_unless_allowed(admin, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    with tenant_scope(workspace_id=admin.workspace_id), pytest.raises(ValidationError) as error:
        webhook_subscription_create(
            workspace=admin.workspace, created_by=admin.user, url=url, events=["report.published"]
        )
    assert "url" in error.value.message_dict
    assert not _rows()


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "example.com", ""])
def test_only_http_urls_are_accepted(admin, url):
    with tenant_scope(workspace_id=admin.workspace_id), pytest.raises(ValidationError) as error:
        webhook_subscription_create(
            workspace=admin.workspace, created_by=admin.user, url=url, events=["report.published"]
        )
    assert "url" in error.value.message_dict


def test_a_private_address_is_refused_again_at_delivery(admin, receiver, subscribe, settings):
    subscribe(receiver.url)
    _emit(admin)
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    delivery.dispatch()
    assert receiver.requests == []
    (row,) = _rows()
    assert row.status == Status.FAILED
    assert "private" in row.last_error


def test_an_event_rolled_back_with_its_change_is_never_sent(admin, receiver, subscribe):
    subscribe(receiver.url)

    def change_that_fails() -> None:
        with transaction.atomic():
            _emit(admin)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert _rows() == []
    assert delivery.dispatch() == 0
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_each_delivery_once(admin, receiver, subscribe):
    subscribe(receiver.url)
    subscribe(receiver.url + "/second")
    receiver.delay = 0.3
    _emit(admin, n=3)  # 3 events x 2 subscriptions
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            delivery.dispatch()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    sent = [(r.path, r.headers["X-HLS-Delivery"]) for r in receiver.requests]
    assert len(sent) == 6
    assert len(set(sent)) == 6
    assert all(r.status == Status.SUCCEEDED and r.attempts == 1 for r in _rows())
    delivery.dispatch()
    assert len(receiver.requests) == 6
