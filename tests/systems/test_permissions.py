"""What each role may do with scales, systems and maps, written out by hand (not read from
CAPABILITIES), so a change to hls/tenancy/permissions.py shows up here as a failing row."""

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.conftest import signed_in
from tests.factories import (
    ActorFactory,
    FactorFactory,
    MapSnapshotFactory,
    RelationshipFactory,
    ScaleFactory,
    SystemFactory,
)
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]
EVERYONE = (200,) * 6
MANAGE_SYSTEMS_GET = (200, 200, 200, 200, 403, 403)
MANAGE_SYSTEMS_POST = (302, 302, 302, 302, 403, 403)
ADMIN_ONLY_POST = (302, 403, 403, 403, 403, 403)

# view name, method → expected status for:
#                  admin steward manager practitioner learning_partner viewer
EXPECTED = {
    ("scales", "GET"): EVERYONE,
    ("scale-add", "POST"): ADMIN_ONLY_POST,
    ("scale-rename", "POST"): ADMIN_ONLY_POST,
    ("scale-move", "POST"): ADMIN_ONLY_POST,
    ("scale-delete", "POST"): ADMIN_ONLY_POST,
    ("systems", "GET"): EVERYONE,
    ("system-create", "GET"): MANAGE_SYSTEMS_GET,
    ("system-create", "POST"): MANAGE_SYSTEMS_POST,
    ("system-detail", "GET"): EVERYONE,
    ("system-edit", "GET"): MANAGE_SYSTEMS_GET,
    ("system-edit", "POST"): MANAGE_SYSTEMS_POST,
    ("system-map", "GET"): EVERYONE,
    ("system-map-draw", "GET"): EVERYONE,
    ("actor-add", "POST"): MANAGE_SYSTEMS_POST,
    ("factor-add", "POST"): MANAGE_SYSTEMS_POST,
    ("relationship-add", "POST"): MANAGE_SYSTEMS_POST,
    ("actor-edit", "GET"): MANAGE_SYSTEMS_GET,
    ("actor-edit", "POST"): MANAGE_SYSTEMS_POST,
    ("actor-delete", "POST"): MANAGE_SYSTEMS_POST,
    ("factor-edit", "GET"): MANAGE_SYSTEMS_GET,
    ("factor-edit", "POST"): MANAGE_SYSTEMS_POST,
    ("factor-delete", "POST"): MANAGE_SYSTEMS_POST,
    ("relationship-edit", "GET"): MANAGE_SYSTEMS_GET,
    ("relationship-edit", "POST"): MANAGE_SYSTEMS_POST,
    ("relationship-delete", "POST"): MANAGE_SYSTEMS_POST,
    ("snapshots", "GET"): EVERYONE,
    ("snapshot-take", "POST"): MANAGE_SYSTEMS_POST,
    ("snapshot-compare", "GET"): EVERYONE,
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_covers_every_systems_view() -> None:
    assert list(Role.values) == ROLES
    names = {
        u.name for u in workspace_urls("systems.") if not u.module.startswith("systems.people.")
    }
    assert {view for view, _method in EXPECTED} == names


def _request(client, view, method, objs):
    s, a, f, r, sc, snap = (
        objs[k] for k in ("system", "actor", "factor", "link", "scale", "snapshot")
    )
    b = "/w/riverside/"
    urls = {
        "scales": (b + "scales/", {}),
        "scale-add": (b + "scales/add/", {"new-name": "Neighbourhood"}),
        "scale-rename": (b + f"scales/{sc.pk}/rename/", {f"scale-{sc.pk}-name": "Estate"}),
        "scale-move": (b + f"scales/{sc.pk}/move/", {"direction": "up"}),
        "scale-delete": (b + f"scales/{sc.pk}/delete/", {}),
        "systems": (b + "systems/", {}),
        "system-create": (
            b + "systems/new/",
            {"name": "New", "scale": s.scale_id, "purpose": "Something"},
        ),
        "system-detail": (b + f"systems/{s.pk}/", {}),
        "system-edit": (
            b + f"systems/{s.pk}/edit/",
            {"name": "Renamed", "scale": s.scale_id, "purpose": s.purpose},
        ),
        "system-map": (b + f"systems/{s.pk}/map/", {}),
        "system-map-draw": (b + f"systems/{s.pk}/map/draw/", {}),
        "actor-add": (
            b + f"systems/{s.pk}/map/actors/add/",
            {"actor-name": "X", "actor-kind": "group", "actor-participation": "heard"},
        ),
        "factor-add": (b + f"systems/{s.pk}/map/factors/add/", {"factor-name": "Y"}),
        "relationship-add": (
            b + f"systems/{s.pk}/map/links/add/",
            {"link-source": f"f{r.source_factor_id}", "link-target": f"f{f.pk}", "link-sign": "+"},
        ),
        "actor-edit": (
            b + f"map/actors/{a.pk}/edit/",
            {"name": "Z", "kind": "group", "participation": "heard"},
        ),
        "actor-delete": (b + f"map/actors/{a.pk}/delete/", {}),
        "factor-edit": (b + f"map/factors/{f.pk}/edit/", {"name": "W"}),
        "factor-delete": (b + f"map/factors/{f.pk}/delete/", {}),
        "relationship-edit": (
            b + f"map/links/{r.pk}/edit/",
            {"source": f"f{r.source_factor_id}", "target": f"f{r.target_factor_id}", "sign": "-"},
        ),
        "relationship-delete": (b + f"map/links/{r.pk}/delete/", {}),
        "snapshots": (b + f"systems/{s.pk}/map/snapshots/", {}),
        "snapshot-take": (b + f"systems/{s.pk}/map/snapshots/take/", {"label": "Now"}),
        "snapshot-compare": (b + f"map/snapshots/{snap.pk}/compare/", {}),
    }
    url, data = urls[view]
    return client.get(url) if method == "GET" else client.post(url, data)


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, expected, workspace, admin, make_member):
    actor = admin if role == Role.ADMIN else make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        system = SystemFactory(workspace=workspace)
        objs = {
            "system": system,
            "scale": ScaleFactory(workspace=workspace),
            "actor": ActorFactory(workspace=workspace, system=system),
            "factor": FactorFactory(workspace=workspace, system=system),
            "link": RelationshipFactory(workspace=workspace, system=system),
            "snapshot": MapSnapshotFactory(workspace=workspace, system=system),
        }
    response = _request(signed_in(actor), view, method, objs)
    assert response.status_code == expected
    if expected == 403:
        assert b"Your role cannot do this" in response.content
