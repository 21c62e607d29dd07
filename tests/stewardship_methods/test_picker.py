"""The method picker for a cycle: the methods for its scale and phase first; choosing one asks the
guide's questions first (the method's time beside the cycle's committed learning time and its
sessions', what we stop doing to make the time, who chose it and why), then starts the run and
goes to its page. Only those inside the cycle start one; others read. Bad input beside its
field with everything typed kept; exact query budgets."""

import datetime as dt

import pytest
from django.utils import timezone

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.methods import services
from stewardship.models import LearningTime, MethodRun, MethodRunLink, StopDoing
from tests.conftest import signed_in
from tests.factories import (
    CycleFactory,
    CycleMemberFactory,
    ScaleFactory,
    SessionCycleFactory,
    SessionFactory,
    SystemFactory,
)
from tests.page_forms import form_with

WHY = "Say who chose this method and why: it helps the cycle learn how it learns."


@pytest.fixture
def world(workspace, make_member):
    ina = make_member(workspace, Role.PRACTITIONER, email="ina@riverside.test", full_name="Ina")
    out = make_member(workspace, Role.MANAGER, email="out@riverside.test", full_name="Olu")
    with tenant_scope(workspace_id=workspace.pk):
        team = ScaleFactory(workspace=workspace, name="Team")
        cycle = CycleFactory(
            workspace=workspace, name="North team cycle", phase="experiment",
            system=SystemFactory(workspace=workspace, scale=team),
        )  # fmt: skip
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=ina.user)
        LearningTime.objects.create(
            workspace=workspace, cycle=cycle, hours=2, per="week", updated_by=ina.user
        )
        session = SessionFactory(
            workspace=workspace, title="Team reflection", duration_minutes=60,
            starts_at=timezone.now() + dt.timedelta(days=2), rrule="FREQ=WEEKLY;COUNT=6",
        )  # fmt: skip
        SessionCycleFactory(workspace=workspace, session=session, cycle=cycle)
    return ina, out, cycle, f"/w/riverside/cycles/{cycle.pk}/methods/choose/"


def test_methods_for_the_cycles_scale_and_phase_come_first(workspace, world):
    ina, _out, _cycle, url = world
    page = signed_in(ina).get(url).content.decode()
    fitting = page[
        page.index("For this cycle: Team scale, Experiment") : page.index("Other methods")
    ]
    others = page[page.index("Other methods") :]
    assert "Most Significant Change" in fitting or 'id="offer-msc"' in fitting  # team, experiment
    assert 'id="offer-rapid_learning"' in fitting  # any scale, experiment
    assert 'id="offer-what_matters"' in others  # a person's life, understand
    assert 'id="offer-healthy_system"' in others


def test_choosing_asks_the_guides_questions_then_starts_the_run(workspace, world):
    ina, _out, _cycle, url = world
    client = signed_in(ina)
    page = client.get(url, {"method": "msc"}).content.decode()
    assert "Will it add burden?" in page
    assert "The method takes about 75 minutes." in page
    assert "The cycle gives 2 hours a week to learning." in page
    assert "Its sessions meet 4 times in the next four weeks (4 h)." in page
    form = form_with(page, "why_this_method")
    assert form["method"] == ["msc"]
    meeting = next(v for v in _options(page, "meeting") if v)
    form |= {"stop_doing": ["The monthly figures meeting"], "title": ["Stories from March"],
             "meeting": [meeting]}  # fmt: skip
    refused = client.post(url, form)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert WHY in html
    kept = form_with(html, "why_this_method")
    assert kept["stop_doing"] == ["The monthly figures meeting"]
    assert kept["title"] == ["Stories from March"]
    assert kept["meeting"] == [meeting]
    kept["why_this_method"] = ["Ina and Ben chose it: the team wants to hear what changed."]
    response = client.post(url, kept)
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_scope(workspace_id=workspace.pk):
        run = MethodRun.objects.get()
        stopped = list(StopDoing.objects.values_list("what", flat=True))
    assert response["Location"] == f"/w/riverside/runs/{run.pk}/"
    assert run.builtin == "msc"
    assert run.why_this_method.startswith("Ina and Ben chose it")
    assert run.title == "Stories from March"
    assert run.occurrence_id is not None
    assert not run.guest_code
    assert stopped == ["The monthly figures meeting"]
    session_id, _colon, key = meeting.partition(":")
    held = client.get(f"/w/riverside/sessions/{session_id}/meetings/{key}/").content.decode()
    assert "Methods run in this meeting" in held
    assert f'href="/w/riverside/runs/{run.pk}/"' in held


