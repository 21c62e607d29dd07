"""Who may read the audit log, written out by hand (not read from CAPABILITIES): admins only."""

import pytest

from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.conftest import signed_in
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for:
#                                  admin steward manager practitioner partner viewer
EXPECTED = {
    ("audit-log", "GET"): (200, 403, 403, 403, 403, 403),
    ("audit-log-export", "GET"): (200, 403, 403, 403, 403, 403),
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]

URLS = {"audit-log": "/w/riverside/audit/", "audit-log-export": "/w/riverside/audit/export.csv"}


def test_the_table_lists_every_role_and_every_audit_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    views = {url.name for url in workspace_urls("hls.audit.")}
    assert {view for view, _method in EXPECTED} == views, (
        "an audit view was added or renamed: add its row to EXPECTED"
    )


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, expected, workspace, admin, make_member) -> None:
    actor = admin if role == Role.ADMIN else make_member(workspace, role)

    response = signed_in(actor).get(URLS[view])

    assert response.status_code == expected
    with tenant_scope(workspace_id=workspace.pk):
        exported = AuditEvent.objects.filter(action="audit.exported").exists()
    if expected == 403:
        assert b"Your role cannot do this" in response.content
        assert not exported
    else:
        assert exported == (view == "audit-log-export")


@pytest.mark.parametrize("view", sorted(URLS))
def test_a_post_is_not_allowed(view, admin_client) -> None:
    assert admin_client.post(URLS[view]).status_code == 405
