"""What each role may do with people served, written out by hand (not read from CAPABILITIES).

Every actor here works with the person (they are in the team of the person's own system), so the
table shows the role rules alone; who works with whom is tested in test_identity_access.py."""

import pytest

from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Consent, Person, PersonIdentity
from tests.conftest import signed_in
from tests.factories import SystemMemberFactory
from tests.people.conftest import give_identity
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for:
#                                        admin steward manager practitioner partner viewer
EXPECTED = {
    ("people", "GET"): (200, 200, 200, 200, 200, 200),
    ("person-create", "GET"): (200, 403, 200, 200, 403, 403),
    ("person-create", "POST"): (302, 403, 302, 302, 403, 403),
    ("person-detail", "GET"): (200, 200, 200, 200, 200, 200),
    ("person-edit", "GET"): (200, 403, 200, 200, 403, 403),
    ("person-edit", "POST"): (302, 403, 302, 302, 403, 403),
    ("person-consent", "POST"): (302, 403, 302, 302, 403, 403),
    ("person-identity", "GET"): (200, 200, 200, 200, 200, 200),
    ("person-identity", "POST"): (200, 200, 200, 200, 200, 200),
    ("person-identity-edit", "GET"): (200, 403, 200, 200, 403, 403),
    ("person-identity-edit", "POST"): (302, 403, 302, 302, 403, 403),
    ("person-identity-erase", "GET"): (200, 403, 200, 200, 403, 403),
    ("person-identity-erase", "POST"): (302, 403, 302, 302, 403, 403),
    ("person-subject-access", "GET"): (200, 403, 403, 403, 403, 403),
    ("person-subject-access", "POST"): (200, 403, 403, 403, 403, 403),
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_people_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    views = {url.name for url in workspace_urls("systems.people.")}
    assert {view for view, _method in EXPECTED} == views, (
        "a people view was added or renamed: add its row to EXPECTED"
    )


def _request(client, view: str, method: str, person: Person):
    base = f"/w/riverside/people/{person.pk}/"
    url, data = {
        "people": ("/w/riverside/people/", {}),
        "person-create": ("/w/riverside/people/new/", {"alias": "Newcomer"}),
        "person-detail": (base, {}),
        "person-edit": (base + "edit/", {"alias": "Renamed"}),
        "person-consent": (base + "consent/", {"level": "0", "note": "Said so, at home."}),
        "person-identity": (base + "identity/", {}),
        "person-identity-edit": (base + "identity/edit/", {"name": "A New Name"}),
        "person-identity-erase": (base + "identity/erase/", {}),
        "person-subject-access": (base + "everything-held/", {}),
    }[view]
    return client.get(url) if method == "GET" else client.post(url, data)


def _effect_happened(workspace, view: str, method: str, person: Person) -> bool:
    with tenant_scope(workspace_id=workspace.pk):
        if method == "GET":
            return False
        return {
            "person-create": lambda: Person.objects.filter(alias="Newcomer").exists(),
            "person-edit": lambda: Person.objects.get(pk=person.pk).alias == "Renamed",
            "person-consent": lambda: Consent.objects.filter(person=person).exists(),
            "person-identity": lambda: AuditEvent.objects.filter(
                action="person.identity_viewed"
            ).exists(),
            "person-identity-edit": lambda: (
                AuditEvent.objects.filter(action="person.identity_changed").count() == 2
            ),
            "person-identity-erase": lambda: not PersonIdentity.objects.exists(),
            "person-subject-access": lambda: AuditEvent.objects.filter(
                action="person.subject_access_exported"
            ).exists(),
        }[view]()


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(
    view, method, role, expected, workspace, admin, person, person_system, team_member, make_member
) -> None:
    actor = admin if role == Role.ADMIN else make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        SystemMemberFactory(workspace=workspace, system=person_system, user=actor.user)
    give_identity(workspace, person, team_member.user)

    response = _request(signed_in(actor), view, method, person)

    assert response.status_code == expected
    if expected == 403:
        assert b"Your role cannot do this" in response.content
        assert not _effect_happened(workspace, view, method, person)
    elif method == "POST":
        assert _effect_happened(workspace, view, method, person)