def test_a_run_may_draw_on_an_earlier_run_of_the_same_method(workspace, world):
    ina, _out, _cycle, url = world
    with tenant_scope(workspace_id=workspace.pk):
        below = CycleFactory(workspace=workspace, name="Riverside ward cycle")
        CycleMemberFactory(workspace=workspace, cycle=below, user=ina.user)
        earlier = services.run_start(
            workspace=workspace, user=ina.user, cycle=below, builtin="msc", title="Ward stories"
        )
        services.run_start(  # another method: not offered
            workspace=workspace, user=ina.user, cycle=below, builtin="rapid_learning"
        )
    client = signed_in(ina)
    page = client.get(url, {"method": "msc"}).content.decode()
    assert "Riverside ward cycle: Ward stories" in page
    assert _options(page, "draws_from") == [str(earlier.pk)]
    form = form_with(page, "why_this_method")
    form |= {"why_this_method": ["The place group chose it."], "draws_from": [str(earlier.pk)]}
    assert client.post(url, form).status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        link = MethodRunLink.objects.get()
    assert link.source_id == earlier.pk
    # a method with no selection does not offer earlier runs
    assert "draws_from" not in form_with(
        client.get(url, {"method": "rapid_learning"}).content.decode(), "why_this_method"
    )


def test_from_outside_the_cycle_the_picker_only_reads(workspace, world):
    _ina, out, _cycle, url = world
    client = signed_in(out)
    page = client.get(url, {"method": "msc"}).content.decode()
    assert "Only those inside the cycle start a run in it." in page
    assert 'name="why_this_method"' not in page
    assert "Choose<span" not in page
    refused = client.post(url, {"method": "msc", "why_this_method": "I think so."})
    assert refused.status_code == 403


def test_a_viewer_inside_the_cycle_reads_the_picker_and_starts_nothing(
    workspace, world, make_member
):
    _ina, _out, cycle, url = world
    viewer = make_member(workspace, Role.VIEWER, email="vi@riverside.test")
    with tenant_scope(workspace_id=workspace.pk):
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=viewer.user)
    client = signed_in(viewer)
    assert 'name="why_this_method"' not in client.get(url, {"method": "msc"}).content.decode()
    refused = client.post(url, {"method": "msc", "why_this_method": "I think so."})
    assert refused.status_code == 403
    with tenant_scope(workspace_id=workspace.pk):
        assert not MethodRun.objects.exists()


def test_an_unknown_method_or_meeting_is_refused_beside_its_field(workspace, world):
    ina, _out, _cycle, url = world
    client = signed_in(ina)
    unknown = client.post(url, {"method": "nope", "why_this_method": "Because."})
    assert unknown.status_code == 400
    assert "Choose one of the methods offered." in unknown.content.decode()
    meeting = client.post(
        url, {"method": "msc", "why_this_method": "Because.", "meeting": "1:20200101T100000Z"}
    )
    assert meeting.status_code == 400
    assert "Select a valid choice." in meeting.content.decode()


@pytest.mark.parametrize("chosen", [False, True], ids=["list", "start form"])
def test_the_picker_costs_a_fixed_number_of_queries(
    chosen, workspace, world, django_assert_num_queries
):
    ina, _out, _cycle, url = world
    with tenant_scope(workspace_id=workspace.pk):
        for _n in range(3):
            other = CycleFactory(workspace=workspace)
            CycleMemberFactory(workspace=workspace, cycle=other, user=ina.user)
            services.run_start(workspace=workspace, user=ina.user, cycle=other, builtin="msc")
    client = signed_in(ina)
    params = {"method": "msc"} if chosen else {}
    client.get(url, params)
    with django_assert_num_queries(22 if chosen else 11):
        assert client.get(url, params).status_code == 200


def _options(html: str, name: str) -> list[str]:
    """The values a select or a group of checkboxes named `name` offers."""
    import re

    if f'<select name="{name}"' in html:
        block = html[html.index(f'<select name="{name}"') :]
        block = block[: block.index("</select>")]
        return re.findall(r'<option value="([^"]*)"', block)
    return re.findall(rf'name="{name}" value="([^"]*)"', html)
