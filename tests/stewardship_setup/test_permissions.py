"""What each role may do in the place set-up, written out by hand: stewards and admins set up;
everyone in the workspace reads."""

import datetime as dt

import pytest
from django.utils import timezone

from cycles.models import Cycle
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Organisation, Role
from stewardship.models import (
    Accountability,
    Charter,
    CharterSignature,
    Participation,
    PlaceSetup,
    Principle,
    StewardRole,
)
from systems.models import SystemOrganisation
from tests.conftest import signed_in
from tests.factories import CycleMemberFactory
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]
READ = (200, 200, 200, 200, 200, 200)
MANAGE_GET = (200, 200, 403, 403, 403, 403)
MANAGE_POST = (302, 302, 403, 403, 403, 403)

EXPECTED = {
    ("place-list", "GET"): READ,
    ("place-start", "GET"): MANAGE_GET,
    ("place-start", "POST"): MANAGE_POST,
    ("place-detail", "GET"): READ,
    ("place-step", "GET"): MANAGE_GET,
    ("place-step", "POST"): MANAGE_POST,
    ("place-organisation-add", "POST"): MANAGE_POST,
    ("place-organisation-remove", "POST"): MANAGE_POST,
    ("place-principle-add", "POST"): MANAGE_POST,
    ("place-principle-edit", "GET"): MANAGE_GET,
    ("place-principle-edit", "POST"): MANAGE_POST,
    ("place-principle-remove", "POST"): MANAGE_POST,
    ("place-principle-move", "POST"): MANAGE_POST,
    ("place-signature-add", "POST"): MANAGE_POST,
    ("place-steward-add", "POST"): MANAGE_POST,
    ("place-steward-end", "POST"): MANAGE_POST,
    ("place-participation-add", "POST"): MANAGE_POST,
    ("place-participation-status", "POST"): MANAGE_POST,
    ("place-participation-remove", "POST"): MANAGE_POST,
    ("place-accountability-add", "POST"): MANAGE_POST,
    ("place-accountability-remove", "POST"): MANAGE_POST,
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_setup_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("stewardship.setup.")}
    assert {view for view, _method in EXPECTED} == names, (
        "a place set-up view was added or renamed: add its row to EXPECTED"
    )


def _state(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        return [
            list(Cycle.objects.values_list("pk", "purpose").order_by("pk")),
            list(PlaceSetup.objects.values_list("pk", "completed_steps").order_by("pk")),
            list(SystemOrganisation.objects.values_list("pk").order_by("pk")),
            list(Organisation.objects.values_list("pk").order_by("pk")),
            list(Charter.objects.values_list("pk", "title", "version").order_by("pk")),
            list(Principle.objects.values_list("pk", "title", "position").order_by("pk")),
            list(CharterSignature.objects.values_list("pk").order_by("pk")),
            list(StewardRole.objects.values_list("pk", "ended_at").order_by("pk")),
            list(Participation.objects.values_list("pk", "status").order_by("pk")),
            list(Accountability.objects.values_list("pk").order_by("pk")),
        ]


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, expected, place, make_member):
    actor = make_member(place.workspace, role)
    with tenant_scope(workspace_id=place.workspace.pk):
        # Inside the place cycle, so the role alone decides (only those inside change a cycle,
        # cycles.trust; tests/cycles/test_trust_matrix.py covers the outside).
        CycleMemberFactory(workspace=place.workspace, cycle=place.cycle, user=actor.user)
    c = f"/w/riverside/place-cycles/{place.cycle.pk}/"
    p = "/w/riverside/place-cycles/"
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    with tenant_scope(workspace_id=place.workspace.pk):
        second = Principle.objects.create(
            workspace=place.workspace, charter=place.charter, title="Second", position=5
        )
    url, data = {
        "place-list": (p, {}),
        "place-start": (f"{p}new/", {"name": "Northside", "purpose": "Live well"}),
        "place-detail": (c, {}),
        "place-step": (f"{c}setup/purpose/", {"purpose": "New purpose", "then": "continue"}),
        "place-organisation-add": (f"{c}organisations/add/", {"organisation": place.trust.pk}),
        "place-organisation-remove": (f"{c}organisations/{place.council.pk}/remove/", {}),
        "place-principle-add": (f"{c}principles/add/", {"title": "Be kind"}),
        "place-principle-edit": (f"{p}principles/{place.principle.pk}/edit/", {"title": "Changed"}),
        "place-principle-remove": (f"{p}principles/{place.principle.pk}/remove/", {}),
        "place-principle-move": (f"{p}principles/{second.pk}/move/", {"direction": "up"}),
        "place-signature-add": (
            f"{c}signatures/add/",
            {
                "organisation": place.council.pk,
                "signed_by_name": "Chris",
                "signed_on": timezone.localdate().isoformat(),
            },
        ),
        "place-steward-add": (
            f"{c}stewards/add/",
            {
                "holder_name": "Alex",
                "mandate": "Convene",
                "answers_to": "Board",
                "review_on": future,
            },
        ),
        "place-steward-end": (f"{p}stewards/{place.role.pk}/end/", {}),
        "place-participation-add": (
            f"{c}participation/add/",
            {"name": "Carers", "kind": "other", "status": "invited"},
        ),
        "place-participation-status": (
            f"{p}participation/{place.row.pk}/status/",
            {"status": "heard"},
        ),
        "place-participation-remove": (f"{p}participation/{place.row.pk}/remove/", {}),
        "place-accountability-add": (
            f"{c}accountability/add/",
            {"to_whom": "Board", "forum": "AGM", "cadence": "Yearly"},
        ),
        "place-accountability-remove": (f"{p}accountability/{place.account.pk}/remove/", {}),
    }[view]
    client = signed_in(actor)
    before = _state(place.workspace)
    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if method == "POST":
        assert (_state(place.workspace) != before) is (expected == 302)
