"""Events for the audit log's tests, written as the services write them (audit_record), at a
chosen time when a test needs one: the log is append-only, so no test changes a row."""

import datetime as dt
from unittest import mock

from django.db import models

from hls.accounts.models import User
from hls.audit.models import AuditEvent
from hls.audit.services import audit_record
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace


def record(
    workspace: Workspace,
    action: str,
    *,
    actor: User | None = None,
    target: models.Model | None = None,
    at: dt.datetime | None = None,
    **data: object,
) -> AuditEvent:
    with tenant_scope(workspace_id=workspace.pk):
        if at is None:
            return audit_record(
                workspace=workspace, actor=actor, action=action, target=target, **data
            )
        with mock.patch("django.utils.timezone.now", return_value=at):
            return audit_record(
                workspace=workspace, actor=actor, action=action, target=target, **data
            )
