"""Cycles over the API: read, create, update with If-Match, the phase move, scopes, input."""

import pytest

from cycles.models import Cycle, PhaseShift
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.api.conftest import client_for
from tests.api.cycles.conftest import session_for
from tests.factories import CycleFactory, SystemFactory

URL = "/api/v1/cycles/"


def test_list_and_retrieve(api, world):
    response = api.get(URL)
    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert names == {"Open Door cycle", "North team cycle"}
    one = api.get(f"{URL}{world.cycle.pk}/")
    assert one.status_code == 200
    assert one.json()["system"] == world.system.pk
    assert one["ETag"]
    assert api.get(f"{URL}{world.cycle.pk}/", HTTP_IF_NONE_MATCH=one["ETag"]).status_code == 304


def test_create_update_and_phase(api, world):
    created = api.post(
        URL,
        {"system": world.system.pk, "name": "Rent arrears", "purpose": "Learn what helps."},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["phase"] == "understand"
    assert body["status"] == "active"
    url = f"{URL}{body['id']}/"

    stale = api.patch(url, {"status": "paused"}, format="json", HTTP_IF_MATCH='"nope"')
    assert stale.status_code == 412
    assert api.patch(url, {"status": "paused"}, format="json").status_code == 428
    updated = api.patch(
        url,
        {"status": "paused", "learning_questions": "What helps?"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["status"] == "paused"

    moved = api.post(f"{url}phase/", {"to": "co_design", "why": "We heard enough."}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["phase"] == "co_design"
    assert moved.json()["phase_shifts"][0]["why"] == "We heard enough."
    with tenant_scope(workspace_id=world.workspace.pk):
        assert PhaseShift.objects.filter(cycle_id=body["id"], to_phase="co_design").exists()

    again = api.post(f"{url}phase/", {"to": "co_design", "why": "Again"}, format="json")
    assert again.status_code == 400
    assert "to" in again.json()["errors"]
    blank = api.post(f"{url}phase/", {"to": "embed", "why": "  "}, format="json")
    assert blank.status_code == 400
    assert "why" in blank.json()["errors"]


def test_phase_cannot_be_patched(api, world):
    one = api.get(f"{URL}{world.cycle.pk}/")
    response = api.patch(
        f"{URL}{world.cycle.pk}/", {"phase": "embed"}, format="json", HTTP_IF_MATCH=one["ETag"]
    )
    assert response.status_code == 400
    assert "phase" in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"system": "x", "name": "A", "purpose": "B"}, "system"),
        ({"system": 999999, "name": "A", "purpose": "B"}, "system"),
        ({"name": "A", "purpose": "B"}, "system"),
        ({"system": None, "name": "A", "purpose": "  "}, "system"),
        ({"name": "A", "purpose": "B", "colour": "red"}, "colour"),
        ({"name": ["A"], "purpose": "B"}, "name"),
    ],
)
def test_bad_input_is_400(api, world, body, field):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"]


def test_blank_purpose_is_the_service_message(api, world):
    response = api.post(
        URL, {"system": world.system.pk, "name": "A", "purpose": " "}, format="json"
    )
    assert response.status_code == 400
    assert "purpose" in response.json()["errors"]


def test_foreign_system_is_400(api, world, other_workspace):
    with tenant_scope(workspace_id=other_workspace.pk):
        foreign = SystemFactory(workspace=other_workspace)
    response = api.post(URL, {"system": foreign.pk, "name": "A", "purpose": "B"}, format="json")
    assert response.status_code == 400
    assert "system" in response.json()["errors"]


def test_outsider_gets_404(outsider_api, world):
    assert outsider_api.get(f"{URL}{world.cycle.pk}/").status_code == 404
    assert outsider_api.get(URL).json()["results"] == []
    moved = outsider_api.post(
        f"{URL}{world.cycle.pk}/phase/", {"to": "embed", "why": "x"}, format="json"
    )
    assert moved.status_code == 404


def test_scopes(world, admin, make_key):
    none = client_for(make_key(admin, ["systems:read"]))
    assert none.get(URL).status_code == 403
    read = client_for(make_key(admin, ["cycles:read"]))
    assert read.get(URL).status_code == 200
    posted = read.post(URL, {"system": world.system.pk, "name": "A", "purpose": "B"}, format="json")
    assert posted.status_code == 403
    moved = read.post(f"{URL}{world.cycle.pk}/phase/", {"to": "embed", "why": "x"}, format="json")
    assert moved.status_code == 403


def test_viewer_role_cannot_write(world, make_member):
    viewer = make_member(world.workspace, Role.VIEWER)
    client = session_for(viewer)
    assert client.get(URL).status_code == 200
    response = client.post(
        URL, {"system": world.system.pk, "name": "A", "purpose": "B"}, format="json"
    )
    assert response.status_code == 403


def test_updated_since(api, world):
    first = api.get(URL).json()["results"]
    latest = max(row["updated_at"] for row in first)
    assert api.get(URL, {"updated_since": latest}).json()["results"] == []
    with tenant_scope(workspace_id=world.workspace.pk):
        Cycle.objects.filter(pk=world.cycle.pk).update(name="Renamed")
        world.cycle.refresh_from_db()
        world.cycle.save()
    rows = api.get(URL, {"updated_since": latest}).json()["results"]
    assert [row["id"] for row in rows] == [world.cycle.pk]
    assert api.get(URL, {"updated_since": "yesterday"}).status_code == 400


def test_list_query_count_is_constant(api, world, django_assert_num_queries):
    from tests.api.cycles.conftest import count_queries

    api.get(URL)  # the key's first use is recorded once
    with count_queries() as small:
        assert api.get(URL).status_code == 200
    with tenant_scope(workspace_id=world.workspace.pk):
        for _ in range(18):
            cycle = CycleFactory(workspace=world.workspace, system=world.system)
            PhaseShift.objects.create(
                workspace=world.workspace,
                cycle=cycle,
                from_phase="understand",
                to_phase="embed",
                reason="r",
            )
    with count_queries() as large:
        assert len(api.get(URL).json()["results"]) == 20
    assert len(large.captured_queries) == len(small.captured_queries) == 11
