"""Barriers raised, answered and passed up reach the notification centre and Today of those who
must answer and of those waiting, once each, under their preferences (issue 10)."""

# ruff: noqa: F811  (the barrier world's `world` fixture is imported, then asked for by name)

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from cycles.barriers import services as barriers
from cycles.models import BarrierRoute
from hls.tenancy.context import tenant_scope
from stewardship.models import Notification, NotificationPreference, Reminder
from stewardship.notifications import delivery
from tests.barriers.conftest import world  # noqa: F401  (the barrier world: team, place, region)
from tests.conftest import signed_in

State = BarrierRoute.State


def _notes(world, membership) -> list[Notification]:
    with tenant_scope(workspace_id=world.workspace.pk):
        return list(
            Notification.objects.filter(workspace=world.workspace, user=membership.user).order_by(
                "pk"
            )
        )


def _raise(world) -> BarrierRoute:
    with tenant_scope(workspace_id=world.workspace.pk):
        return barriers.barrier_raise(
            workspace=world.workspace, entry=world.barrier, to_cycle=world.place_cycle,
            raised_by=world.author.user,
        )  # fmt: skip


def _answer(world, route, who, state, text, pass_to=None) -> None:
    with tenant_scope(workspace_id=world.workspace.pk):
        barriers.barrier_answer(
            workspace=world.workspace, route=route, answered_by=who, state=state, text=text,
            pass_to=pass_to,
        )  # fmt: skip


def test_the_right_people_are_told_once_in_the_centre_and_on_today(world):
    route = _raise(world)
    delivery.dispatch()
    delivery.dispatch()  # a second run (a retry) sends nothing more
    url = f"/w/riverside/barriers/{route.pk}/"
    # Those who answer in the place are told it waits for them.
    for who in ("place_manager", "place_steward"):
        notes = _notes(world, getattr(world, who))
        assert [(n.kind, n.url) for n in notes] == [(Reminder.Kind.BARRIER_RAISED, url)], who
        assert notes[0].title == "A barrier from North team cycle is waiting for an answer"
    # The raiser's team mate waits; the raiser is not told of their own act; the place's
    # practitioner does not answer; others hear nothing.
    assert [n.title for n in _notes(world, world.team_mate)] == [
        "A barrier was raised to Open Door cycle"
    ]
    for who in ("author", "place_practitioner", "manager_elsewhere", "region_manager"):
        assert _notes(world, getattr(world, who)) == [], who
    assert "allocation rule" not in "".join(m.body for m in mail.outbox)  # text stays in the app

    # Answered: those waiting (the raiser and their team) hear of it, once.
    _answer(world, route, world.place_manager, State.WORKING, "Looking at it.")
    delivery.dispatch()
    _answer(
        world, route, world.place_manager, State.CANNOT_CHANGE, "Set above.", world.region_cycle
    )
    delivery.dispatch()
    delivery.dispatch()
    with tenant_scope(workspace_id=world.workspace.pk):
        upper = BarrierRoute.objects.get(passed_from=route)
    author = _notes(world, world.author)
    assert [(n.kind, n.title, n.url) for n in author] == [
        (
            Reminder.Kind.BARRIER_ANSWERED,
            "An answer from Open Door cycle to a barrier you wait on",
            url,
        ),
        (
            Reminder.Kind.BARRIER_PASSED_UP,
            "Open Door cycle passed a barrier further up, to Region cycle",
            url,  # the page they may open, which shows the whole chain
        ),
    ]
    assert "Working on it" in author[0].body
    region = _notes(world, world.region_manager)
    assert [(n.kind, n.url) for n in region] == [
        (Reminder.Kind.BARRIER_PASSED_UP, f"/w/riverside/barriers/{upper.pk}/")
    ]
    assert region[0].title == "A barrier passed up by Open Door cycle is waiting for an answer"
    assert len(_notes(world, world.place_manager)) == 1  # the one who answered is not told

    # The region answers: the place (which passed it) and the team wait, and hear of it.
    _answer(world, upper, world.region_manager, State.CHANGED, "Moves now count.")
    delivery.dispatch()
    assert _notes(world, world.author)[-1].title == (
        "An answer from Region cycle to a barrier you wait on"
    )
    assert _notes(world, world.place_steward)[-1].title == (
        "An answer from Region cycle to a barrier you wait on"
    )
    assert _notes(world, world.place_steward)[-1].url == f"/w/riverside/barriers/{upper.pk}/"

    # Today shows the unread ones, linked to the barrier's page; the centre lists them.
    today = signed_in(world.author).get("/w/riverside/").content.decode()
    assert "An answer from Region cycle to a barrier you wait on" in today
    assert f'href="{url}"' in today
    centre = signed_in(world.author).get("/w/riverside/notifications/").content.decode()
    assert "Open Door cycle passed a barrier further up, to Region cycle" in centre
    assert "Nothing to look at yet" not in today
    # Someone elsewhere hears nothing of it (Today shows their own cycle, and no barrier).
    quiet = signed_in(world.manager_elsewhere).get("/w/riverside/").content.decode()
    assert "Your cycles" in quiet
    assert "barrier" not in quiet.lower()


def test_read_ones_leave_today(world):
    _raise(world)
    delivery.dispatch()
    client = signed_in(world.place_manager)
    assert "is waiting for an answer" in client.get("/w/riverside/").content.decode()
    client.post("/w/riverside/notifications/read-all/")
    assert "is waiting for an answer" not in client.get("/w/riverside/").content.decode()


def test_a_paused_member_hears_when_the_pause_ends_and_once(world):
    with tenant_scope(workspace_id=world.workspace.pk):
        NotificationPreference.objects.create(
            workspace=world.workspace,
            user=world.place_manager.user,
            snoozed_until=timezone.now() + dt.timedelta(days=2),
        )
    _raise(world)
    delivery.dispatch()
    assert _notes(world, world.place_manager) == []
    assert len(_notes(world, world.place_steward)) == 1  # not paused
    later = timezone.now() + dt.timedelta(days=2, minutes=1)
    delivery.dispatch()
    for _ in range(2):
        while delivery.deliver_next(now=later) is not None:
            pass
    assert [n.kind for n in _notes(world, world.place_manager)] == [Reminder.Kind.BARRIER_RAISED]
    assert sorted(m.to[0] for m in mail.outbox).count("manager@riverside.test") == 1


@pytest.mark.parametrize("repeat", [1, 3])
def test_publishing_again_writes_nothing_more(world, repeat):
    from cycles.barriers.tasks import notify_barrier_landed

    route = _raise(world)
    for _ in range(repeat):
        notify_barrier_landed(world.workspace.pk, route.pk, "raised")
    delivery.dispatch()
    assert len(_notes(world, world.place_manager)) == 1
    assert len(_notes(world, world.team_mate)) == 1
