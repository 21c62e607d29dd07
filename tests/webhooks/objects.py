"""Objects for the outsider matrix (tests/outsider_objects.py): webhooks' URL keywords."""

from hls.webhooks.models import WebhookDelivery, WebhookSubscription


def make_subscription(workspace, membership) -> int:
    return _subscription(workspace, membership).pk


def _subscription(workspace, membership) -> WebhookSubscription:
    found = WebhookSubscription.objects.filter(workspace=workspace).first()
    return found or WebhookSubscription.objects.create(
        workspace=workspace,
        url=f"https://{workspace.slug}.example.test/hook",
        events=["report.published"],
        secret="whsec_test",
        created_by=membership.user,
    )


def make_delivery(workspace, membership) -> int:
    return WebhookDelivery.objects.create(
        workspace=workspace,
        subscription=_subscription(workspace, membership),
        event="report.published",
        payload={"type": "report.published"},
        status=WebhookDelivery.Status.SUCCEEDED,
    ).pk


MAKERS = {"subscription_id": make_subscription, "delivery_id": make_delivery}
