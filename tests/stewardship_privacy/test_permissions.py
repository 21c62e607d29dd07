"""Who may erase a person and set retention, written out by hand (not read from CAPABILITIES):
admins alone. Every actor here works with the person (in the team of the person's own system),
so a 403 is the role's, never the relation's."""

import pytest

from hls.audit.models import RetentionRun
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role, Workspace
from systems.models import Person
from tests.conftest import signed_in
from tests.factories import (
    EntryDraftFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
)
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for:
#                                        admin steward manager practitioner partner viewer
EXPECTED = {
    ("person-erase-find", "GET"): (302, 403, 403, 403, 403, 403),
    ("person-erase", "GET"): (200, 403, 403, 403, 403, 403),
    ("person-erase", "POST"): (302, 403, 403, 403, 403, 403),
    ("retention", "GET"): (200, 403, 403, 403, 403, 403),
    ("retention", "POST"): (302, 403, 403, 403, 403, 403),
    ("retention-apply", "POST"): (302, 403, 403, 403, 403, 403),
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_privacy_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    views = {url.name for url in workspace_urls("stewardship.privacy.")}
    assert {view for view, _method in EXPECTED} == views, (
        "a privacy view was added or renamed: add its row to EXPECTED"
    )


@pytest.fixture
def person_system(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, name="A person's life", is_person_scale=True)
        return SystemFactory(workspace=workspace, scale=scale, name="A life")


def _request(client, view: str, method: str, person: Person):
    url, data = {
        "person-erase-find": ("/w/riverside/people/erase/", {"reference": "P-MOMO"}),
        "person-erase": (
            f"/w/riverside/people/{person.pk}/erase/",
            {"choice": "delete", "reference": "P-MOMO"},
        ),
        "retention": (
            "/w/riverside/retention/",
            {"retain_identity_days": "", "retain_drafts_days": "3"},
        ),
        "retention-apply": ("/w/riverside/retention/apply/", {}),
    }[view]
    return client.get(url, data) if method == "GET" else client.post(url, data)


def _effect_happened(workspace: Workspace, view: str, method: str, person: Person) -> bool:
    if method == "GET":
        return False
    workspace.refresh_from_db()
    with tenant_scope(workspace_id=workspace.pk):
        return {
            "person-erase": lambda: not Person.objects.filter(pk=person.pk).exists(),
            "retention": lambda: workspace.retain_drafts_days == 3,
            "retention-apply": lambda: RetentionRun.objects.exists(),
        }[view]()


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(
    view, method, role, expected, workspace, admin, person_system, make_member
) -> None:
    actor = admin if role == Role.ADMIN else make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        SystemMemberFactory(workspace=workspace, system=person_system, user=actor.user)
        person = PersonFactory(workspace=workspace, reference="P-MOMO", system=person_system)
        draft = EntryDraftFactory(workspace=workspace, author=actor.user)
        type(draft).objects.filter(pk=draft.pk).update(updated_at="2020-01-01T00:00:00Z")
    type(workspace).objects.filter(pk=workspace.pk).update(retain_drafts_days=1)

    response = _request(signed_in(actor), view, method, person)

    assert response.status_code == expected
    if expected == 403:
        assert b"Your role cannot do this" in response.content
        assert not _effect_happened(workspace, view, method, person)
    elif method == "POST":
        assert _effect_happened(workspace, view, method, person)
