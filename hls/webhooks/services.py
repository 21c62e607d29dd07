"""Writes for webhooks. Keyword-only, typed, atomic; ValidationError names the field.

- Subscriptions are managed by workspace admins (capability `integrations.manage`).
- `webhook_emit` is called by the domain services inside their own transaction: it writes one
  delivery row per active subscription to the event (the outbox) and asks Celery to dispatch
  after commit, so a rolled-back change sends nothing and a committed one is never lost (beat
  dispatches every minute as well).
- Payloads are thin: object kind, id, API path and non-personal ids. Receivers fetch details
  through the API with their key, so the API's visibility rules apply.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hls import notices
from hls.accounts.models import User
from hls.audit.services import audit_record
from hls.tenancy.models import Membership, Role, Workspace
from hls.tenancy.permissions import can
from hls.webhooks.events import EVENTS, api_path
from hls.webhooks.models import WebhookDelivery, WebhookSubscription
from hls.webhooks.urlcheck import UrlRefused, check_url

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
PREVIOUS_SECRET_GRACE = dt.timedelta(hours=24)
DESCRIPTION_MAX = 200
URL_MAX = 500


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _check_admin(*, workspace: Workspace, user: User) -> None:
    membership = Membership.objects.filter(workspace=workspace, user=user).first()
    if not can(membership, "integrations.manage"):
        raise PermissionDenied(_("Only workspace admins manage webhooks."))


def _clean(*, url: str, events: Iterable[str], description: str) -> tuple[str, list[str], str]:
    errors: dict[str, str] = {}
    cleaned_url = ""
    if len((url or "").strip()) > URL_MAX:
        errors["url"] = _("Keep the address to %(max)d characters or fewer.") % {"max": URL_MAX}
    else:
        try:
            cleaned_url = check_url(url)
        except UrlRefused as error:
            errors["url"] = str(error)
    chosen = sorted(set(events))
    if not chosen:
        errors["events"] = _("Choose at least one event.")
    elif any(event not in EVENTS for event in chosen):
        errors["events"] = _("Choose events from the list.")
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = _("Keep this to %(max)d characters or fewer.") % {
            "max": DESCRIPTION_MAX
        }
    if errors:
        raise ValidationError(errors)
    return cleaned_url, chosen, description


def _lock(*, workspace: Workspace, subscription: WebhookSubscription) -> WebhookSubscription:
    return WebhookSubscription.objects.select_for_update().get(
        workspace=workspace, pk=subscription.pk
    )


@transaction.atomic
def webhook_subscription_create(
    *,
    workspace: Workspace,
    created_by: User,
    url: str,
    events: Iterable[str],
    description: str = "",
) -> WebhookSubscription:
    _check_admin(workspace=workspace, user=created_by)
    url, chosen, description = _clean(url=url, events=events, description=description)
    subscription = WebhookSubscription.objects.create(
        workspace=workspace,
        url=url,
        events=chosen,
        description=description,
        secret=new_secret(),
        created_by=created_by,
    )
    audit_record(
        workspace=workspace, actor=created_by, action="webhook.create", target=subscription,
        events=chosen,
    )  # fmt: skip
    return subscription


@transaction.atomic
def webhook_subscription_update(
    *,
    workspace: Workspace,
    subscription: WebhookSubscription,
    updated_by: User,
    url: str,
    events: Iterable[str],
    description: str = "",
) -> WebhookSubscription:
    _check_admin(workspace=workspace, user=updated_by)
    url, chosen, description = _clean(url=url, events=events, description=description)
    subscription = _lock(workspace=workspace, subscription=subscription)
    subscription.url, subscription.events, subscription.description = url, chosen, description
    subscription.save(update_fields=["url", "events", "description", "updated_at"])
    audit_record(
        workspace=workspace, actor=updated_by, action="webhook.update", target=subscription,
        events=chosen,
    )  # fmt: skip
    return subscription


@transaction.atomic
def webhook_secret_rotate(
    *, workspace: Workspace, subscription: WebhookSubscription, rotated_by: User
) -> WebhookSubscription:
    """A new signing secret. For a day, requests are signed with the old one too (a second
    `v1=`), so a receiver can switch without missing a delivery."""
    _check_admin(workspace=workspace, user=rotated_by)
    subscription = _lock(workspace=workspace, subscription=subscription)
    now = timezone.now()
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = now + PREVIOUS_SECRET_GRACE
    subscription.secret = new_secret()
    subscription.secret_rotated_at = now
    subscription.save(
        update_fields=[
            "secret", "previous_secret", "previous_secret_until", "secret_rotated_at",
            "updated_at",
        ]
    )  # fmt: skip
    audit_record(
        workspace=workspace, actor=rotated_by, action="webhook.rotate_secret", target=subscription
    )
    return subscription


@transaction.atomic
def webhook_subscription_enable(
    *, workspace: Workspace, subscription: WebhookSubscription, enabled_by: User
) -> WebhookSubscription:
    """Turn a webhook back on. Deliveries still waiting are tried again at once; those given
    up stay so (send them again from the log)."""
    _check_admin(workspace=workspace, user=enabled_by)
    subscription = _lock(workspace=workspace, subscription=subscription)
    if subscription.active:
        return subscription
    subscription.active = True
    subscription.disabled_at = None
    subscription.disabled_reason = ""
    subscription.consecutive_failures = 0
    subscription.save(
        update_fields=[
            "active", "disabled_at", "disabled_reason", "consecutive_failures", "updated_at",
        ]
    )  # fmt: skip
    WebhookDelivery.objects.filter(
        workspace=workspace,
        subscription=subscription,
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED],
    ).update(next_attempt_at=timezone.now())
    audit_record(
        workspace=workspace, actor=enabled_by, action="webhook.enable", target=subscription
    )
    _queue_dispatch()
    return subscription


@transaction.atomic
def webhook_subscription_disable(
    *, workspace: Workspace, subscription: WebhookSubscription, disabled_by: User
) -> WebhookSubscription:
    """Turn a webhook off. Deliveries wait (they resume when it is turned on again)."""
    _check_admin(workspace=workspace, user=disabled_by)
    subscription = _lock(workspace=workspace, subscription=subscription)
    if not subscription.active:
        return subscription
    subscription.active = False
    subscription.disabled_at = timezone.now()
    subscription.disabled_reason = _("Turned off by an admin.")
    subscription.save(update_fields=["active", "disabled_at", "disabled_reason", "updated_at"])
    audit_record(
        workspace=workspace, actor=disabled_by, action="webhook.disable", target=subscription
    )
    return subscription


@transaction.atomic
def webhook_delivery_replay(
    *, workspace: Workspace, delivery: WebhookDelivery, replayed_by: User
) -> WebhookDelivery:
    """Send a delivery again: a new row with the same event id and payload, so a receiver
    that already has it can tell (X-HLS-Delivery) and one that lost it gets it."""
    _check_admin(workspace=workspace, user=replayed_by)
    subscription = WebhookSubscription.objects.get(workspace=workspace, pk=delivery.subscription_id)
    if not subscription.active:
        raise ValidationError(_("Turn the webhook on first; then send it again."))
    replay = WebhookDelivery.objects.create(
        workspace=workspace,
        subscription=subscription,
        event_id=delivery.event_id,
        event=delivery.event,
        payload=delivery.payload,
        next_attempt_at=timezone.now(),
        replay_of=delivery,
    )
    audit_record(
        workspace=workspace, actor=replayed_by, action="webhook.replay", target=replay,
        event_id=str(delivery.event_id),
    )  # fmt: skip
    _queue_dispatch()
    return replay


# Emitting events ------------------------------------------------------------------------------


def _queue_dispatch() -> None:
    from hls.jobs import publish_on_commit
    from hls.webhooks.tasks import dispatch_webhooks

    # A broker outage does not fail the change itself; beat dispatches within a minute.
    publish_on_commit(dispatch_webhooks)


def webhook_emit(
    *,
    workspace: Workspace,
    event: str,
    resource: str,
    object_id: int,
    data: dict[str, Any] | None = None,
) -> list[WebhookDelivery]:
    """Queue `event` about one object for every active subscription to it, in the caller's
    transaction. `data` holds non-personal ids and codes only (never text or identity)."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    subscriptions = list(
        WebhookSubscription.objects.filter(
            workspace=workspace, active=True, events__contains=[event]
        ).only("pk")
    )
    if not subscriptions:
        return []
    event_id = uuid.uuid4()
    now = timezone.now()
    payload = {
        "id": str(event_id),
        "type": event,
        "created_at": now.isoformat().replace("+00:00", "Z"),
        "workspace": workspace.slug,
        "data": {
            "object": resource,
            "id": object_id,
            "url": api_path(resource, object_id),
            **(data or {}),
        },
    }
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                workspace=workspace,
                subscription_id=subscription.pk,
                event_id=event_id,
                event=event,
                payload=payload,
                next_attempt_at=now,
            )
            for subscription in subscriptions
        ]
    )
    _queue_dispatch()
    return rows


