"""Webhook tasks: thin, no arguments (they scan the outbox), idempotent, safe to run twice or
concurrently. Beat runs dispatch every minute; each commit that queues a delivery runs it too."""

from celery import shared_task

from hls.webhooks import delivery


@shared_task
def dispatch_webhooks() -> int:
    """Send every webhook delivery that is due (see delivery.py)."""
    return delivery.dispatch()
