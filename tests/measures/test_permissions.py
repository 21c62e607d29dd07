"""What each role may do with measures and a person's own terms, written out by hand. Reading
a measure follows its level (here the whole workspace's); a person's own terms are for those who
work with the person only (a 404 for everyone else). Changing anything is for those inside the
cycle (`require_steer`), and among them for every role but viewers, who only read."""

import pytest

from cycles.models import DataPoint, Measure, WhatMatters, WhatMattersRating
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    DataPointFactory,
    MeasureFactory,
    PersonFactory,
    ScaleFactory,
    SystemFactory,
    WhatMattersFactory,
)
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]
R = (302, 302, 302, 302, 302, 403)  # inside: all but viewers change
G = (200, 200, 200, 200, 200, 403)  # inside: all but viewers see the form

# view, method → expected status for a member with no tie to the cycle, then one inside:
#                            admin steward manager practitioner learning_partner viewer
EXPECTED = {
    ("cycle-measures", "GET"): ((200,) * 6, (200,) * 6),
    ("measure-create", "GET"): ((403,) * 6, G),
    ("measure-create", "POST"): ((403,) * 6, R),
    ("measure-detail", "GET"): ((200,) * 6, (200,) * 6),
    ("measure-edit", "GET"): ((403,) * 6, G),
    ("measure-edit", "POST"): ((403,) * 6, R),
    ("measure-archive", "POST"): ((403,) * 6, R),
    ("measure-signal-note", "POST"): ((403,) * 6, R),
    ("measure-point-add", "GET"): ((403,) * 6, G),
    ("measure-point-add", "POST"): ((403,) * 6, R),
    ("data-point-edit", "GET"): ((403,) * 6, G),
    ("data-point-edit", "POST"): ((403,) * 6, R),
    ("data-point-delete", "POST"): ((403,) * 6, R),
    ("cycle-what-matters", "GET"): ((404,) * 6, (200,) * 6),
    ("cycle-what-matters", "POST"): ((404,) * 6, R),
    ("what-matters-edit", "POST"): ((404,) * 5 + (403,), R),  # a viewer: the role first
    ("what-matters-rate", "POST"): ((404,) * 5 + (403,), R),
}

CASES = [
    pytest.param(view, method, role, inside, statuses[inside][i],
                 id=f"{view}-{method}-{role}-{'inside' if inside else 'no tie'}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
    for inside in (0, 1)
]  # fmt: skip


def test_the_table_lists_every_role_and_every_measures_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("cycles.measures.")}
    assert {view for view, _method in EXPECTED} == names, (
        "a measures view was added or renamed: add its row to EXPECTED"
    )


def _state(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        return (
            list(Measure.objects.values_list("pk", "name", "archived", "signal_note", "revision")),
            list(DataPoint.objects.values_list("pk", "on", "value").order_by("pk")),
            list(WhatMatters.objects.values_list("pk", "words", "revision").order_by("pk")),
            list(WhatMattersRating.objects.values_list("pk", "value").order_by("pk")),
        )


@pytest.mark.parametrize(("view", "method", "role", "inside", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, inside, expected, workspace, make_member):
    actor = make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        scale = ScaleFactory(workspace=workspace, is_person_scale=True)
        life = SystemFactory(workspace=workspace, scale=scale)
        person_cycle = CycleFactory(workspace=workspace, system=life)
        cycle = CycleFactory(workspace=workspace)
        if inside:
            for c in (cycle, person_cycle):
                CycleMemberFactory(workspace=workspace, cycle=c, user=actor.user)
        person = PersonFactory(workspace=workspace, system=life)
        measure = MeasureFactory(workspace=workspace, cycle=cycle, visibility=ShareLevel.WORKSPACE)
        point = DataPointFactory(workspace=workspace, measure=measure, on="2026-01-05")
        item = WhatMattersFactory(workspace=workspace, cycle=person_cycle, person=person)
    w = "/w/riverside/"
    value = {"value": "4", "on": "2026-01-06", "note": ""}
    url, data = {
        "cycle-measures": (f"{w}cycles/{cycle.pk}/measures/", {}),
        "measure-create": (
            f"{w}cycles/{cycle.pk}/measures/new/",
            {"name": "Visits", "learning_question": "Why?", "chart": "run", "visibility": "1"},
        ),
        "measure-detail": (f"{w}measures/{measure.pk}/", {}),
        "measure-edit": (
            f"{w}measures/{measure.pk}/edit/",
            {
                "name": "Visits",
                "learning_question": "Why?",
                "chart": "run",
                "visibility": "1",
                "revision": "1",
            },
        ),
        "measure-archive": (f"{w}measures/{measure.pk}/archive/", {"archived": "1"}),
        "measure-signal-note": (f"{w}measures/{measure.pk}/note/", {"note": "A shift."}),
        "measure-point-add": (f"{w}measures/{measure.pk}/add/", value),
        "data-point-edit": (f"{w}data-points/{point.pk}/edit/", value),
        "data-point-delete": (f"{w}data-points/{point.pk}/delete/", {}),
        "cycle-what-matters": (
            f"{w}cycles/{person_cycle.pk}/what-matters/",
            {"new-words": "Sleeping well", "new-scale_max": "5"},
        ),
        "what-matters-edit": (
            f"{w}what-matters/{item.pk}/edit/",
            {
                f"item-{item.pk}-words": "Sleep",
                f"item-{item.pk}-scale_max": "5",
                f"item-{item.pk}-revision": "1",
            },
        ),
        "what-matters-rate": (
            f"{w}what-matters/{item.pk}/rate/",
            {f"rate-{item.pk}-value": "3", f"rate-{item.pk}-rated_by": "person"},
        ),
    }[view]
    client = signed_in(actor)
    before = _state(workspace)
    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if method == "POST":
        assert (_state(workspace) != before) is (expected == 302)
