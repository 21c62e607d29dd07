from celery import shared_task
from django.db.models import F
from django.utils import timezone

from hls.jobs import publish, queued_before
from hls.tenancy import services
from hls.tenancy.context import all_workspaces
from hls.tenancy.models import Invitation, InvitationStatus


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
    with all_workspaces("re-publish invitation emails not sent"):
        unsent = list(
            Invitation.objects.filter(
                status=InvitationStatus.PENDING,
                emailed_count__lt=F("send_count"),
                last_sent_at__lte=queued_before(older_than_seconds),
                expires_at__gt=timezone.now(),
            ).values_list("workspace_id", "pk", "send_count")
        )
    for workspace_id, pk, send_number in unsent:
        publish(send_invitation_email, workspace_id, pk, send_number)
    return len(unsent)
