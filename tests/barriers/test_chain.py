"""Barrier answers all come home (issue 10): a barrier raised by a team, answered by the place,
passed up and answered by the region. The raising team sees every answer of every level, in
order, each with the level that gave it, named by its cycle, never by its person; pages and the
API agree, and cost the same queries whatever the chain's depth."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from rest_framework.test import APIClient

from cycles.barriers import services
from cycles.models import BarrierRoute
from hls.tenancy.context import tenant_scope
from tests.conftest import signed_in

State = BarrierRoute.State
ANSWERS = [
    (State.ACKNOWLEDGED, "We have seen it and talk about it on Monday."),
    (State.CANNOT_CHANGE, "The allocation rule is set by the region."),
    (State.WORKING, "On the agenda of the regional board."),
    (State.CHANGED, "Moves that keep support now count as priority."),
]


def _answer(world, route, who, state, text, pass_to=None):
    with tenant_scope(workspace_id=world.workspace.pk):
        services.barrier_answer(
            workspace=world.workspace, route=route, answered_by=who, state=state, text=text,
            pass_to=pass_to,
        )  # fmt: skip


@pytest.fixture
def passed(world, raised):
    """Answered at the place, passed up, answered twice at the region."""
    _answer(world, raised, world.place_manager, *ANSWERS[0])
    _answer(world, raised, world.place_manager, *ANSWERS[1], pass_to=world.region_cycle)
    with tenant_scope(workspace_id=world.workspace.pk):
        upper = BarrierRoute.objects.get(passed_from=raised)
    _answer(world, upper, world.region_manager, *ANSWERS[2])
    _answer(world, upper, world.region_manager, *ANSWERS[3])
    return upper


def _in_order(content: bytes, texts: list[str]) -> bool:
    positions = [content.find(t.encode()) for t in texts]
    return all(p >= 0 for p in positions) and positions == sorted(positions)


def test_the_raising_team_sees_every_answer_in_order_by_level_never_by_person(
    world, raised, passed
):
    page = signed_in(world.author).get(f"/w/riverside/barriers/{raised.pk}/")
    assert page.status_code == 200
    content = page.content
    assert _in_order(content, [text for _s, text in ANSWERS])
    assert content.count(b"from Open Door cycle") == 2
    assert content.count(b"from Region cycle") == 2
    answers = content[content.index(b'class="plain barrier-answers"') :]
    answers = answers[: answers.index(b"</ol>")]
    assert _in_order(answers, ["Acknowledged", "Cannot change here", "Working on it", "Changed"])
    assert _in_order(answers, ["from Open Door cycle", "from Open Door cycle", "from Region cycle"])
    # Who answered stays inside each answering cycle.
    assert _shown(world.place_manager) not in content
    assert _shown(world.region_manager) not in content
    assert b"Passed further up to Region cycle" in content

    # Its own cycle's page and inbox show the latest answer, from the region, with its text.
    for url in (
        f"/w/riverside/cycles/{world.team_cycle.pk}/",
        f"/w/riverside/cycles/{world.team_cycle.pk}/barriers/",
    ):
        shown = signed_in(world.team_mate).get(url).content
        assert b"Latest answer, from Region cycle:" in shown, url
        assert ANSWERS[3][1].encode() in shown, url
        assert _shown(world.region_manager) not in shown, url


def _shown(membership) -> bytes:
    """A member's name as a page shows it (escaped: "O'Brien" is "O&#x27;Brien")."""
    return escape(membership.user.display_name).encode()


def test_each_level_names_only_its_own_people(world, raised, passed):
    place = signed_in(world.place_manager).get(f"/w/riverside/barriers/{raised.pk}/").content
    assert _in_order(place, [text for _s, text in ANSWERS])
    assert _shown(world.place_manager) in place
    assert _shown(world.region_manager) not in place

    region = signed_in(world.region_manager).get(f"/w/riverside/barriers/{passed.pk}/").content
    assert _in_order(region, [text for _s, text in ANSWERS])  # the place's answers too
    assert _shown(world.region_manager) in region
    # Passed up by the place: the place's name, not its manager's.
    assert _shown(world.place_manager) not in region
    assert b"by Open Door cycle" in region


def test_outsiders_see_no_chain(world, raised, passed):
    for who in ("manager_elsewhere", "outsider"):
        client = signed_in(getattr(world, who))
        for route in (raised, passed):
            assert client.get(f"/w/riverside/barriers/{route.pk}/").status_code == 404
    # The raising team opens its own route; the region's route is not theirs to open.
    assert signed_in(world.author).get(f"/w/riverside/barriers/{passed.pk}/").status_code == 404


def test_a_bad_barrier_id_is_not_found(world, raised):
    client = signed_in(world.author)
    assert client.get("/w/riverside/barriers/999999/").status_code == 404
    assert client.get("/w/riverside/barriers/x/").status_code == 404


# The API -------------------------------------------------------------------------------------


def _api(membership) -> APIClient:
    client = APIClient()
    client.force_login(membership.user)
    client.credentials(HTTP_X_WORKSPACE=membership.workspace.slug)
    return client


def test_the_api_returns_the_whole_chain_without_person_ids_outside(world, raised, passed):
    body = _api(world.author).get(f"/api/v1/barriers/{raised.pk}/").json()
    answers = body["answers"]
    assert [(a["state"], a["text"]) for a in answers] == [(s.value, t) for s, t in ANSWERS]
    assert [a["cycle"] for a in answers] == [world.place_cycle.pk] * 2 + [world.region_cycle.pk] * 2
    assert [a["barrier"] for a in answers] == [raised.pk] * 2 + [passed.pk] * 2
    assert [a["responded_by"] for a in answers] == [None] * 4

    place = _api(world.place_manager).get(f"/api/v1/barriers/{raised.pk}/").json()
    assert [a["responded_by"] for a in place["answers"]] == [world.place_manager.user.pk] * 2 + [
        None
    ] * 2
    assert place["raised_by"] is None  # the raiser is named only inside the team
    assert body["raised_by"] == world.author.user.pk

    listed = _api(world.region_manager).get("/api/v1/barriers/").json()["results"]
    assert [row["id"] for row in listed] == [passed.pk]
    assert [a["text"] for a in listed[0]["answers"]] == [t for _s, t in ANSWERS]
    assert listed[0]["raised_by"] is None  # passed up by the place's manager
    assert _api(world.manager_elsewhere).get(f"/api/v1/barriers/{raised.pk}/").status_code == 404


# Queries -------------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


DETAIL_BUDGET = 13


def test_the_barrier_page_costs_the_same_at_any_depth(world, raised, make_member):
    client = signed_in(world.author)
    url = f"/w/riverside/barriers/{raised.pk}/"
    client.get(url)
    shallow = _count(client, url)
    _answer(world, raised, world.place_manager, *ANSWERS[1], pass_to=world.region_cycle)
    with tenant_scope(workspace_id=world.workspace.pk):
        upper = BarrierRoute.objects.get(passed_from=raised)
    _answer(world, upper, world.region_manager, *ANSWERS[2])
    _answer(world, upper, world.region_manager, *ANSWERS[3])
    deep = _count(client, url)
    assert deep == shallow
    assert deep == DETAIL_BUDGET
