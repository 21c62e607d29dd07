"""What each role may do in a workspace, written out by hand (not read from CAPABILITIES), so a
change to hls/tenancy/permissions.py shows up here as a failing row."""

import pytest
from django.test import Client

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Invitation, InvitationStatus, Membership, Role, Workspace
from tests.bypass import all_workspaces
from tests.conftest import signed_in
from tests.factories import InvitationFactory
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for:
#                                  admin  steward manager practitioner learning_partner viewer
EXPECTED = {
    ("workspace-home", "GET"): (200, 200, 200, 200, 200, 200),
    ("members", "GET"): (200, 200, 200, 200, 200, 200),
    ("member-invite", "POST"): (302, 302, 403, 403, 403, 403),
    ("workspace-two-factor", "POST"): (302, 403, 403, 403, 403, 403),
    ("member-role", "POST"): (302, 403, 403, 403, 403, 403),
    ("member-remove", "GET"): (200, 403, 403, 403, 403, 403),
    ("member-remove", "POST"): (302, 403, 403, 403, 403, 403),
    ("invitation-resend", "POST"): (302, 302, 403, 403, 403, 403),
    ("invitation-revoke", "POST"): (302, 302, 403, 403, 403, 403),
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_workspace_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    tenancy_views = {url.name for url in workspace_urls("hls.tenancy.")}
    assert {view for view, _method in EXPECTED} == tenancy_views, (
        "a workspace view was added or renamed: add its row to EXPECTED"
    )


@pytest.fixture
def target(workspace: Workspace, make_member) -> Membership:
    return make_member(workspace, Role.PRACTITIONER, email="target@riverside.test")


@pytest.fixture
def invitation(workspace: Workspace, admin: Membership) -> Invitation:
    with tenant_scope(workspace_id=workspace.pk):
        return InvitationFactory(workspace=workspace, email="waiting@example.test")


def _request(client: Client, view: str, method: str, target: Membership, invitation: Invitation):
    base = "/w/riverside/"
    url, data = {
        "workspace-home": (base, {}),
        "members": (base + "members/", {}),
        "member-invite": (
            base + "members/invite/",
            {"email": "new@example.test", "role": "viewer"},
        ),
        "workspace-two-factor": (base + "members/two-step/", {"require_two_factor": "on"}),
        "member-role": (base + f"members/{target.pk}/role/", {"role": Role.VIEWER}),
        "member-remove": (base + f"members/{target.pk}/remove/", {}),
        "invitation-resend": (base + f"invitations/{invitation.pk}/resend/", {}),
        "invitation-revoke": (base + f"invitations/{invitation.pk}/revoke/", {}),
    }[view]
    return client.get(url) if method == "GET" else client.post(url, data)


def _effect_happened(view: str, method: str, target: Membership, invitation: Invitation) -> bool:
    """Whether the request's write took place (False for reads)."""
    with all_workspaces("test: check the effect"):
        target_now = Membership.objects.filter(pk=target.pk).first()
        invitation_now = Invitation.objects.get(pk=invitation.pk)
        invited = Invitation.objects.filter(email="new@example.test").exists()
    if method == "GET":
        return False
    return {
        "member-invite": invited,
        "workspace-two-factor": Workspace.objects.get(
            pk=invitation.workspace_id
        ).require_two_factor,
        "member-role": target_now is not None and target_now.role == Role.VIEWER,
        "member-remove": target_now is None,
        "invitation-resend": invitation_now.send_count == invitation.send_count + 1,
        "invitation-revoke": invitation_now.status == InvitationStatus.REVOKED,
    }[view]


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(
    view: str,
    method: str,
    role: str,
    expected: int,
    workspace: Workspace,
    admin: Membership,
    target: Membership,
    invitation: Invitation,
    make_member,
) -> None:
    actor = admin if role == Role.ADMIN else make_member(workspace, role)

    response = _request(signed_in(actor), view, method, target, invitation)

    assert response.status_code == expected
    if expected == 403:
        assert b"Your role cannot do this" in response.content
        assert not _effect_happened(view, method, target, invitation)
    elif method == "POST":
        assert _effect_happened(view, method, target, invitation)
