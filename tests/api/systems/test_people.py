"""People served over the API: pseudonymous records with the web's rules, and identity apart
(identity:read, working with the person, audited, never cached)."""

import datetime as dt

import pytest
from django.utils import timezone

from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Consent, Person
from systems.people import services
from tests.api.conftest import client_for
from tests.api.systems.conftest import API, list_queries, patch, problem_fields, set_role
from tests.factories import PersonFactory, ScaleFactory, SystemFactory, SystemMemberFactory

URL = f"{API}/people/"
NAME = "Morag Example"
IDENTITY_WORDS = ("name", "date_of_birth", "contact", "identity")


@pytest.fixture
def identity(workspace, person, admin):
    with tenant_scope(workspace_id=workspace.pk):
        return services.identity_set(
            workspace=workspace,
            person=person,
            actor=admin.user,
            name=NAME,
            date_of_birth=dt.date(1984, 3, 21),
            contact="07700 900123",
        )


@pytest.fixture
def stranger(workspace, member):
    """Someone the admin does not work with: in a person-scale system of another team."""
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, is_person_scale=True)
        system = SystemFactory(workspace=workspace, scale=scale)
        SystemMemberFactory(workspace=workspace, system=system, user=member.user)
        return PersonFactory(workspace=workspace, system=system, created_by=member.user)


def _identity_views(workspace) -> list[AuditEvent]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(AuditEvent.objects.filter(action="person.identity_viewed"))


# The pseudonymous record -----------------------------------------------------------------------


def test_list_holds_only_the_people_the_web_lists(api, workspace, person, stranger, admin) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        recorded = PersonFactory(workspace=workspace, created_by=admin.user)

    ids = {row["id"] for row in api.get(URL).json()["results"]}

    assert ids == {person.pk, recorded.pk}  # worked with, or recorded by the caller


def test_records_never_hold_identity(api, workspace, person, identity) -> None:
    listed = api.get(URL)
    one = api.get(f"{URL}{person.pk}/")

    assert one.status_code == 200
    assert listed.json()["results"] == [one.json()]
    assert set(one.json()) == {
        "id",
        "reference",
        "alias",
        "system",
        "what_matters",
        "strengths",
        "consent",
        "created_at",
        "updated_at",
    }
    for response in (listed, one):
        assert NAME.encode() not in response.content
        assert b"07700" not in response.content
        assert b"1984" not in response.content
    assert one.json()["consent"] == {"level": 1, "label": "My team"}
    assert not set(IDENTITY_WORDS) & set(one.json())
    assert _identity_views(workspace) == []


def test_only_those_who_work_with_a_person_open_their_record(api, stranger) -> None:
    """A record follows consent: for an admin who does not work with the person it does not
    exist (404), however it is asked for."""
    url = f"{URL}{stranger.pk}/"

    assert api.get(url).status_code == 404
    assert api.get(f"{url}consents/").status_code == 404
    assert api.patch(url, {"alias": "X"}, format="json", HTTP_IF_MATCH='"x"').status_code == 404
    assert api.get(f"{url}identity/").status_code == 404


def test_a_manager_above_does_not_open_the_record_but_the_team_does(
    workspace, stranger, make_member, make_key
) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        above = SystemFactory(workspace=workspace, name="North team")
        life = stranger.system
        life.parent = above
        life.save()
        manager = make_member(workspace, Role.ADMIN)
        SystemMemberFactory(workspace=workspace, system=above, user=manager.user)
        teammate = make_member(workspace, Role.ADMIN)  # in the team of the person's own life
        SystemMemberFactory(workspace=workspace, system=life, user=teammate.user)
    manager_api = client_for(make_key(manager))
    set_role(manager, Role.MANAGER)
    team_api = client_for(make_key(teammate))
    url = f"{URL}{stranger.pk}/"

    assert manager_api.get(url).status_code == 404
    assert manager_api.get(f"{url}consents/").status_code == 404
    assert stranger.pk not in {row["id"] for row in manager_api.get(URL).json()["results"]}
    record = team_api.get(url)
    assert record.status_code == 200
    assert record.json()["what_matters"] == stranger.what_matters
    assert team_api.get(f"{url}consents/").status_code == 200


