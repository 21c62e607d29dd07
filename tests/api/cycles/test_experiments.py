"""Experiments over the API: design, change while planned, start, the frozen design (a change
makes a version), end with an outcome; input, scopes, query budget."""

import pytest

from hls.tenancy.context import tenant_scope
from tests.api.conftest import client_for
from tests.api.cycles.conftest import count_queries
from tests.factories import CycleFactory, ExperimentFactory, ExperimentPersonFactory, PersonFactory

URL = "/api/v1/experiments/"


def test_design_start_version_end(api, world):
    created = api.post(
        URL,
        {"cycle": world.cycle.pk, "title": "Call first", "what_we_will_try": "Phone first."},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "planned"
    assert body["owner"] == world.admin.user.pk
    url = f"{URL}{body['id']}/"

    not_ready = api.post(f"{url}start/", {}, format="json")
    assert not_ready.status_code == 400
    assert {"prediction", "starts_on", "ends_on"} <= set(not_ready.json()["errors"])

    planned = api.patch(
        url,
        {"prediction": "Fewer letters.", "starts_on": "2026-01-05", "ends_on": "2026-02-05"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert planned.status_code == 200, planned.json()
    assert planned.json()["id"] == body["id"]
    assert planned.json()["title"] == "Call first"

    started = api.post(f"{url}start/", format="json")
    assert started.status_code == 200, started.json()
    assert started.json()["status"] == "running"

    changed = api.patch(
        url, {"title": "Call first, then write"}, format="json", HTTP_IF_MATCH=started["ETag"]
    )
    assert changed.status_code == 200, changed.json()
    new = changed.json()
    assert new["id"] != body["id"]
    assert new["version"] == 2
    assert new["previous_version"] == body["id"]
    assert new["status"] == "running"
    old = api.get(url).json()
    assert old["status"] == "ended"
    assert old["replaced_by"] == new["id"]
    assert {row["id"] for row in api.get(URL, {"current": "true"}).json()["results"]} == {new["id"]}

    new_url = f"{URL}{new['id']}/"
    bad = api.post(f"{new_url}end/", {"outcome": "win", "learnt": "x"}, format="json")
    assert bad.status_code == 400
    assert "outcome" in bad.json()["errors"]
    blank = api.post(f"{new_url}end/", {"outcome": "adapt", "learnt": "  "}, format="json")
    assert blank.status_code == 400
    ended = api.post(
        f"{new_url}end/", {"outcome": "stop_learnt", "learnt": "Letters matter."}, format="json"
    )
    assert ended.status_code == 200, ended.json()
    assert ended.json()["outcome"] == "stop_learnt"
    again = api.post(f"{new_url}end/", {"outcome": "adapt", "learnt": "More."}, format="json")
    assert again.status_code == 400
    frozen = api.patch(new_url, {"title": "x"}, format="json", HTTP_IF_MATCH=ended["ETag"])
    assert frozen.status_code == 400


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cycle": 999999}, "cycle"),
        ({"cycle": "a"}, "cycle"),
        ({"title": ""}, "title"),
        ({"starts_on": "soon"}, "starts_on"),
        ({"starts_on": "2026-02-01", "ends_on": "2026-01-01"}, "ends_on"),
        ({"people": [999999]}, "people"),
        ({"owner": 999999}, "owner"),
        ({"status": "running"}, "status"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input(api, world, change, field):
    body = {"cycle": world.cycle.pk, "title": "T", "what_we_will_try": "W", **change}
    response = api.post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]


def test_foreign_cycle_is_400_and_foreign_experiment_404(api, world, other_workspace):
    with tenant_scope(workspace_id=other_workspace.pk):
        cycle = CycleFactory(workspace=other_workspace)
        theirs = ExperimentFactory(workspace=other_workspace, cycle=cycle)
    body = {"cycle": cycle.pk, "title": "T", "what_we_will_try": "W"}
    assert api.post(URL, body, format="json").status_code == 400
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.post(f"{URL}{theirs.pk}/start/", format="json").status_code == 404


def test_people_shown_are_only_those_worked_with(api, world):
    with tenant_scope(workspace_id=world.workspace.pk):
        experiment = ExperimentFactory(workspace=world.workspace, cycle=world.cycle)
        hidden = PersonFactory(workspace=world.workspace, system=world.organisation)
        ExperimentPersonFactory(workspace=world.workspace, experiment=experiment, person=hidden)
    from tests.api.cycles.conftest import session_for

    assert session_for(world.team).get(f"{URL}{experiment.pk}/").json()["people"] == []


def test_scopes(world, admin, make_key):
    read = client_for(make_key(admin, ["cycles:read"]))
    assert read.get(URL).status_code == 200
    body = {"cycle": world.cycle.pk, "title": "T", "what_we_will_try": "W"}
    assert read.post(URL, body, format="json").status_code == 403
    assert client_for(make_key(admin, ["reports:read"])).get(URL).status_code == 403


def test_list_query_count_is_constant(api, world):
    def add(n):
        with tenant_scope(workspace_id=world.workspace.pk):
            for _ in range(n):
                experiment = ExperimentFactory(workspace=world.workspace, cycle=world.cycle)
                ExperimentPersonFactory(workspace=world.workspace, experiment=experiment)

    add(2)
    api.get(URL)
    with count_queries() as small:
        assert len(api.get(URL).json()["results"]) == 2
    add(18)
    with count_queries() as large:
        assert len(api.get(URL).json()["results"]) == 20
    assert len(large.captured_queries) == len(small.captured_queries) == 12
