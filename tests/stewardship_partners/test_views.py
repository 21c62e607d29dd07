"""Learning partners in the browser's terms: a heads-up written, read and answered; bad input
beside its field with the text kept; the panel on the cycle's page; the partner's home; a fixed
number of queries for the home and the list of heads-ups."""

import pytest

from hls.tenancy.context import tenant_scope
from stewardship.models import HeadsUp
from tests.conftest import signed_in
from tests.factories import (
    ContextQuestionFactory,
    ContextQuestionTargetFactory,
    HeadsUpFactory,
    MethodRunFactory,
    RunParticipantFactory,
    SessionCycleFactory,
    SessionFactory,
)

NOTE = "Nobody from the night shelter has come to the reflection space since March."
ANSWER = "We had not noticed. We will ask them what time would suit."


def _list(world) -> str:
    return f"/w/riverside/cycles/{world.team_cycle.pk}/heads-up/"


def test_a_partner_writes_a_heads_up_the_steward_answers_and_the_partner_reads_it(workspace, world):
    lee = signed_in(world.lee)
    response = lee.post(_list(world), {"text": NOTE})
    assert response.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        note = HeadsUp.objects.get()
    cycle_page = signed_in(world.sol).get(f"/w/riverside/cycles/{world.team_cycle.pk}/")
    assert NOTE[:60] in cycle_page.content.decode()
    page = signed_in(world.sol).get(_list(world)).content.decode()
    assert NOTE in page
    assert "From Lee" in page
    assert "Answer it" in page
    response = signed_in(world.sol).post(
        f"{_list(world)}{note.pk}/answer/", {f"heads-up-{note.pk}-answer": ANSWER}
    )
    assert response.status_code == 302
    page = lee.get(_list(world)).content.decode()
    assert ANSWER in page
    assert "Answered by Sol" in page
    assert "Answer it" not in page
    home = lee.get("/w/riverside/partner/").content.decode()
    assert ANSWER in home


def test_an_empty_note_is_refused_beside_its_field(workspace, world):
    response = signed_in(world.lee).post(_list(world), {"text": "  "})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Say what you noticed." in text
    assert 'id="id_text_error"' in text


def test_a_too_long_note_keeps_what_was_typed(workspace, world):
    typed = "The partners noticed something. " * 130  # over 4,000 characters
    response = signed_in(world.lee).post(_list(world), {"text": typed})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Keep it to 4000 characters." in text
    assert typed.strip()[:200] in text
    with tenant_scope(workspace_id=workspace.pk):
        assert not HeadsUp.objects.exists()


def test_an_empty_answer_is_refused_beside_its_field_and_a_second_answer_is_shown_why(
    workspace, world
):
    with tenant_scope(workspace_id=workspace.pk):
        note = HeadsUpFactory(workspace=workspace, cycle=world.team_cycle, author=world.lee.user)
    url = f"{_list(world)}{note.pk}/answer/"
    response = signed_in(world.sol).post(url, {f"heads-up-{note.pk}-answer": ""})
    assert response.status_code == 400
    assert f'id="id_heads-up-{note.pk}-answer_error"' in response.content.decode()
    assert "Write the cycle&#x27;s answer." in response.content.decode()
    assert signed_in(world.sol).post(url, {f"heads-up-{note.pk}-answer": ANSWER}).status_code == 302
    response = signed_in(world.tam).post(url, {f"heads-up-{note.pk}-answer": "Also this"})
    assert response.status_code == 400
    assert "Sol answered it meanwhile; their answer is kept." in response.content.decode()


def test_the_cycle_above_sees_no_panel_and_gets_a_404_for_a_note(workspace, world):
    with tenant_scope(workspace_id=workspace.pk):
        note = HeadsUpFactory(workspace=workspace, cycle=world.team_cycle, author=world.lee.user)
    abe = signed_in(world.abe)
    page = abe.get(f"/w/riverside/cycles/{world.team_cycle.pk}/").content.decode()
    assert "Heads-up notes" not in page
    assert note.text[:40] not in page
    # his own cycle's panel (he is inside it) has none of the cycle below's
    page = abe.get(f"/w/riverside/cycles/{world.place_cycle.pk}/").content.decode()
    assert "No open heads-up notes." in page
    assert note.text[:40] not in page
    assert abe.get(_list(world)).status_code == 403
    url = f"{_list(world)}{note.pk}/answer/"
    assert abe.post(url, {f"heads-up-{note.pk}-answer": "x"}).status_code == 404


