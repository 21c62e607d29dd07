import datetime as dt
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from hls.accounts.models import User
from hls.audit.models import AuditEvent, Tombstone
from hls.tenancy.models import Workspace


def audit_record(
    *,
    workspace: Workspace,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    **data: Any,
) -> AuditEvent:
    """Append one audit event. `data` holds ids and codes only, never personal text."""
    return AuditEvent.objects.create(
        workspace=workspace,
        actor=actor,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )


def tombstone_record(*, workspace: Workspace, resource: str, object_id: object) -> Tombstone:
    """Call from a service that deletes something the API exposes, in the same transaction."""
    return Tombstone.objects.create(
        workspace=workspace, resource=resource, object_id=str(object_id)
    )


def audit_log_exported(*, workspace: Workspace, actor: User, filters: dict[str, Any]) -> AuditEvent:
    """An admin downloaded the (filtered) audit log: itself an event, with the filter as ids and
    codes, written before the file is sent."""
    return audit_record(
        workspace=workspace, actor=actor, action="audit.exported", narrowed_to=filters
    )


def audit_once_a_day(
    *,
    workspace: Workspace,
    actor: User | None,
    action: str,
    target: models.Model,
    **data: Any,
) -> AuditEvent | None:
    """Append `action` on `target` unless it is already recorded since the start of today
    (UTC): for what happens too often to record every time (an API key used on each request
    of a partner's sync). Two at once: the second waits on a transaction-level advisory lock
    for the first to commit, then finds its row. Returns the new event, or None."""
    day_start = timezone.now().astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    label, target_id = target._meta.label_lower, str(target.pk)
    today = AuditEvent.objects.filter(
        workspace=workspace,
        action=action,
        target_type=label,
        target_id=target_id,
        created_at__gte=day_start,
    )
    if today.exists():
        return None
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"audit:{workspace.pk}:{action}:{label}:{target_id}"],
            )
        if today.exists():
            return None
        return audit_record(workspace=workspace, actor=actor, action=action, target=target, **data)
