"""Every workspace URL, generated from the URL conf, answers 404 to outsiders (DESIGN.md §4).

A new URL under `w/<slug:workspace_slug>/` joins this matrix by itself. If it takes a new
keyword (an object id), register a maker for it in `tests/<app>/objects.py` (see
tests/outsider_objects.py); until then the matrix fails and says so.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Invitation, InvitationStatus, Membership, Role, Workspace
from tests.bypass import all_workspaces
from tests.outsider_objects import object_makers
from tests.tenant_snapshot import tenant_snapshot, tenant_tables
from tests.workspace_urls import WorkspaceUrl, workspace_urls

WORKSPACE_URLS = workspace_urls()

MAKERS = object_makers()


def _objects(workspace: Workspace, membership: Membership) -> dict[str, object]:
    """One real object of the workspace for every URL keyword, as {keyword: id}."""
    with tenant_scope(workspace_id=workspace.pk, user_id=membership.user_id):
        return {kwarg: make(workspace, membership) for kwarg, make in MAKERS.items()}


def _url(pattern: WorkspaceUrl, workspace: Workspace, objects: dict[str, object]) -> str:
    missing = [kwarg for kwarg in pattern.kwargs if kwarg not in objects]
    if missing:
        pytest.fail(
            f"The URL {pattern.route!r} takes {missing}, which the outsider matrix cannot fill. "
            "Register a maker for each in tests/<app>/objects.py (see tests/outsider_objects.py)."
        )
    return pattern.build(workspace.slug, {kwarg: objects[kwarg] for kwarg in pattern.kwargs})


def _snapshot() -> dict[str, tuple[int, str]]:
    """Every tenant table's rows (tests/tenant_snapshot.py), so a test can tell that a request
    changed nothing, wherever it might have written."""
    return tenant_snapshot()


@pytest.fixture
def objects_a(workspace: Workspace, member: Membership, admin: Membership) -> dict[str, object]:
    return _objects(workspace, member)


@pytest.fixture
def objects_b(other_workspace: Workspace, admin: Membership) -> dict[str, object]:
    """B's objects, with the admin of A also a member of B: row-level security lets a user read
    their own memberships everywhere, so only the URL's scoping keeps this one out of A's URLs."""
    with tenant_scope(workspace_id=other_workspace.pk):
        in_b = Membership.objects.create(
            workspace=other_workspace, user=admin.user, role=Role.VIEWER
        )
    return _objects(other_workspace, in_b)


def test_the_matrix_covers_the_workspace_urls() -> None:
    names = [pattern.name for pattern in WORKSPACE_URLS]
    assert names, "no URL under w/<slug:workspace_slug>/ was found in the URL conf"
    assert "members" in names
    assert "workspace-home" in names


def test_the_snapshot_covers_every_tenant_table(objects_a: dict[str, object]) -> None:
    """The "nothing changed" check reads the tables the matrix's objects live in, and sees a
    change to any of them."""
    tables = tenant_tables()
    for table in ("tenancy_membership", "tenancy_invitation", "cycles_entry", "systems_system"):
        assert table in tables
    before = _snapshot()
    assert set(before) == set(tables)
    assert sum(rows for rows, _digest in before.values()) >= len(objects_a)
    with all_workspaces("test"):
        Invitation.objects.filter(pk=objects_a["invitation_id"]).update(send_count=7)
    after = _snapshot()
    assert [t for t in tables if after[t] != before[t]] == ["tenancy_invitation"]


@pytest.mark.parametrize("pattern", WORKSPACE_URLS, ids=str)
def test_outsider_gets_404_and_changes_nothing(
    pattern: WorkspaceUrl,
    workspace: Workspace,
    objects_a: dict[str, object],
    outsider_client: Client,
    admin_client: Client,
) -> None:
    url = _url(pattern, workspace, objects_a)
    # The URL is real: a member of the workspace does not get 404 for it.
    assert admin_client.get(url).status_code != 404, f"{url} is 404 even for its own admin"
    before = _snapshot()

    get = outsider_client.get(url)
    post = outsider_client.post(url, {"role": Role.ADMIN, "email": "olly@hilltop.test"})

    assert get.status_code == 404, f"GET {url} as an outsider"
    assert post.status_code == 404, f"POST {url} as an outsider"
    assert b"Page not found" in get.content
    assert _snapshot() == before


@pytest.mark.parametrize("pattern", [p for p in WORKSPACE_URLS if p.kwargs], ids=str)
def test_member_gets_404_for_another_workspaces_objects(
    pattern: WorkspaceUrl,
    workspace: Workspace,
    objects_a: dict[str, object],
    objects_b: dict[str, object],
    admin_client: Client,
) -> None:
    """The admin of A puts B's object ids into A's URLs: 404, as for an id that does not exist,
    even for their own membership in B."""
    url = _url(pattern, workspace, objects_b)
    before = _snapshot()

    get = admin_client.get(url)
    post = admin_client.post(url, {"role": Role.VIEWER})

    assert get.status_code in (404, 405), f"GET {url}"  # 405: the view takes POST only
    assert post.status_code == 404, f"POST {url}"
    assert _snapshot() == before


@pytest.mark.parametrize("pattern", WORKSPACE_URLS, ids=str)
def test_anonymous_is_sent_to_sign_in(
    pattern: WorkspaceUrl, workspace: Workspace, objects_a: dict[str, object], client: Client
) -> None:
    url = _url(pattern, workspace, objects_a)
    before = _snapshot()

    response = client.get(url)
    post = client.post(url, {"role": Role.ADMIN})

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == resolve_url(settings.LOGIN_URL)
    assert parse_qs(location.query)["next"] == [url]
    assert post.status_code == 302
    assert urlsplit(post["Location"]).path == resolve_url(settings.LOGIN_URL)
    assert _snapshot() == before


def test_outsider_cannot_see_a_pending_invitation_in_the_members_page(
    objects_a: dict[str, object], admin_client: Client, outsider_client: Client
) -> None:
    """The control for the matrix: the same data is visible to the workspace's own admin."""
    with all_workspaces("test"):
        invitation = Invitation.objects.get(pk=objects_a["invitation_id"])
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.email.encode() in admin_client.get("/w/riverside/members/").content
    response = outsider_client.get("/w/riverside/members/")
    assert response.status_code == 404
    assert invitation.email.encode() not in response.content
