"""Systems of interest over the API: the web's services, its history of boundary changes."""

import datetime as dt

from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import System, SystemChange, SystemMember
from tests.api.systems.conftest import API, list_queries, patch, problem_fields, set_role
from tests.factories import (
    OrganisationFactory,
    ScaleFactory,
    SystemFactory,
    SystemMemberFactory,
    SystemOrganisationFactory,
)

URL = f"{API}/systems/"


def test_create_with_parent_scale_and_organisations(api, workspace, system, scale) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        council = OrganisationFactory(workspace=workspace, name="Council")
        trust = OrganisationFactory(workspace=workspace, name="Trust")

    response = api.post(
        URL,
        {
            "name": "Hub team",
            "scale": scale.pk,
            "purpose": "Help people stay in their homes.",
            "parent": system.pk,
            "organisations": [trust.pk, council.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent"] == system.pk
    assert body["scale"] == scale.pk
    assert sorted(body["organisations"]) == sorted([council.pk, trust.pk])
    assert "reason" not in body
    assert api.get(response["Location"]).json() == body
    with tenant_scope(workspace_id=workspace.pk):
        made = System.objects.get(pk=body["id"])
        assert made.created_by_id is not None
        assert made.purpose == "Help people stay in their homes."


def test_list_and_retrieve(api, workspace, system) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        org = OrganisationFactory(workspace=workspace)
        SystemOrganisationFactory(workspace=workspace, system=system, organisation=org)

    rows = api.get(URL).json()["results"]
    one = api.get(f"{URL}{system.pk}/").json()

    assert [row["id"] for row in rows] == [system.pk]
    assert one == rows[0]
    assert one["organisations"] == [org.pk]
    assert one["purpose"] == system.purpose


def test_filter_by_scale_and_parent(api, workspace, system, scale) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        child = SystemFactory(workspace=workspace, scale=scale, parent=system)
        other = SystemFactory(workspace=workspace)

    by_parent = api.get(URL, {"parent": system.pk}).json()["results"]
    by_scale = api.get(URL, {"scale": other.scale_id}).json()["results"]

    assert [row["id"] for row in by_parent] == [child.pk]
    assert [row["id"] for row in by_scale] == [other.pk]


def test_bad_input(api, workspace, system, scale, outsider) -> None:
    with tenant_scope(workspace_id=outsider.workspace_id):
        foreign_scale = ScaleFactory(workspace=outsider.workspace)
        foreign_system = SystemFactory(workspace=outsider.workspace, scale=foreign_scale)
        foreign_org = OrganisationFactory(workspace=outsider.workspace)
    good = {"name": "A", "scale": scale.pk, "purpose": "For people."}

    def fields(**change):
        return problem_fields(api.post(URL, {**good, **change}, format="json"))

    assert fields(scale=foreign_scale.pk) == {"scale"}
    assert fields(parent=foreign_system.pk) == {"parent"}
    assert fields(organisations=[foreign_org.pk]) == {"organisations"}
    assert fields(scale="team") == {"scale"}
    assert fields(organisations="1") == {"organisations"}
    assert fields(purpose="   ") == {"purpose"}
    assert fields(name="x" * 161) == {"name"}
    assert fields(members=[1]) == {"members"}
    assert fields(created_by=1) == {"created_by"}
    assert problem_fields(api.post(URL, {"name": "A"}, format="json")) == {"scale", "purpose"}


def test_a_boundary_change_needs_a_reason_and_is_kept_in_history(
    api, workspace, system, member
) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        SystemMemberFactory(workspace=workspace, system=system, user=member.user)
    url = f"{URL}{system.pk}/"

    without = patch(api, url, {"purpose": "Something wider."})
    assert problem_fields(without) == {"reason"}

    changed = patch(api, url, {"purpose": "Something wider.", "reason": "We learnt more."})

    assert changed.status_code == 200, changed.content
    assert changed.json()["purpose"] == "Something wider."
    with tenant_scope(workspace_id=workspace.pk):
        change = SystemChange.objects.get(system=system)
        assert change.reason == "We learnt more."
        assert change.changes["purpose"] == [system.purpose, "Something wider."]
        # the team is not part of the API's shape, and is kept as it was
        assert list(
            SystemMember.objects.filter(system=system).values_list("user_id", flat=True)
        ) == [member.user_id]


def test_rename_needs_no_reason_and_parent_can_be_cleared(api, workspace, system, scale) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        child = SystemFactory(workspace=workspace, scale=scale, parent=system)
    url = f"{URL}{child.pk}/"

    renamed = patch(api, url, {"name": "Renamed"})
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["name"] == "Renamed"

    loop = patch(api, f"{URL}{system.pk}/", {"parent": child.pk, "reason": "Loop"})
    assert problem_fields(loop) == {"parent"}

    cleared = patch(api, url, {"parent": None, "reason": "It stands alone now."})
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["parent"] is None


def test_there_is_no_delete(api, system) -> None:
    url = f"{URL}{system.pk}/"
    response = api.delete(url, HTTP_IF_MATCH=api.get(url)["ETag"])
    assert response.status_code == 405


def test_roles_and_scopes(api, admin, scoped_client, system, scale) -> None:
    body = {"name": "A", "scale": scale.pk, "purpose": "For people."}
    reader = scoped_client(["systems:read"])
    assert reader.get(URL).status_code == 200
    assert reader.post(URL, body, format="json").status_code == 403
    assert scoped_client(["people:write"]).get(URL).status_code == 403

    set_role(admin, Role.LEARNING_PARTNER)  # may read systems, not change them
    assert api.get(URL).status_code == 200
    assert api.post(URL, body, format="json").status_code == 403
    set_role(admin, Role.PRACTITIONER)
    assert api.post(URL, body, format="json").status_code == 201


def test_updated_since(api, workspace, system, scale) -> None:
    with tenant_scope(workspace_id=workspace.pk):
        System.objects.filter(pk=system.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
        fresh = SystemFactory(workspace=workspace, scale=scale)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()

    rows = api.get(URL, {"updated_since": since}).json()["results"]

    assert [row["id"] for row in rows] == [fresh.pk]
    assert problem_fields(api.get(URL, {"updated_since": "yesterday"})) == {"updated_since"}


def test_list_query_count_is_constant(api, workspace, scale, django_assert_num_queries) -> None:
    def add(count: int) -> None:
        with tenant_scope(workspace_id=workspace.pk):
            for _ in range(count):
                parent = SystemFactory(workspace=workspace, scale=scale)
                system = SystemFactory(workspace=workspace, scale=scale, parent=parent)
                SystemOrganisationFactory(workspace=workspace, system=system)

    add(1)
    small = list_queries(api, URL)
    add(9)
    assert list_queries(api, URL) == small == 11
    with django_assert_num_queries(11):
        api.get(URL)


def test_a_persons_life_is_named_only_to_those_who_work_in_it(
    api, workspace, person_system, system, admin
) -> None:
    """Inside (the admin is in Mo's team) the life is named; outside, by its pseudonym."""
    with tenant_scope(workspace_id=workspace.pk):
        System.objects.filter(pk=person_system.pk).update(parent=system)
    assert api.get(f"{URL}{person_system.pk}/").json()["name"] == "Mo's life"

    with tenant_scope(workspace_id=workspace.pk):
        SystemMember.objects.filter(system=person_system, user=admin.user).delete()
    seen = api.get(f"{URL}{person_system.pk}/").json()["name"]
    listed = {s["id"]: s["name"] for s in api.get(URL).json()["results"]}
    assert seen == listed[person_system.pk] == "A person's life · Riverside hub"