# Telling the admins ---------------------------------------------------------------------------


def _detail_path(subscription: WebhookSubscription, slug: str) -> str:
    try:
        return reverse("webhook-detail", args=[slug, subscription.pk])
    except NoReverseMatch:
        return ""


def tell_admins_disabled(*, subscription: WebhookSubscription, workspace: Workspace) -> int:
    """An in-app notification and an email to each admin of the workspace: the webhook was
    turned off, why, and where to turn it on again. Returns how many admins were told.

    The notification centre lives above this core (stewardship/notifications), so the in-app
    notifications are asked for with a notice (`WEBHOOK_DISABLED`, hls.notices), written in
    this transaction by the handler stewardship subscribes."""
    from django.conf import settings

    path = _detail_path(subscription, workspace.slug)
    title = _("A webhook was turned off: %(url)s") % {"url": subscription.url[:120]}
    body = _(
        "Deliveries to %(url)s kept failing, so we turned the webhook off. %(reason)s "
        "Events are kept: fix the receiver, then turn the webhook on again."
    ) % {"url": subscription.url, "reason": subscription.disabled_reason}
    admins = list(
        Membership.objects.filter(workspace=workspace, role=Role.ADMIN)
        .select_related("user")
        .order_by("pk")
    )
    stamp = subscription.disabled_at.isoformat() if subscription.disabled_at else ""
    context = {
        "subscription": subscription,
        "workspace": workspace,
        "page_url": settings.SITE_URL + path,
    }
    notices.publish(
        notices.Notice(
            event=notices.WEBHOOK_DISABLED,
            workspace_id=workspace.pk,
            object_id=subscription.pk,
            actor_id=None,
            data={
                "users": [membership.user_id for membership in admins],
                "title": title[:200],
                "body": body,
                "url": path,
            },
        )
    )
    for membership in admins:
        if not membership.user.email:
            continue
        key = f"webhook:{subscription.pk}:disabled:{stamp}:{membership.user_id}"
        email = EmailMessage(
            subject=title,
            body=render_to_string("webhooks/email/disabled.txt", context),
            to=[membership.user.email],
            headers={"X-Idempotency-Key": f"{workspace.pk}:{key}"},
        )
        try:
            email.send()
        except Exception:  # the in-app notification stands; the mail server may be down
            logger.exception("webhook %s: could not email admin %s", subscription.pk, membership.pk)
    return len(admins)
