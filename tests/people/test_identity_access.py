"""Who sees a person's record and identity: only the members who work on that person's cycle.
For everyone else (admins and managers above included) the record, its consent history, what
matters and the identity URLs are 404: a person's record follows consent."""

import pytest
from django.test import Client

from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.conftest import signed_in
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    PersonFactory,
    SystemFactory,
    SystemMemberFactory,
)
from tests.people.conftest import give_identity

NAME = "Morag Example"

# who → (sees the identity of a person in their own system, of a person with no system yet)
EXPECTED = {
    "creator": (False, True),  # recorded them, but not in their system's team or cycles
    "team_member": (True, False),  # in the team of the person's own system
    "cycle_member": (True, False),  # takes part in a cycle of the person's own system
    "manager_elsewhere": (False, False),  # a manager, working in another system
    "manager_above": (False, False),  # a manager in the team of the system above theirs
    "admin_not_working_with_them": (False, False),
    "outsider": (False, False),  # a member of another workspace
}


@pytest.fixture
def identity_cast(workspace, other_workspace, person_system, make_member):
    """One member per row of EXPECTED, and the two people (with and without a system)."""
    members = {
        "creator": make_member(workspace, Role.PRACTITIONER),
        "team_member": make_member(workspace, Role.PRACTITIONER),
        "cycle_member": make_member(workspace, Role.PRACTITIONER),
        "manager_elsewhere": make_member(workspace, Role.MANAGER),
        "manager_above": make_member(workspace, Role.MANAGER),
        "admin_not_working_with_them": make_member(workspace, Role.ADMIN),
        "outsider": make_member(other_workspace, Role.ADMIN),
    }
    with tenant_scope(workspace_id=workspace.pk):
        SystemMemberFactory(
            workspace=workspace, system=person_system, user=members["team_member"].user
        )
        CycleMemberFactory(
            workspace=workspace,
            cycle=CycleFactory(workspace=workspace, system=person_system),
            user=members["cycle_member"].user,
        )
        SystemMemberFactory(
            workspace=workspace,
            system=SystemFactory(workspace=workspace),
            user=members["manager_elsewhere"].user,
        )
        above = SystemFactory(workspace=workspace, name="Riverside team")
        person_system.parent = above
        person_system.save()
        SystemMemberFactory(workspace=workspace, system=above, user=members["manager_above"].user)
        in_system = PersonFactory(
            workspace=workspace, system=person_system, created_by=members["creator"].user
        )
        no_system = PersonFactory(workspace=workspace, created_by=members["creator"].user)
    give_identity(workspace, in_system, members["team_member"].user, name=NAME)
    give_identity(workspace, no_system, members["creator"].user, name=NAME)
    return members, {"in_system": in_system, "no_system": no_system}


def _views(workspace) -> int:
    with tenant_scope(workspace_id=workspace.pk):
        return AuditEvent.objects.filter(action="person.identity_viewed").count()


CASES = [
    pytest.param(who, kind, expected[i], id=f"{who}-{kind}")
    for who, expected in EXPECTED.items()
    for i, kind in enumerate(["in_system", "no_system"])
]


@pytest.mark.parametrize(("who", "kind", "sees"), CASES)
def test_who_sees_the_identity(workspace, identity_cast, who: str, kind: str, sees: bool) -> None:
    members, people = identity_cast
    person = people[kind]
    client: Client = signed_in(members[who])
    base = f"/w/riverside/people/{person.pk}/"

    page = client.get(base)
    reveal = client.post(base + "identity/")
    edit_form = client.get(base + "identity/edit/")

    if sees:  # the record, with what matters and consent, but never identity by default
        assert page.status_code == 200
        assert person.reference.encode() in page.content
        assert person.what_matters.encode() in page.content
        assert NAME.encode() not in page.content
        assert b"Show identity" in page.content
    else:
        assert page.status_code == 404
        assert person.what_matters.encode() not in page.content
    if sees:
        assert reveal.status_code == 200
        assert NAME.encode() in reveal.content
        assert edit_form.status_code == 200
        assert _views(workspace) == 2  # the reveal and the form, one event each
    else:
        assert reveal.status_code == 404
        assert edit_form.status_code == 404
        assert NAME.encode() not in reveal.content + edit_form.content
        assert _views(workspace) == 0


@pytest.mark.parametrize(
    "who", ["manager_elsewhere", "manager_above", "admin_not_working_with_them"]
)
def test_those_who_may_not_cannot_change_or_erase_it_either(workspace, identity_cast, who) -> None:
    members, people = identity_cast
    person = people["in_system"]
    client = signed_in(members[who])
    base = f"/w/riverside/people/{person.pk}/identity/"

    assert client.get(base).status_code == 404
    assert client.post(base + "edit/", {"name": "Someone Else"}).status_code == 404
    assert client.get(base + "erase/").status_code == 404
    assert client.post(base + "erase/").status_code == 404

    reveal = signed_in(members["team_member"]).post(base)
    assert NAME.encode() in reveal.content  # unchanged, not erased


def test_each_view_writes_exactly_one_audit_event(workspace, identity_cast) -> None:
    members, people = identity_cast
    person = people["in_system"]
    client = signed_in(members["team_member"])
    for expected in (1, 2, 3):
        client.post(f"/w/riverside/people/{person.pk}/identity/")
        assert _views(workspace) == expected
    with tenant_scope(workspace_id=workspace.pk):
        event = AuditEvent.objects.filter(action="person.identity_viewed").first()
    assert event.actor_id == members["team_member"].user_id
    assert event.target_id == str(person.pk)
    assert NAME not in str(event.data)


def test_the_identity_page_without_reveal_shows_nothing_and_audits_nothing(
    workspace, identity_cast
) -> None:
    members, people = identity_cast
    response = signed_in(members["team_member"]).get(
        f"/w/riverside/people/{people['in_system'].pk}/identity/"
    )
    assert response.status_code == 200
    assert b"Show identity" in response.content
    assert NAME.encode() not in response.content
    assert _views(workspace) == 0
