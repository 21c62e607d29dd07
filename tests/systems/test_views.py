"""The systems pages: each renders, bad input keeps the typed text beside the field, and list
pages stay within a constant number of queries as the data grows."""

import itertools

import pytest

from hls.tenancy.context import tenant_scope
from systems.models import Actor, MapSnapshot, Relationship, Scale, System, SystemChange
from tests.factories import (
    ActorFactory,
    FactorFactory,
    MapSnapshotFactory,
    OrganisationFactory,
    RelationshipFactory,
    ScaleFactory,
    SystemFactory,
)

BASE = "/w/riverside/"


@pytest.fixture
def system(workspace, admin):
    with tenant_scope(workspace_id=workspace.pk):
        return SystemFactory(
            workspace=workspace, name="Riverside alliance", purpose="Homes for all"
        )


def test_scales_page_creates_the_defaults(member_client):
    response = member_client.get(BASE + "scales/")
    assert response.status_code == 200
    assert b"A person&#x27;s life" in response.content
    assert b"Add a scale" not in response.content  # practitioners do not manage scales


def test_admin_adds_and_renames_scales(admin_client, workspace):
    admin_client.get(BASE + "scales/")
    response = admin_client.post(BASE + "scales/add/", {"new-name": "Neighbourhood"})
    assert response.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        team = Scale.objects.get(name="Team")
    response = admin_client.post(
        BASE + f"scales/{team.pk}/rename/", {f"scale-{team.pk}-name": "place"}
    )
    assert response.status_code == 400
    assert "There is already a scale called “place”".encode() in response.content
    assert b'value="place"' in response.content  # what was typed is kept


def test_adding_a_duplicate_scale_keeps_the_text(admin_client):
    admin_client.get(BASE + "scales/")
    response = admin_client.post(BASE + "scales/add/", {"new-name": "COUNTRY"})
    assert response.status_code == 400
    assert b'value="COUNTRY"' in response.content
    assert b'class="error"' in response.content


def test_scale_move_and_delete(admin_client, workspace):
    admin_client.get(BASE + "scales/")
    with tenant_scope(workspace_id=workspace.pk):
        country = Scale.objects.get(name="Country")
    assert (
        admin_client.post(BASE + f"scales/{country.pk}/move/", {"direction": "up"}).status_code
        == 302
    )
    with tenant_scope(workspace_id=workspace.pk):
        assert list(Scale.objects.values_list("name", flat=True))[-1] == "Place"
        SystemFactory(workspace=workspace, scale=country)
    response = admin_client.post(BASE + f"scales/{country.pk}/delete/")
    assert response.status_code == 400
    assert b"cannot be removed" in response.content


def test_create_a_system(member_client, workspace, member):
    member_client.get(BASE + "systems/")
    with tenant_scope(workspace_id=workspace.pk):
        team = Scale.objects.get(name="Team")
        org = OrganisationFactory(workspace=workspace, name="Hope Housing")
    response = member_client.post(
        BASE + "systems/new/",
        {
            "name": "Eastside team",
            "scale": team.pk,
            "purpose": "Help people stay housed",
            "organisations": [org.pk],
            "members": [member.user_id],
        },
    )
    assert response.status_code == 302
    page = member_client.get(response["Location"])
    assert b"Help people stay housed" in page.content
    assert b"Hope Housing" in page.content
    assert b"Pat Practitioner" in page.content


def test_create_without_purpose_keeps_the_text(member_client, workspace):
    member_client.get(BASE + "systems/")
    with tenant_scope(workspace_id=workspace.pk):
        team = Scale.objects.get(name="Team")
    response = member_client.post(
        BASE + "systems/new/", {"name": "Eastside team", "scale": team.pk, "purpose": ""}
    )
    assert response.status_code == 400
    assert b'value="Eastside team"' in response.content
    assert b'id="id_purpose_error"' in response.content


def test_create_with_ids_from_another_workspace_is_an_error_not_a_crash(
    member_client, workspace, other_workspace, outsider
):
    member_client.get(BASE + "systems/")
    with tenant_scope(workspace_id=other_workspace.pk):
        foreign_scale = ScaleFactory(workspace=other_workspace)
        foreign_system = SystemFactory(workspace=other_workspace, scale=foreign_scale)
        foreign_org = OrganisationFactory(workspace=other_workspace)
    response = member_client.post(
        BASE + "systems/new/",
        {
            "name": "Sneaky",
            "scale": foreign_scale.pk,
            "purpose": "x",
            "parent": foreign_system.pk,
            "organisations": [foreign_org.pk],
            "members": [outsider.user_id],
        },
    )
    assert response.status_code == 400
    for field in ("scale", "parent", "organisations", "members"):
        assert f'id="id_{field}_error"'.encode() in response.content
    with tenant_scope(workspace_id=workspace.pk):
        assert not System.objects.filter(name="Sneaky").exists()


