from typing import Any

from django.db import models

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
