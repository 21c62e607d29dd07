"""Who may do what with experiments and themes, written out by hand (not read from
CAPABILITIES), so a change to hls/tenancy/permissions.py shows up here as a failing row. Each
role's user works in the experiments' cycle (only those inside a cycle steer its work: see
tests/experiments/test_trust.py for those outside)."""

import datetime

import pytest
from django.test import Client

from cycles.models import Experiment, Theme
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from tests.conftest import signed_in
from tests.factories import CycleFactory, ExperimentFactory, SystemMemberFactory, ThemeFactory
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]
ALL = (200, 200, 200, 200, 200, 200)
DESIGN_GET = (200, 200, 200, 200, 403, 403)
DESIGN_POST = (302, 302, 302, 302, 403, 403)
THEMES_GET = (200, 200, 200, 403, 403, 403)
THEMES_POST = (302, 302, 302, 403, 403, 403)

#                                     admin  steward manager practitioner learning_partner viewer
EXPECTED = {
    ("experiment-list", "GET"): ALL,
    ("cycle-experiments", "GET"): ALL,
    ("experiment-create", "GET"): DESIGN_GET,
    ("experiment-create", "POST"): DESIGN_POST,
    ("experiment-detail", "GET"): ALL,
    ("experiment-edit", "GET"): DESIGN_GET,
    ("experiment-edit", "POST"): DESIGN_POST,
    ("experiment-start", "POST"): DESIGN_POST,
    ("experiment-end", "GET"): DESIGN_GET,
    ("experiment-end", "POST"): DESIGN_POST,
    ("theme-list", "GET"): ALL,
    ("theme-create", "GET"): THEMES_GET,
    ("theme-create", "POST"): THEMES_POST,
    ("theme-detail", "GET"): ALL,
    ("theme-edit", "GET"): THEMES_GET,
    ("theme-edit", "POST"): THEMES_POST,
    ("theme-merge", "GET"): THEMES_GET,
    ("theme-merge", "POST"): THEMES_POST,
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    views = {u.name for u in workspace_urls("cycles.experiments.")} | {
        u.name for u in workspace_urls("cycles.themes.")
    }
    assert {view for view, _method in EXPECTED} == views, (
        "a view was added or renamed: add its row to EXPECTED"
    )


@pytest.fixture
def objects(workspace: Workspace, admin: Membership) -> dict:
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace)
        dates = {"starts_on": datetime.date(2030, 1, 1), "ends_on": datetime.date(2030, 2, 1)}
        return {
            "cycle": cycle,
            "planned": ExperimentFactory(workspace=workspace, cycle=cycle, **dates),
            "running": ExperimentFactory(
                workspace=workspace, cycle=cycle, status="running", **dates
            ),
            "theme": ThemeFactory(workspace=workspace, name="Debt"),
            "other_theme": ThemeFactory(workspace=workspace, name="Money worries"),
        }


DESIGN = {
    "title": "A new try",
    "what_we_will_try": "Something small",
    "prediction": "Something we expect",
    "starts_on": "2030-01-01",
    "ends_on": "2030-02-01",
}


def _request(client: Client, view: str, method: str, o: dict):
    base = "/w/riverside/"
    planned, running, theme = o["planned"].pk, o["running"].pk, o["theme"].pk
    url, data = {
        "experiment-list": (base + "experiments/", {}),
        "cycle-experiments": (base + f"cycles/{o['cycle'].pk}/experiments/", {}),
        "experiment-create": (base + f"cycles/{o['cycle'].pk}/experiments/new/", DESIGN),
        "experiment-detail": (base + f"experiments/{planned}/", {}),
        "experiment-edit": (base + f"experiments/{planned}/edit/", DESIGN),
        "experiment-start": (base + f"experiments/{planned}/start/", {}),
        "experiment-end": (
            base + f"experiments/{running}/end/",
            {"outcome": "stop_learnt", "learnt": "We learnt"},
        ),
        "theme-list": (base + "themes/", {}),
        "theme-create": (base + "themes/new/", {"name": "Loneliness", "kind": "problem"}),
        "theme-detail": (base + f"themes/{theme}/", {}),
        "theme-edit": (base + f"themes/{theme}/edit/", {"name": "Arrears", "kind": "problem"}),
        "theme-merge": (base + f"themes/{theme}/merge/", {"into": o["other_theme"].pk}),
    }[view]
    return client.get(url) if method == "GET" else client.post(url, data)


def _effect_happened(workspace: Workspace, view: str, o: dict) -> bool:
    with tenant_scope(workspace_id=workspace.pk):
        planned = Experiment.objects.get(pk=o["planned"].pk)
        running = Experiment.objects.get(pk=o["running"].pk)
        theme = Theme.objects.get(pk=o["theme"].pk)
        return {
            "experiment-create": Experiment.objects.filter(title="A new try").exists(),
            "experiment-edit": planned.title == "A new try",
            "experiment-start": planned.status == "running",
            "experiment-end": running.outcome == "stop_learnt",
            "theme-create": Theme.objects.filter(name="Loneliness").exists(),
            "theme-edit": theme.name == "Arrears",
            "theme-merge": theme.merged_into_id == o["other_theme"].pk,
        }[view]


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(
    view, method, role, expected, workspace, admin, objects, make_member
) -> None:
    actor = admin if role == Role.ADMIN else make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        SystemMemberFactory(workspace=workspace, system=objects["cycle"].system, user=actor.user)

    response = _request(signed_in(actor), view, method, objects)

    assert response.status_code == expected
    if expected == 403:
        assert b"Your role cannot do this" in response.content
    if method == "POST":
        assert _effect_happened(workspace, view, objects) == (expected != 403)
