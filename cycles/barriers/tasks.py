from celery import shared_task

from cycles.barriers import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_barrier_landed(workspace_id: int, route_id: int, state: str) -> int:
    """Kept for messages queued by earlier versions: barrier notices now travel through the
    notification outbox, written with the answer itself (see services). Idempotent."""
    services.barrier_notify(workspace_id=workspace_id, route_id=route_id, state=state)
    return 0
