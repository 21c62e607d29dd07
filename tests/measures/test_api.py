# ruff: noqa: F811 - the API's fixtures are imported, then used by name
"""Measures over the API, with its conventions: made and changed through the services (If-Match,
Idempotency-Key, problem+json naming the field), values added one a day (not a number, a day to
come, a second value on a day: 400 naming `value` or `on`), read through the web's selectors (a
measure shared upward reaches the cycles above as its signal in words and its note, never its
values), and the measures scopes. Every response is checked against the committed schema (the
fixture from tests/api/conftest.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from cycles.models import DataPoint, Measure
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import ShareLevel
from tests.api.conftest import (  # noqa: F401 - fixtures
    _every_api_response_conforms_to_the_schema,
    api,
    client_for,
    make_key,
)
from tests.api.cycles.conftest import session_for
from tests.factories import CycleMemberFactory, DataPointFactory, MeasureFactory

pytestmark = pytest.mark.django_db

M = "/api/v1/measures/"
# 8 values low then 8 high: a shift reaching the newest value (a run of 8 over the median).
SHIFT = [5, 6, 5, 6, 5, 6, 5, 6, 10, 11, 10, 11, 10, 11, 10, 11]


@pytest.fixture
def team(world):
    """The admin takes part in the North team's cycle (the measures' `world` adds the rest)."""
    with tenant_scope(workspace_id=world.workspace.pk):
        CycleMemberFactory(workspace=world.workspace, cycle=world.cycle, user=world.admin.user)
    return world


def _measure(world, values=(), **kwargs):
    """A measure of the team's cycle (seen by those in the cycle unless said), with `values` on
    the days up to today."""
    kwargs.setdefault("visibility", ShareLevel.CYCLE)
    today = timezone.localdate()
    with tenant_scope(workspace_id=world.workspace.pk):
        measure = MeasureFactory(workspace=world.workspace, cycle=world.cycle, **kwargs)
        for back, value in enumerate(reversed(values)):
            DataPointFactory(
                workspace=world.workspace,
                measure=measure,
                on=today - dt.timedelta(days=back),
                value=value,
            )
    return measure


BODY = {
    "name": "Weeks in arrears",
    "unit": "weeks",
    "learning_question": "Does the new visit pattern help people keep their tenancy?",
    "visibility": 3,
}


def test_a_measure_made_changed_with_if_match_and_replayed_by_idempotency_key(team, api):
    body = {**BODY, "cycle": team.cycle.pk}
    created = api.post(M, body, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    assert created.status_code == 201, created.content
    measure = created.json()
    assert created["Location"] == f"{M}{measure['id']}/"
    assert measure["signal"] == {"kinds": [], "note": "", "note_at": None}
    assert measure["visibility"] == 3
    assert measure["chart"] == "run"
    again = api.post(M, body, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    with tenant_scope(workspace_id=team.workspace.pk):
        assert Measure.objects.filter(name="Weeks in arrears").count() == 1

    url = f"{M}{measure['id']}/"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"unit": "£"}, format="json").status_code == 428
    changed = api.patch(
        url,
        {"unit": "£", "signal_note": "Steady: no change yet."},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["unit"] == "£"
    assert changed.json()["signal"]["note"] == "Steady: no change yet."
    stale = api.patch(url, {"unit": "weeks"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    fixed = api.patch(url, {"cycle": team.upper.pk}, format="json", HTTP_IF_MATCH=changed["ETag"])
    assert fixed.status_code == 400
    assert "cycle" in fixed.json()["errors"]


def test_bad_measures_are_refused_naming_the_field(team, api):
    no_question = api.post(
        M, {**BODY, "cycle": team.cycle.pk, "learning_question": " "}, format="json"
    )
    assert no_question.status_code == 400
    assert no_question["Content-Type"] == "application/problem+json"
    assert "learning_question" in no_question.json()["errors"]
    target = api.post(M, {**BODY, "cycle": team.cycle.pk, "target": 10}, format="json")
    assert target.json()["errors"]["target"] == ["Unknown field."]
    # Maya's consent reaches her cycle only: shared upward is past it.
    with tenant_scope(workspace_id=team.workspace.pk):
        CycleMemberFactory(workspace=team.workspace, cycle=team.life_cycle, user=team.admin.user)
    past_consent = api.post(
        M,
        {**BODY, "cycle": team.life_cycle.pk, "person": team.person.pk, "visibility": 3},
        format="json",
    )
    assert past_consent.status_code == 400
    assert "Maya" in past_consent.json()["errors"]["visibility"][0]


def test_values_added_one_a_day_with_errors_naming_the_field(team, api):
    measure = _measure(team)
    url = f"{M}{measure.pk}/points/"
    today = timezone.localdate()
    added = api.post(url, {"value": "1,240", "note": "September"}, format="json")
    assert added.status_code == 201, added.content
    assert added.json()["value"] == "1240"
    assert added.json()["on"] == today.isoformat()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert api.post(url, {"value": 12.5, "on": yesterday}, format="json").status_code == 201

    not_a_number = api.post(url, {"value": "about ten", "on": "2026-01-02"}, format="json")
    assert not_a_number.status_code == 400
    assert not_a_number["Content-Type"] == "application/problem+json"
    assert "“about ten” is not a number" in not_a_number.json()["errors"]["value"][0]
    assert "value" in api.post(url, {"value": True}, format="json").json()["errors"]
    future = (today + dt.timedelta(days=1)).isoformat()
    to_come = api.post(url, {"value": 3, "on": future}, format="json")
    assert to_come.status_code == 400
    assert "has not come yet" in to_come.json()["errors"]["on"][0]
    twice = api.post(url, {"value": 3}, format="json")
    assert twice.status_code == 400
    assert "already a value" in twice.json()["errors"]["on"][0]

    listed = api.get(url)
    assert listed.status_code == 200
    assert [(p["on"], p["value"]) for p in listed.json()] == [
        (yesterday, "12.5"),
        (today.isoformat(), "1240"),
    ]
    with tenant_scope(workspace_id=team.workspace.pk):
        assert DataPoint.objects.filter(measure=measure).count() == 2


def test_the_signal_block_says_in_words_what_the_chart_shows(team, api):
    measure = _measure(team, SHIFT)
    few = _measure(team, SHIFT[:9])
    shown = api.get(f"{M}{measure.pk}/").json()
    assert shown["signal"]["kinds"][0] == (
        "A shift: an unusually long run of points on one side of the median"
    )
    assert api.get(f"{M}{few.pk}/").json()["signal"]["kinds"] == []  # under 10 values: no rule


def test_shared_upward_reaches_the_cycle_above_as_a_signal_never_values(team, api, make_key):
    """The manager works in the organisation above the team: as on the web, they learn that the
    team's measure shows a shift and the team's note, and never its values."""
    shared = _measure(
        team, SHIFT, visibility=ShareLevel.SHARED_UPWARD, signal_note="The new rota settled."
    )
    manager = session_for(team.manager)
    assert shared.pk not in [m["id"] for m in manager.get(M).json()["results"]]
    assert manager.get(f"{M}{shared.pk}/").status_code == 404
    assert manager.get(f"{M}{shared.pk}/points/").status_code == 404
    for query in ({"cycle": team.upper.pk}, {}):
        signals = manager.get(f"{M}signals/", query)
        assert signals.status_code == 200, signals.content
        (row,) = signals.json()
        assert row["measure"] == shared.pk
        assert row["cycle"] == team.cycle.pk
        assert row["note"] == "The new rota settled."
        assert row["kinds"][0] == (
            "A shift: an unusually long run of points on one side of the median"
        )
        assert "value" not in str(signals.json()).replace("values", "")
        for value in ("10", "11"):
            assert value not in str(row)
    # The team sees the values; a measure kept to the team does not travel up at all.
    assert session_for(team.team).get(f"{M}{shared.pk}/points/").status_code == 200
    _measure(team, SHIFT, visibility=ShareLevel.TEAM)
    assert len(manager.get(f"{M}signals/", {"cycle": team.upper.pk}).json()) == 1
    assert manager.get(f"{M}signals/", {"cycle": "x"}).status_code == 400
    assert manager.get(f"{M}signals/", {"cycle": 999999}).status_code == 404


def test_only_those_inside_the_cycle_add_values(team, api):
    measure = _measure(team, visibility=ShareLevel.WORKSPACE)
    outsider = session_for(team.other)  # a practitioner of the workspace, not in the cycle
    assert outsider.get(f"{M}{measure.pk}/").status_code == 200
    refused = outsider.post(f"{M}{measure.pk}/points/", {"value": 3}, format="json")
    assert refused.status_code == 403
    assert (
        session_for(team.author)
        .post(f"{M}{measure.pk}/points/", {"value": 3}, format="json")
        .status_code
        == 201
    )


def test_the_measures_scopes(team, make_key):
    measure = _measure(team, visibility=ShareLevel.WORKSPACE)
    reader = client_for(make_key(team.admin, ["measures:read"]))
    assert reader.get(M).status_code == 200
    assert reader.get(f"{M}{measure.pk}/points/").status_code == 200
    assert reader.post(f"{M}{measure.pk}/points/", {"value": 3}, format="json").status_code == 403
    cycles_only = client_for(make_key(team.admin, ["cycles:write"]))
    assert cycles_only.get(M).status_code == 403
    writer = client_for(make_key(team.admin, ["measures:write"]))
    assert writer.post(f"{M}{measure.pk}/points/", {"value": 3}, format="json").status_code == 201


@pytest.mark.parametrize("level", list(ShareLevel))
def test_a_partner_key_sees_what_its_admin_sees(world, make_key, make_member, level):
    """The relation matrix's partner key: a key stands where its creating admin stands. An
    admin who takes part in no cycle sees a measure's values only when it is shared with the
    whole workspace (shared upward: not even its signal, for they work in no system above)."""
    measure = _measure(world, SHIFT, visibility=level)
    outside_admin = make_member(world.workspace, Role.ADMIN, email="admin2@riverside.test")
    key = client_for(make_key(outside_admin))
    listed = [m["id"] for m in key.get(M).json()["results"]]
    sees = level == ShareLevel.WORKSPACE
    assert (measure.pk in listed) is sees
    assert key.get(f"{M}{measure.pk}/points/").status_code == (200 if sees else 404)
    assert key.get(f"{M}signals/").json() == []
