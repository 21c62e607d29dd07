"""A cycle's burden ledger in the browser's terms: the time it gives, what it stopped doing and
its sessions' time side by side; bad input beside its field with the text kept; shown on the
cycle's page and on its sessions' pages; a fixed number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import LearningTime, StopDoing
from tests.conftest import signed_in
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    MethodRunFactory,
    SessionCycleFactory,
    SessionFactory,
)

HOURS = "Give the time in hours, for example 2 or 1.5."


@pytest.fixture
def world(workspace, make_member):
    inside = make_member(workspace, Role.PRACTITIONER, email="in@riverside.test", full_name="Ina")
    outside = make_member(workspace, Role.MANAGER, email="out@riverside.test")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace, name="North team cycle")
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=inside.user)
    url = f"/w/riverside/cycles/{cycle.pk}/"
    return inside, outside, cycle, url


def test_the_cycle_says_its_time_and_what_it_stopped_and_sees_its_sessions(workspace, world):
    inside, _outside, cycle, url = world
    with tenant_scope(workspace_id=workspace.pk):
        session = SessionFactory(
            workspace=workspace, title="Team reflection", duration_minutes=90,
            rrule="FREQ=WEEKLY;COUNT=10",
        )  # fmt: skip
        SessionCycleFactory(workspace=workspace, session=session, cycle=cycle)
    client = signed_in(inside)
    page = client.get(f"{url}learning-time/").content.decode()
    assert "The cycle has not said yet what time it gives to learning." in page
    assert "Team reflection" in page
    assert "4 meetings, 6 h" in page  # weekly, within the next four weeks
    response = client.post(
        f"{url}learning-time/",
        {"hours": "1.5", "per": "week", "how": "The first hour of the team meeting",
         "revision": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    client.post(
        f"{url}stop-doing/",
        {"what": "The weekly figures return", "frees": "An hour on Fridays"},
    )
    page = client.get(f"{url}learning-time/").content.decode()
    assert "1.5 hours a week" in page
    assert "The first hour of the team meeting" in page
    assert "The weekly figures return" in page
    assert "An hour on Fridays" in page
    cycle_page = client.get(url).content.decode()
    assert "1.5 hours a week" in cycle_page
    assert "1 thing stopped to make room" in cycle_page
    session_page = client.get(f"/w/riverside/sessions/{session.pk}/").content.decode()
    assert "Time for learning" in session_page
    assert "1.5 hours a week" in session_page


def test_what_started_again_keeps_why(workspace, world):
    inside, _outside, cycle, url = world
    with tenant_scope(workspace_id=workspace.pk):
        item = StopDoing.objects.create(
            workspace=workspace, cycle=cycle, what="Weekly figures", since="2026-01-05"
        )
    client = signed_in(inside)
    field = f"stop-{item.pk}-why"
    response = client.post(f"{url}stop-doing/{item.pk}/resume/", {field: "  "})
    assert response.status_code == 400
    assert "Say why it started again: it is worth learning from." in response.content.decode()
    response = client.post(f"{url}stop-doing/{item.pk}/resume/", {field: "The board asked."})
    assert response.status_code == 302
    page = client.get(f"{url}learning-time/").content.decode()
    assert "Started again, and why" in page
    assert "The board asked." in page
    response = client.post(f"{url}stop-doing/{item.pk}/resume/", {field: "Again?"})
    assert response.status_code == 400
    assert "It had already started again." in response.content.decode()
    with tenant_scope(workspace_id=workspace.pk):
        assert StopDoing.objects.get().resumed_why == "The board asked."


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"hours": "", "per": "week"}, "hours", HOURS),
        ({"hours": "lots", "per": "week"}, "hours", HOURS),
        ({"hours": "0.2", "per": "week"}, "hours", "Give at least half an hour."),
        ({"hours": "60", "per": "week"}, "hours", "At most 40 hours a week"),
        ({"hours": "2", "per": "year"}, "per", "Select a valid choice."),
    ],
)
def test_bad_time_is_refused_beside_its_field_and_kept(workspace, world, data, field, message):
    inside, _outside, _cycle, url = world
    how = "The first hour of the team meeting, every fortnight"
    response = signed_in(inside).post(f"{url}learning-time/", {**data, "how": how, "revision": "0"})
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert f'id="id_{field}_error"' in text
    assert how in text  # what was typed stays on the page
    with tenant_scope(workspace_id=workspace.pk):
        assert not LearningTime.objects.exists()


def test_bad_stop_doing_is_refused_beside_its_field_and_kept(workspace, world):
    inside, _outside, _cycle, url = world
    client = signed_in(inside)
    response = client.post(f"{url}stop-doing/", {"what": "", "frees": "An hour on Fridays"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Say what you stop doing." in text
    assert "An hour on Fridays" in text
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(f"{url}stop-doing/", {"what": "Figures", "since": tomorrow})
    assert response.status_code == 400
    assert "Give a day that has come: today or before." in response.content.decode()
    with tenant_scope(workspace_id=workspace.pk):
        assert not StopDoing.objects.exists()


def test_those_outside_the_cycle_read_it_but_are_not_offered_changes(workspace, world):
    inside, outside, _cycle, url = world
    signed_in(inside).post(f"{url}learning-time/", {"hours": "2", "per": "month", "revision": "0"})
    page = signed_in(outside).get(f"{url}learning-time/").content.decode()
    assert "2 hours a month" in page
    assert "Change the time we give" not in page
    assert "Add something we stop doing" not in page
    assert signed_in(outside).post(f"{url}stop-doing/", {"what": "x"}).status_code == 403


@pytest.mark.parametrize("n", [2, 20])
def test_the_ledger_costs_the_same_whatever_it_holds(
    workspace, world, n, django_assert_num_queries
):
    inside, _outside, cycle, url = world
    with tenant_scope(workspace_id=workspace.pk):
        LearningTime.objects.create(workspace=workspace, cycle=cycle, hours=2, per="week")
        for i in range(n):
            StopDoing.objects.create(
                workspace=workspace, cycle=cycle, what=f"Thing {i}", since="2026-01-05",
                status="resumed" if i % 2 else "stopped", resumed_why="Needed",
            )  # fmt: skip
            session = SessionFactory(workspace=workspace, rrule="FREQ=WEEKLY;COUNT=5")
            SessionCycleFactory(workspace=workspace, session=session, cycle=cycle)
            MethodRunFactory(workspace=workspace, cycle=cycle, title=f"Week {i}")
    client = signed_in(inside)
    assert "Week 1" in client.get(f"{url}learning-time/").content.decode()
    with django_assert_num_queries(BUDGET):
        assert client.get(f"{url}learning-time/").status_code == 200


BUDGET = 16
