from celery import shared_task
from django.utils import timezone

from hls.jobs import publish, queued_before
from hls.tenancy import crossing, services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(workspace_id: int, invitation_id: int, send_number: int) -> bool:
    return services.invitation_send_email(
        workspace_id=workspace_id, invitation_id=invitation_id, send_number=send_number
    )


@shared_task
def expire_invitations() -> int:
    return services.invitations_expire()


@shared_task
def republish_queued(older_than_seconds: float | None = None) -> int:
    """The outbox sweep (hls/jobs.py): publish again the invitation emails asked for but not
    sent (their message was lost while the broker was away). Sending is once per send number,
    so a duplicate sends nothing."""
    unsent = crossing.ask("invitations_unsent", queued_before(older_than_seconds), timezone.now())
    for workspace_id, pk, send_number in unsent:
        publish(send_invitation_email, workspace_id, pk, send_number)
    return len(unsent)
