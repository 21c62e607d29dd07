"""Reads for webhooks; always take the workspace."""

from django.db.models import QuerySet

from hls.tenancy.models import Workspace
from hls.webhooks.models import WebhookDelivery, WebhookSubscription


def subscriptions(*, workspace: Workspace) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(workspace=workspace).order_by("-created_at", "-pk")


def deliveries(
    *, workspace: Workspace, subscription: WebhookSubscription
) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(workspace=workspace, subscription=subscription).order_by(
        "-created_at", "-pk"
    )