def test_oversized_name_is_refused(member_client, workspace):
    member_client.get(BASE + "systems/")
    with tenant_scope(workspace_id=workspace.pk):
        team = Scale.objects.get(name="Team")
    response = member_client.post(
        BASE + "systems/new/", {"name": "x" * 161, "scale": team.pk, "purpose": "y"}
    )
    assert response.status_code == 400
    assert b'id="id_name_error"' in response.content


def test_edit_a_system_needs_why_and_shows_history(admin_client, workspace, system, member):
    url = BASE + f"systems/{system.pk}/edit/"
    assert admin_client.get(url).status_code == 200
    data = {"name": system.name, "scale": system.scale_id, "purpose": "Homes and friends"}
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert b'id="id_reason_error"' in response.content
    assert b"Homes and friends" in response.content
    response = admin_client.post(url, {**data, "reason": "Loneliness came up in every story"})
    assert response.status_code == 302
    page = admin_client.get(BASE + f"systems/{system.pk}/")
    assert b"Loneliness came up in every story" in page.content
    assert b"Homes for all" in page.content
    assert b"Homes and friends" in page.content
    assert b"Ada Admin" in page.content


def test_edit_refuses_a_parent_loop(admin_client, workspace, system):
    with tenant_scope(workspace_id=workspace.pk):
        child = SystemFactory(workspace=workspace, parent=system, scale=system.scale)
    response = admin_client.post(
        BASE + f"systems/{system.pk}/edit/",
        {
            "name": system.name,
            "scale": system.scale_id,
            "purpose": system.purpose,
            "parent": child.pk,
            "reason": "try",
        },
    )
    assert response.status_code == 400
    assert b"cannot sit inside itself" in response.content
    with tenant_scope(workspace_id=workspace.pk):
        assert not SystemChange.objects.exists()


def test_map_pages_render(member_client, workspace, system):
    with tenant_scope(workspace_id=workspace.pk):
        RelationshipFactory(workspace=workspace, system=system, label="feeds")
        ActorFactory(workspace=workspace, system=system, name="Food bank")
    listing = member_client.get(BASE + f"systems/{system.pk}/map/")
    assert listing.status_code == 200
    assert b"Food bank" in listing.content
    assert b"feeds" in listing.content
    drawing = member_client.get(BASE + f"systems/{system.pk}/map/draw/")
    assert drawing.status_code == 200
    assert b'id="map-data"' in drawing.content
    assert b"cytoscape.min.js" in drawing.content
    assert b'role="img"' in drawing.content
    assert f'href="/w/riverside/systems/{system.pk}/map/"'.encode() in drawing.content


def test_add_actor_factor_and_link_without_js(member_client, workspace, system):
    url = BASE + f"systems/{system.pk}/map/"
    response = member_client.post(
        url + "actors/add/",
        {
            "page": "list",
            "actor-name": "Sam's sister",
            "actor-kind": "person",
            "actor-participation": "heard",
        },
    )
    assert response.status_code == 302
    member_client.post(url + "factors/add/", {"factor-name": "Debt"})
    member_client.post(url + "factors/add/", {"factor-name": "Stress"})
    with tenant_scope(workspace_id=workspace.pk):
        debt, stress = (system.factors.get(name=n) for n in ("Debt", "Stress"))
    response = member_client.post(
        url + "links/add/",
        {
            "link-source": f"f{debt.pk}",
            "link-target": f"f{stress.pk}",
            "link-sign": "+",
            "link-label": "worries",
        },
    )
    assert response.status_code == 302
    page = member_client.get(url)
    assert b"Sam&#x27;s sister" in page.content
    assert b"worries" in page.content


