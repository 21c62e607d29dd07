"""A delete the service refuses leaves no audit event saying it happened (the event and the
delete are one unit)."""

from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.api.conftest import client_for
from tests.factories import EntryFactory


def test_a_refused_api_delete_records_no_delete(workspace, admin, member, make_key):
    with tenant_scope(workspace_id=workspace.pk):
        entry = EntryFactory(
            workspace=workspace, author=member.user, visibility=ShareLevel.WORKSPACE
        )
    api = client_for(make_key(admin))  # the admin is not the author: the service refuses
    response = api.delete(f"/api/v1/entries/{entry.pk}/", HTTP_IF_MATCH="*")
    assert response.status_code == 403, response.content[:300]
    with tenant_scope(workspace_id=workspace.pk):
        assert not AuditEvent.objects.filter(action="api.entries.delete").exists()
        assert type(entry).objects.filter(pk=entry.pk, deleted_at__isnull=True).exists()