def test_create_and_update(api, workspace, person_system, admin) -> None:
    created = api.post(
        URL,
        {"alias": "Jo", "what_matters": "My dog.", "system": person_system.pk},
        format="json",
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["reference"].startswith("P-")
    assert body["consent"]["level"] == 1
    with tenant_scope(workspace_id=workspace.pk):
        assert Person.objects.get(pk=body["id"]).created_by_id == admin.user_id

    updated = patch(api, created["Location"], {"strengths": "Cooking", "system": None})
    assert updated.status_code == 200, updated.content
    assert (updated.json()["strengths"], updated.json()["system"]) == ("Cooking", None)
    assert updated.json()["alias"] == "Jo"


def test_bad_input(api, workspace, person, system, outsider) -> None:
    with tenant_scope(workspace_id=outsider.workspace_id):
        foreign = SystemFactory(
            workspace=outsider.workspace,
            scale=ScaleFactory(workspace=outsider.workspace, is_person_scale=True),
        )

    def fields(body):
        return problem_fields(api.post(URL, body, format="json"))

    assert fields({"system": system.pk}) == {"system"}  # not a person-scale system
    assert fields({"system": foreign.pk}) == {"system"}
    assert fields({"system": "mine"}) == {"system"}
    assert fields({"alias": "x" * 81}) == {"alias"}
    assert fields({"name": NAME}) == {"name"}  # identity never comes in this way
    assert fields({"reference": "P-MINE"}) == {"reference"}
    assert fields({"consent": {"level": 4}}) == {"consent"}
    assert problem_fields(patch(api, f"{URL}{person.pk}/", {"alias": ["Mo"]})) == {"alias"}


def test_roles_and_scopes(api, admin, scoped_client, person) -> None:
    reader = scoped_client(["people:read"])
    assert reader.get(URL).status_code == 200
    assert reader.post(URL, {}, format="json").status_code == 403
    assert scoped_client(["systems:write", "identity:read"]).get(URL).status_code == 403

    for role in (Role.VIEWER, Role.LEARNING_PARTNER, Role.STEWARD):
        set_role(admin, role)
        assert api.get(f"{URL}{person.pk}/").status_code == 200
        assert api.post(URL, {"alias": "Jo"}, format="json").status_code == 403
    set_role(admin, Role.MANAGER)
    assert api.post(URL, {"alias": "Jo"}, format="json").status_code == 201


def test_updated_since(api, workspace, person, admin) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        Person.objects.update(updated_at=timezone.now() - dt.timedelta(days=2))
        fresh = PersonFactory(workspace=workspace, created_by=admin.user)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()

    rows = api.get(URL, {"updated_since": since}).json()["results"]

    assert [row["id"] for row in rows] == [fresh.pk]


def test_list_query_count_is_constant(
    api, workspace, person_system, admin, django_assert_num_queries
) -> None:
    def add(count: int) -> None:
        with tenant_scope(workspace_id=workspace.pk):
            for i in range(count):
                PersonFactory(
                    workspace=workspace,
                    created_by=admin.user,
                    system=person_system if i % 2 else None,
                )

    add(2)
    small = list_queries(api, URL)
    add(18)
    assert list_queries(api, URL) == small == 9
    with django_assert_num_queries(9):
        api.get(URL)


# Consent ---------------------------------------------------------------------------------------


def test_record_consent_and_read_its_history(api, workspace, person, stranger) -> None:
    url = f"{URL}{person.pk}/consents/"
    before = api.get(f"{URL}{person.pk}/").json()["updated_at"]

    recorded = api.post(url, {"level": 2, "note": "Agreed at the drop-in."}, format="json")

    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["label"] == "This cycle"
    record = api.get(f"{URL}{person.pk}/").json()
    assert record["consent"] == {"level": 2, "label": "This cycle"}
    assert record["updated_at"] > before  # a sync sees the change
    assert [row["level"] for row in api.get(url).json()] == [2]
    with tenant_scope(workspace_id=workspace.pk):
        assert Consent.objects.filter(person=person).count() == 1

    assert problem_fields(api.post(url, {"level": 2}, format="json")) == {"note"}
    assert problem_fields(api.post(url, {"level": 9, "note": "x"}, format="json")) == {"level"}
    assert problem_fields(api.post(url, {"level": 1, "note": "x", "by": 1}, format="json")) == {
        "by"
    }
    stranger_url = f"{URL}{stranger.pk}/consents/"
    assert api.get(stranger_url).status_code == 404  # only for those who work with them
    response = api.post(stranger_url, {"level": 4, "note": "x"}, format="json")
    assert response.status_code == 404


def test_consent_needs_people_write_and_the_capability(admin, api, scoped_client, person) -> None:
    url = f"{URL}{person.pk}/consents/"
    body = {"level": 2, "note": "Agreed."}
    assert scoped_client(["people:read"]).post(url, body, format="json").status_code == 403
    set_role(admin, Role.VIEWER)
    assert api.post(url, body, format="json").status_code == 403


# Identity --------------------------------------------------------------------------------------


def test_identity_for_those_who_work_with_the_person_audited(
    api, workspace, person, identity, admin
) -> None:
    response = api.get(f"{URL}{person.pk}/identity/")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "name": NAME,
        "date_of_birth": "1984-03-21",
        "contact": "07700 900123",
    }
    assert "ETag" not in response
    assert "no-store" in response["Cache-Control"]
    [event] = _identity_views(workspace)
    assert (event.actor_id, event.target_id) == (admin.user_id, str(person.pk))
    assert NAME not in str(event.data)

    api.get(f"{URL}{person.pk}/identity/", HTTP_IF_NONE_MATCH="*")
    assert len(_identity_views(workspace)) == 2  # every read, one event each


def test_identity_needs_the_identity_scope(scoped_client, workspace, person, identity) -> None:
    url = f"{URL}{person.pk}/identity/"

    without = scoped_client(["people:write", "systems:write"]).get(url)
    alone = scoped_client(["identity:read"]).get(url)  # and people:read, to find the person
    both = scoped_client(["people:read", "identity:read"]).get(url)

    assert without.status_code == 403
    assert NAME.encode() not in without.content
    assert alone.status_code == 403
    assert both.status_code == 200
    assert len(_identity_views(workspace)) == 1


def test_no_identity_unless_working_with_the_person(api, workspace, stranger, member) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        services.identity_set(
            workspace=workspace,
            person=stranger,
            actor=member.user,
            name=NAME,
            date_of_birth=None,
            contact="",
        )

    response = api.get(f"{URL}{stranger.pk}/identity/")

    assert response.status_code == 404  # as on the web: not even whether one exists
    assert NAME.encode() not in response.content
    assert _identity_views(workspace) == []


def test_no_identity_recorded_is_404_and_not_audited(api, workspace, person) -> None:
    response = api.get(f"{URL}{person.pk}/identity/")

    assert response.status_code == 404
    assert "No identity" in response.json()["detail"]
    assert _identity_views(workspace) == []


def test_the_outsider_gets_404(outsider_api, person, identity) -> None:
    assert outsider_api.get(f"{URL}{person.pk}/").status_code == 404
    assert outsider_api.get(f"{URL}{person.pk}/identity/").status_code == 404
    assert outsider_api.get(f"{URL}{person.pk}/consents/").status_code == 404
