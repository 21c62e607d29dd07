"""Webhook subscriptions and their outbox of deliveries (docs/webhooks.md).

A `WebhookDelivery` is one event on its way to one subscription. It is written in the same
transaction as the change it reports (an outbox), and delivered by `hls.webhooks.delivery`,
which locks each due row, POSTs it, and records the outcome in one transaction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hls.tenancy.models import WorkspaceOwned


class WebhookSubscription(WorkspaceOwned):
    """A URL that wants to hear about some events of this workspace. The signing secret is
    kept readable (it signs every request) and shown to the workspace's admins."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = ArrayField(models.CharField(max_length=40), default=list)
    secret = models.CharField(max_length=80)
    # After a rotation the previous secret also signs for a while, so receivers can switch.
    previous_secret = models.CharField(max_length=80, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "active"], name="webhooks_sub_ws_active")]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(WorkspaceOwned):
    """One event for one subscription: the outbox row and its delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        FAILED = "failed", _("Failed, will retry")
        SUCCEEDED = "succeeded", _("Delivered")
        ABANDONED = "abandoned", _("Given up")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_response_ms = models.PositiveIntegerField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhooks_delivery_due",
                condition=Q(status__in=["pending", "failed"]),
            ),
            models.Index(
                fields=["workspace", "subscription", "-created_at"], name="webhooks_delivery_log"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} → {self.subscription_id}"

    @property
    def is_due_status(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.FAILED)
