from celery import shared_task

from hls.tenancy import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(workspace_id: int, invitation_id: int, send_number: int) -> bool:
    return services.invitation_send_email(
        workspace_id=workspace_id, invitation_id=invitation_id, send_number=send_number
    )


@shared_task
def expire_invitations() -> int:
    return services.invitations_expire()