def test_add_actor_with_htmx_returns_the_panel(member_client, workspace, system):
    response = member_client.post(
        BASE + f"systems/{system.pk}/map/actors/add/",
        {
            "page": "draw",
            "actor-name": "Job centre",
            "actor-kind": "service",
            "actor-participation": "invited",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert b'id="map-data"' in response.content
    assert b"Job centre" in response.content  # in the map data
    assert b"<html" not in response.content
    response = member_client.post(
        BASE + f"systems/{system.pk}/map/actors/add/",
        {
            "page": "draw",
            "actor-name": "",
            "actor-kind": "service",
            "actor-role": "advice",
            "actor-participation": "invited",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert b'value="advice"' in response.content


def test_link_to_a_node_of_another_system_is_refused_beside_the_field(
    member_client, workspace, system
):
    with tenant_scope(workspace_id=workspace.pk):
        mine = ActorFactory(workspace=workspace, system=system)
        theirs = ActorFactory(workspace=workspace)
    response = member_client.post(
        BASE + f"systems/{system.pk}/map/links/add/",
        {"link-source": f"a{mine.pk}", "link-target": f"a{theirs.pk}", "link-label": "knows"},
    )
    assert response.status_code == 400
    assert b"not on this system&#x27;s map" in response.content
    assert b'value="knows"' in response.content
    with tenant_scope(workspace_id=workspace.pk):
        assert not Relationship.objects.exists()


def test_edit_and_remove_nodes_and_links(member_client, workspace, system):
    with tenant_scope(workspace_id=workspace.pk):
        actor = ActorFactory(workspace=workspace, system=system, name="GP")
        factor = FactorFactory(workspace=workspace, system=system, name="Debt")
        link = RelationshipFactory(workspace=workspace, system=system)
    assert member_client.get(BASE + f"map/actors/{actor.pk}/edit/").status_code == 200
    response = member_client.post(
        BASE + f"map/actors/{actor.pk}/edit/",
        {"name": "", "kind": "service", "role": "prescribes", "participation": "heard"},
    )
    assert response.status_code == 400
    assert b'value="prescribes"' in response.content
    response = member_client.post(
        BASE + f"map/actors/{actor.pk}/edit/",
        {"name": "Surgery", "kind": "service", "role": "", "participation": "heard"},
    )
    assert response.status_code == 302
    response = member_client.post(
        BASE + f"map/factors/{factor.pk}/edit/", {"name": "Money worries", "description": ""}
    )
    assert response.status_code == 302
    assert member_client.get(BASE + f"map/links/{link.pk}/edit/").status_code == 200
    response = member_client.post(
        BASE + f"map/links/{link.pk}/edit/",
        {
            "source": f"f{link.source_factor_id}",
            "target": f"f{link.target_factor_id}",
            "sign": "-",
            "label": "less",
        },
    )
    assert response.status_code == 302
    for url in (
        f"map/links/{link.pk}/delete/",
        f"map/actors/{actor.pk}/delete/",
        f"map/factors/{factor.pk}/delete/",
    ):
        assert member_client.post(BASE + url).status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        assert not Actor.objects.exists()
        assert not Relationship.objects.exists()


def test_snapshots_take_list_and_compare(member_client, workspace, system):
    with tenant_scope(workspace_id=workspace.pk):
        ActorFactory(workspace=workspace, system=system, name="GP")
    url = BASE + f"systems/{system.pk}/map/snapshots/"
    response = member_client.post(url + "take/", {"label": ""})
    assert response.status_code == 400
    assert b'id="id_label_error"' in response.content
    assert member_client.post(url + "take/", {"label": "Before the pilot"}).status_code == 302
    assert b"Before the pilot" in member_client.get(url).content
    with tenant_scope(workspace_id=workspace.pk):
        snapshot = MapSnapshot.objects.get()
        ActorFactory(workspace=workspace, system=system, name="Food bank")
    page = member_client.get(BASE + f"map/snapshots/{snapshot.pk}/compare/")
    assert page.status_code == 200
    assert b"Added:</strong> Food bank" in page.content
    with tenant_scope(workspace_id=workspace.pk):
        later = MapSnapshotFactory(workspace=workspace, system=system, label="Later")
    page = member_client.get(BASE + f"map/snapshots/{snapshot.pk}/compare/?with={later.pk}")
    assert b"Removed:</strong> GP" in page.content


# Query budgets ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 1000])
def test_systems_list_queries_are_constant(
    member_client, workspace, count, django_assert_num_queries
):
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace)
        parent = SystemFactory(workspace=workspace, scale=scale)
        System.objects.bulk_create(
            [
                System(workspace=workspace, scale=scale, parent=parent, name=f"S{i}", purpose="p")
                for i in range(count)
            ]
        )
    with django_assert_num_queries(13):  # (+1: Trust, to name a person's life)
        response = member_client.get(BASE + "systems/")
    assert response.status_code == 200
    assert response.content.count(b'class="tag"') == count + 1


@pytest.mark.parametrize("count", [10, 1000])
def test_map_list_queries_are_constant(member_client, workspace, count, django_assert_num_queries):
    with tenant_scope(workspace_id=workspace.pk):
        system = SystemFactory(workspace=workspace)
        actors = Actor.objects.bulk_create(
            [
                Actor(workspace=workspace, system=system, name=f"A{i}", kind="person")
                for i in range(count)
            ]
        )
        Relationship.objects.bulk_create(
            [
                Relationship(workspace=workspace, system=system, source_actor=a, target_actor=b)
                for a, b in itertools.pairwise(actors)
            ]
        )
        FactorFactory.create_batch(3, workspace=workspace, system=system)
    for page in ("map/", "map/draw/"):
        with django_assert_num_queries(13):
            response = member_client.get(BASE + f"systems/{system.pk}/{page}")
        assert response.status_code == 200
