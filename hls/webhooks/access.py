"""Fetch-or-404: another workspace's webhook looks exactly like a missing one."""

from django.shortcuts import get_object_or_404

from hls.tenancy.models import Workspace
from hls.webhooks.models import WebhookDelivery, WebhookSubscription


def access_subscription(*, workspace: Workspace, subscription_id: int) -> WebhookSubscription:
    return get_object_or_404(WebhookSubscription, workspace=workspace, pk=subscription_id)


def access_delivery(
    *, workspace: Workspace, subscription: WebhookSubscription, delivery_id: int
) -> WebhookDelivery:
    return get_object_or_404(
        WebhookDelivery, workspace=workspace, subscription=subscription, pk=delivery_id
    )
