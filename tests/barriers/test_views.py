"""The barrier relay in the browser's terms: pages, forms, messages."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cycles.models import BarrierResponse, BarrierRoute, Enabler
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.conftest import signed_in

State = BarrierRoute.State
WAIT_TIME = re.compile(rb"wait(ing|ed) \d+ days?")


def test_a_practitioner_raises_a_manager_answers_the_practitioner_sees_it(world):
    author = signed_in(world.author)
    page = author.get(f"/w/riverside/entries/{world.barrier.pk}/raise/")
    assert page.status_code == 200
    assert b"Open Door cycle" in page.content
    assert b"Region cycle" in page.content
    assert b"Further up" in page.content

    response = author.post(
        f"/w/riverside/entries/{world.barrier.pk}/raise/", {"to_cycle": world.place_cycle.pk}
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        route = BarrierRoute.objects.get()

    manager = signed_in(world.place_manager)
    inbox = manager.get(f"/w/riverside/cycles/{world.place_cycle.pk}/barriers/")
    assert b"allocation rule blocks a move" in inbox.content
    assert b"waiting 0 days" in inbox.content
    response = manager.post(
        f"/w/riverside/barriers/{route.pk}/answer/",
        {"state": "changed", "text": "Moves that keep support now count as priority."},
    )
    assert response.status_code == 302

    detail = author.get(f"/w/riverside/barriers/{route.pk}/")
    assert b"Moves that keep support now count as priority." in detail.content
    cycle_page = author.get(f"/w/riverside/cycles/{world.team_cycle.pk}/")
    assert b"Barriers we raised" in cycle_page.content
    assert b"Moves that keep support now count as priority." in cycle_page.content


def test_the_timeline_offers_raising_only_for_barriers(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        from tests.factories import EntryFactory

        EntryFactory(
            workspace=world.workspace, cycle=world.team_cycle, author=world.author.user,
            kind="story", visibility=ShareLevel.CYCLE, text="A story",
        )  # fmt: skip
    page = signed_in(world.author).get(f"/w/riverside/cycles/{world.team_cycle.pk}/timeline/")
    assert page.content.count(b"Raise to a cycle above") == 1
    assert f"/entries/{world.barrier.pk}/raise/".encode() in page.content


def test_a_barrier_not_shared_upward_asks_to_widen_it_first(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        world.barrier.visibility = ShareLevel.CYCLE
        world.barrier.save()
    author = signed_in(world.author)
    page = author.get(f"/w/riverside/entries/{world.barrier.pk}/raise/")
    assert b"Share it upward first" in page.content
    assert b"Edit who can see it" in page.content
    assert b"Raise it</button>" not in page.content
    response = author.post(
        f"/w/riverside/entries/{world.barrier.pk}/raise/", {"to_cycle": world.place_cycle.pk}
    )
    assert response.status_code == 400
    assert b"Share it upward first" in response.content
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not BarrierRoute.objects.exists()


def test_raising_to_a_cycle_not_above_is_refused(world):
    response = signed_in(world.author).post(
        f"/w/riverside/entries/{world.barrier.pk}/raise/", {"to_cycle": world.elsewhere_cycle.pk}
    )
    assert response.status_code == 400
    assert b"Choose one of the cycles above." in response.content
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not BarrierRoute.objects.exists()


def test_someone_outside_the_cycle_is_told_who_may_raise(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        world.barrier.visibility = ShareLevel.WORKSPACE
        world.barrier.save()
    response = signed_in(world.manager_elsewhere).get(
        f"/w/riverside/entries/{world.barrier.pk}/raise/"
    )
    assert response.status_code == 403
    assert b"Only its author and those who take part in North team cycle" in response.content


def test_an_answer_without_its_text_is_refused_and_keeps_the_choice(world, raised):
    response = signed_in(world.place_manager).post(
        f"/w/riverside/barriers/{raised.pk}/answer/", {"state": "cannot_change", "text": ""}
    )
    assert response.status_code == 400
    assert b"Say why it cannot change here" in response.content
    assert b'value="cannot_change" required id="id_state_3" checked' in response.content
    with tenant_scope(workspace_id=world.workspace.pk):
        raised.refresh_from_db()
        assert raised.state == State.RAISED
        assert not BarrierResponse.objects.exists()


def test_a_member_who_may_not_answer_is_told_why(world, raised):
    client = signed_in(world.place_practitioner)
    page = client.get(f"/w/riverside/barriers/{raised.pk}/")
    assert page.status_code == 200
    assert b"Save the answer" not in page.content
    response = client.post(f"/w/riverside/barriers/{raised.pk}/answer/", {"state": "acknowledged"})
    assert response.status_code == 403
    assert (
        b"Only managers, stewards and admins who take part in Open Door cycle" in response.content
    )
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not BarrierResponse.objects.exists()


@pytest.mark.parametrize("who", ["manager_elsewhere", "region_manager"])
def test_someone_in_neither_cycle_gets_404(world, raised, who):
    client = signed_in(getattr(world, who))
    assert client.get(f"/w/riverside/barriers/{raised.pk}/").status_code == 404
    response = client.post(f"/w/riverside/barriers/{raised.pk}/answer/", {"state": "working"})
    assert response.status_code == 404
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not BarrierResponse.objects.exists()


def test_waiting_times_are_shown_only_to_the_cycle_holding_it(world, raised):
    with tenant_scope(workspace_id=world.workspace.pk):
        BarrierRoute.objects.filter(pk=raised.pk).update(
            raised_at=timezone.now() - dt.timedelta(days=12, hours=1)
        )
    url = f"/w/riverside/cycles/{world.place_cycle.pk}/barriers/"
    for who in ("place_manager", "place_steward", "place_practitioner"):
        page = signed_in(getattr(world, who)).get(url)
        assert page.status_code == 200
        assert b"waiting 12 days" in page.content
    for who in ("author", "manager_elsewhere", "region_manager"):
        page = signed_in(getattr(world, who)).get(url)
        assert page.status_code == 403
        assert b"waiting" not in page.content
        assert b"Only those who take part in Open Door cycle" in page.content
        cycle_page = signed_in(getattr(world, who)).get(
            f"/w/riverside/cycles/{world.place_cycle.pk}/"
        )
        assert b"waiting" not in cycle_page.content
        assert b"Raised to this cycle" not in cycle_page.content
    # The raising cycle sees its barrier, but not how long it waits: only the holder does.
    own = signed_in(world.author).get(f"/w/riverside/cycles/{world.team_cycle.pk}/barriers/")
    assert b"allocation rule blocks a move" in own.content
    assert b"waiting" not in own.content
    detail = f"/w/riverside/barriers/{raised.pk}/"
    assert b"waiting" not in signed_in(world.author).get(detail).content
    assert b"waiting 12 days" in signed_in(world.place_manager).get(detail).content
    member_panel = signed_in(world.place_manager).get(
        f"/w/riverside/cycles/{world.place_cycle.pk}/"
    )
    assert b"1 barrier: Raised" in member_panel.content


def test_passing_further_up_from_the_page(world, raised):
    response = signed_in(world.place_manager).post(
        f"/w/riverside/barriers/{raised.pk}/answer/",
        {"state": "cannot_change", "text": "Set by the region.", "pass_to": world.region_cycle.pk},
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=world.workspace.pk):
        passed = BarrierRoute.objects.get(passed_from=raised)
    page = signed_in(world.region_manager).get(f"/w/riverside/barriers/{passed.pk}/")
    assert b"passed up by Open Door cycle" in page.content
    author_view = signed_in(world.author).get(f"/w/riverside/barriers/{raised.pk}/")
    assert b"Passed further up to Region cycle" in author_view.content


def test_an_enabler_shows_in_the_child_cycle(world, raised):
    client = signed_in(world.place_manager)
    form = client.get(f"/w/riverside/cycles/{world.place_cycle.pk}/enablers/new/?route={raised.pk}")
    assert b"North team cycle" in form.content
    response = client.post(
        f"/w/riverside/cycles/{world.place_cycle.pk}/enablers/new/",
        {
            "kind": "rule_change",
            "text": "Moves that keep support count as priority.",
            "barrier_route": raised.pk,
            "for_cycles": [world.team_cycle.pk],
        },
    )
    assert response.status_code == 302
    child = signed_in(world.author).get(f"/w/riverside/cycles/{world.team_cycle.pk}/")
    assert b"Enabled by Open Door cycle:" in child.content
    assert b"Moves that keep support count as priority." in child.content
    own = client.get(f"/w/riverside/cycles/{world.place_cycle.pk}/")
    assert b"What we do to enable the cycles below" in own.content
    assert b"Moves that keep support count as priority." in own.content


def test_an_enabler_with_bad_input_keeps_the_text(world):
    response = signed_in(world.place_manager).post(
        f"/w/riverside/cycles/{world.place_cycle.pk}/enablers/new/",
        {"kind": "", "text": "Half-written idea", "for_cycles": [world.elsewhere_cycle.pk]},
    )
    assert response.status_code == 400
    assert b"Half-written idea" in response.content
    assert b"Choose what kind of enabler it is." in response.content
    assert b"Choose cycles below this one." in response.content
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not Enabler.objects.exists()


def test_someone_not_in_the_cycle_may_not_add_an_enabler(world):
    response = signed_in(world.manager_elsewhere).post(
        f"/w/riverside/cycles/{world.place_cycle.pk}/enablers/new/",
        {"kind": "resource", "text": "Money"},
    )
    assert response.status_code == 403
    assert b"Only those who take part in Open Door cycle" in response.content
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not Enabler.objects.exists()


def test_once_passed_up_only_the_new_holder_sees_the_waiting_time(world, raised):
    with tenant_scope(workspace_id=world.workspace.pk):
        BarrierRoute.objects.filter(pk=raised.pk).update(
            raised_at=timezone.now() - dt.timedelta(days=12, hours=1)
        )
    signed_in(world.place_manager).post(
        f"/w/riverside/barriers/{raised.pk}/answer/",
        {"state": "cannot_change", "text": "Set by the region.", "pass_to": world.region_cycle.pk},
    )
    with tenant_scope(workspace_id=world.workspace.pk):
        passed = BarrierRoute.objects.get(passed_from=raised)
        BarrierRoute.objects.filter(pk=passed.pk).update(
            raised_at=timezone.now() - dt.timedelta(days=3, hours=1)
        )
    region = signed_in(world.region_manager)
    assert b"waiting 3 days" in region.get(f"/w/riverside/barriers/{passed.pk}/").content
    inbox = region.get(f"/w/riverside/cycles/{world.region_cycle.pk}/barriers/")
    assert b"waiting 3 days" in inbox.content
    place = signed_in(world.place_manager)
    for url in (
        f"/w/riverside/cycles/{world.place_cycle.pk}/barriers/",  # its inbox and what it passed
        f"/w/riverside/barriers/{raised.pk}/",
        f"/w/riverside/barriers/{passed.pk}/",
    ):
        page = place.get(url)
        assert page.status_code == 200
        assert not WAIT_TIME.search(page.content), url
    team = signed_in(world.author).get(f"/w/riverside/barriers/{raised.pk}/")
    assert not WAIT_TIME.search(team.content)