def test_a_partner_inside_is_offered_to_write_from_the_cycle_page(workspace, world):
    page = signed_in(world.lee).get(f"/w/riverside/cycles/{world.team_cycle.pk}/")
    assert "Leave a heads-up for the stewards" in page.content.decode()


def _fill_home(workspace, world, n):
    with tenant_scope(workspace_id=workspace.pk):
        for i in range(n):
            session = SessionFactory(
                workspace=workspace, title=f"Reflection {i}", facilitator=world.lee.user,
                rrule="FREQ=WEEKLY;COUNT=3",
            )  # fmt: skip
            SessionCycleFactory(workspace=workspace, session=session, cycle=world.team_cycle)
            question = ContextQuestionFactory(
                workspace=workspace, asked_from=world.place_cycle, text=f"Why letters {i}?"
            )
            ContextQuestionTargetFactory(
                workspace=workspace, question=question, cycle=world.team_cycle
            )
            HeadsUpFactory(
                workspace=workspace, cycle=world.team_cycle, author=world.lee.user,
                text=f"Noticed {i}", status="answered" if i % 2 else "open",
                answer="Thanks" if i % 2 else "", answered_by=world.sol.user if i % 2 else None,
            )  # fmt: skip
            MethodRunFactory(
                workspace=workspace, cycle=world.team_cycle, facilitator=world.lee.user,
                title=f"Run {i}",
            )  # fmt: skip
            run = MethodRunFactory(workspace=workspace, cycle=world.team_cycle, title=f"Joined {i}")
            RunParticipantFactory(workspace=workspace, run=run, user=world.lee.user, guest_name="")


def test_the_home_shows_what_the_partner_supports(workspace, world):
    _fill_home(workspace, world, 2)
    page = signed_in(world.lee).get("/w/riverside/partner/").content.decode()
    for text in (
        "Northfield",  # the place the team's cycle is under
        "North team cycle",
        "Reflection 0",  # a meeting it facilitates
        "Why letters 1?",  # a question back waiting in the team's cycle
        "Noticed 0",
        "Run 1",  # a run it facilitates
        "Joined 0",  # a run it takes part in
    ):
        assert text in page, text
    # the cycle above is not one it supports (it shows only as where a question came from)
    assert f'href="/w/riverside/cycles/{world.place_cycle.pk}/"' not in page


@pytest.mark.parametrize("n", [1, 8])
def test_the_home_costs_the_same_whatever_it_holds(workspace, world, n, django_assert_num_queries):
    _fill_home(workspace, world, n)
    client = signed_in(world.lee)
    client.get("/w/riverside/partner/")
    with django_assert_num_queries(HOME_BUDGET):
        assert client.get("/w/riverside/partner/").status_code == 200


@pytest.mark.parametrize("n", [1, 8])
def test_the_heads_up_list_costs_the_same_whatever_it_holds(
    workspace, world, n, django_assert_num_queries
):
    _fill_home(workspace, world, n)
    client = signed_in(world.sol)
    client.get(_list(world))
    with django_assert_num_queries(LIST_BUDGET):
        assert client.get(_list(world)).status_code == 200


# The home: the request's own 8 (the user, the member, the tenancy settings, the savepoint), the
# systems the partner works in, its cycles, the questions back waiting in them, the place scale,
# the places above (one recursive query) and their systems, its sessions with their meetings and
# cycles, its heads-ups, its method runs.
HOME_BUDGET = 19
# The list: the request's own 8, the cycle, the systems the steward works in, the heads-ups,
# whether they hold a steward role of the cycle.
LIST_BUDGET = 12
