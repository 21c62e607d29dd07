"""The barrier relay and enablers, through their services and selectors."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cycles.barriers import selectors, services
from cycles.barriers.tasks import notify_barrier_landed
from cycles.connections import cycle_ids_below
from cycles.models import BarrierResponse, BarrierRoute, Enabler
from cycles.trust import trust_for
from hls.tenancy.context import tenant_scope
from stewardship.notifications import delivery
from systems.models import ShareLevel
from tests.factories import CycleFactory, CycleLinkFactory, EntryFactory, PersonFactory

State = BarrierRoute.State


def _scope(world):
    return tenant_scope(workspace_id=world.workspace.pk)


def _trust(world, user):
    return trust_for(workspace=world.workspace, user=user)


# Raising -------------------------------------------------------------------------------------


def test_a_barrier_is_raised_to_the_cycle_above(world, raised):
    assert raised.from_cycle == world.team_cycle
    assert raised.to_cycle == world.place_cycle
    assert raised.state == State.RAISED
    assert raised.raised_by == world.author.user


def test_targets_are_the_cycle_above_first_then_further_up(world):
    with _scope(world):
        targets = selectors.raise_targets(workspace=world.workspace, cycle=world.team_cycle)
        above = selectors.cycle_ids_above(workspace=world.workspace, cycle=world.team_cycle)
    assert targets.direct == [world.place_cycle]
    assert targets.further == [world.region_cycle]
    assert world.elsewhere_cycle not in targets.all
    assert above == {world.place_cycle.pk, world.region_cycle.pk}


def test_cycles_above_agree_with_cycles_below_including_parent_links(world):
    with _scope(world):
        CycleLinkFactory(
            workspace=world.workspace, cycle=world.team_cycle, other=world.elsewhere_cycle,
            kind="parent",
        )  # fmt: skip
        above = selectors.cycle_ids_above(workspace=world.workspace, cycle=world.team_cycle)
        every = [world.region_cycle, world.place_cycle, world.elsewhere_cycle, world.team_cycle]
        brute = {
            c.pk
            for c in every
            if world.team_cycle.pk in cycle_ids_below(workspace=world.workspace, cycle=c)
        }
    assert above == brute == {world.place_cycle.pk, world.region_cycle.pk, world.elsewhere_cycle.pk}


def test_a_barrier_may_go_further_up_by_choice(world):
    with _scope(world):
        route = services.barrier_raise(
            workspace=world.workspace,
            entry=world.barrier,
            to_cycle=world.region_cycle,
            raised_by=world.author.user,
        )
    assert route.to_cycle == world.region_cycle


def _raise_fails(world, **kwargs):
    args = {
        "workspace": world.workspace,
        "entry": world.barrier,
        "to_cycle": world.place_cycle,
        "raised_by": world.author.user,
    } | kwargs
    with _scope(world):
        before = BarrierRoute.objects.count()
        with pytest.raises(ValidationError) as error:
            services.barrier_raise(**args)
        assert BarrierRoute.objects.count() == before
    return " ".join(error.value.message_dict["to_cycle"])


def test_only_a_barrier_can_be_raised(world):
    with _scope(world):
        story = EntryFactory(
            workspace=world.workspace, cycle=world.team_cycle, author=world.author.user,
            kind="story", visibility=ShareLevel.SHARED_UPWARD,
        )  # fmt: skip
    assert "Only a barrier can be raised" in _raise_fails(world, entry=story)
    with _scope(world):
        assert not BarrierRoute.objects.exists()


def test_only_to_a_cycle_above(world):
    assert "Choose a cycle above" in _raise_fails(world, to_cycle=world.elsewhere_cycle)
    assert "Choose a cycle above" in _raise_fails(world, to_cycle=world.team_cycle)
    with _scope(world):
        below = CycleFactory(workspace=world.workspace)
    assert "Choose a cycle above" in _raise_fails(world, to_cycle=below)
    with _scope(world):
        assert not BarrierRoute.objects.exists()


@pytest.mark.parametrize("level", [ShareLevel.PRIVATE, ShareLevel.TEAM, ShareLevel.CYCLE])
def test_raising_widens_nothing_share_it_upward_first(world, level):
    with _scope(world):
        world.barrier.visibility = level
        world.barrier.save()
    assert "Share it upward first" in _raise_fails(world)
    with _scope(world):
        world.barrier.refresh_from_db()
        assert world.barrier.visibility == level
        assert not BarrierRoute.objects.exists()


def test_the_persons_consent_caps_what_travels_up(world):
    with _scope(world):
        person = PersonFactory(workspace=world.workspace, consent_level=ShareLevel.CYCLE)
        world.barrier.person = person
        world.barrier.save()
    assert "consent" in _raise_fails(world)


def test_no_second_open_route_to_the_same_cycle(world, raised):
    assert "already waiting" in _raise_fails(world)
    with _scope(world):
        assert BarrierRoute.objects.count() == 1


def test_a_closed_route_may_be_raised_again(world, raised):
    with _scope(world):
        services.barrier_answer(
            workspace=world.workspace, route=raised, answered_by=world.place_manager,
            state=State.CHANGED, text="The rule now has an exception for moves like this.",
        )  # fmt: skip
        again = services.barrier_raise(
            workspace=world.workspace, entry=world.barrier, to_cycle=world.place_cycle,
            raised_by=world.author.user,
        )  # fmt: skip
    assert again.pk != raised.pk


def test_someone_outside_the_cycle_may_not_raise_it(world):
    with _scope(world):
        world.barrier.visibility = ShareLevel.WORKSPACE
        world.barrier.save()
        with pytest.raises(PermissionDenied):
            services.barrier_raise(
                workspace=world.workspace, entry=world.barrier, to_cycle=world.place_cycle,
                raised_by=world.manager_elsewhere.user,
            )  # fmt: skip
        # A team mate (the team of the cycle's system) may.
        route = services.barrier_raise(
            workspace=world.workspace, entry=world.barrier, to_cycle=world.place_cycle,
            raised_by=world.team_mate.user,
        )  # fmt: skip
    assert route.raised_by == world.team_mate.user


# Answering -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("author", False),
        ("place_practitioner", False),  # a member of the receiving cycle, not a manager
        ("place_manager", True),
        ("place_steward", True),  # through the team of the place's system
        ("manager_elsewhere", False),
        ("region_manager", False),  # above, but not the receiving cycle
    ],
)
def test_who_may_answer(world, raised, who, may):
    membership = getattr(world, who)
    with _scope(world):
        if may:
            services.barrier_answer(
                workspace=world.workspace, route=raised, answered_by=membership,
                state=State.ACKNOWLEDGED,
            )  # fmt: skip
        else:
            with pytest.raises(PermissionDenied) as error:
                services.barrier_answer(
                    workspace=world.workspace, route=raised, answered_by=membership,
                    state=State.ACKNOWLEDGED,
                )  # fmt: skip
            assert "Only managers, stewards and admins who take part in Open Door cycle" in str(
                error.value
            )
        raised.refresh_from_db()
        assert raised.state == (State.ACKNOWLEDGED if may else State.RAISED)
        assert BarrierResponse.objects.count() == (1 if may else 0)


def test_states_move_and_each_answer_is_kept(world, raised):
    with _scope(world):
        for state, text in [
            (State.ACKNOWLEDGED, ""),
            (State.WORKING, "Talking to the allocations team."),
            (State.CHANGED, "Moves that keep a support network now count as a priority."),
        ]:
            services.barrier_answer(
                workspace=world.workspace, route=raised, answered_by=world.place_manager,
                state=state, text=text,
            )  # fmt: skip
        raised.refresh_from_db()
        answers = list(raised.responses.values_list("state", "text"))
    assert raised.state == State.CHANGED
    assert [s for s, _t in answers] == [State.ACKNOWLEDGED, State.WORKING, State.CHANGED]
    assert answers[-1][1].startswith("Moves that keep")


@pytest.mark.parametrize(
    ("state", "text", "field", "message"),
    [
        (State.CHANGED, "  ", "text", "Say what changed"),
        (State.CANNOT_CHANGE, "", "text", "Say why it cannot change here"),
        (State.RAISED, "back", "state", "Choose what is happening"),
        ("nonsense", "", "state", "Choose what is happening"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(world, raised, state, text, field, message):
    with _scope(world):
        with pytest.raises(ValidationError) as error:
            services.barrier_answer(
                workspace=world.workspace, route=raised, answered_by=world.place_manager,
                state=state, text=text,
            )  # fmt: skip
        raised.refresh_from_db()
        assert raised.state == State.RAISED
        assert not BarrierResponse.objects.exists()
    assert message in " ".join(error.value.message_dict[field])


def test_cannot_change_here_passes_it_further_up(world, raised):
    with _scope(world):
        services.barrier_answer(
            workspace=world.workspace, route=raised, answered_by=world.place_manager,
            state=State.CANNOT_CHANGE, text="The rule is set by the region.",
            pass_to=world.region_cycle,
        )  # fmt: skip
        passed = BarrierRoute.objects.get(passed_from=raised)
    assert passed.from_cycle_id == world.place_cycle.pk
    assert passed.to_cycle_id == world.region_cycle.pk
    assert passed.entry_id == world.barrier.pk
    assert passed.state == State.RAISED


def test_passing_up_needs_cannot_change_and_a_cycle_above(world, raised):
    with _scope(world):
        with pytest.raises(ValidationError) as error:
            services.barrier_answer(
                workspace=world.workspace, route=raised, answered_by=world.place_manager,
                state=State.WORKING, pass_to=world.region_cycle,
            )  # fmt: skip
        assert "only when it cannot change here" in error.value.message_dict["pass_to"][0]
        with pytest.raises(ValidationError) as error:
            services.barrier_answer(
                workspace=world.workspace, route=raised, answered_by=world.place_manager,
                state=State.CANNOT_CHANGE, text="Not ours.", pass_to=world.elsewhere_cycle,
            )  # fmt: skip
        assert "Choose a cycle above Open Door cycle" in error.value.message_dict["pass_to"][0]
        raised.refresh_from_db()
        assert raised.state == State.RAISED
        assert BarrierRoute.objects.count() == 1
        assert not BarrierResponse.objects.exists()


def test_the_raising_cycle_sees_each_answer(world, raised):
    with _scope(world):
        services.barrier_answer(
            workspace=world.workspace, route=raised, answered_by=world.place_manager,
            state=State.WORKING, text="Meeting allocations on Tuesday.",
        )  # fmt: skip
        trust = _trust(world, world.author.user)
        panel = selectors.cycle_panel(
            workspace=world.workspace, user=world.author.user, cycle=world.team_cycle, trust=trust
        )
        page = selectors.route_for_page(
            workspace=world.workspace, user=world.author.user, route_id=raised.pk, trust=trust
        )
    assert [r.chain.latest.text for r in panel.raised] == ["Meeting allocations on Tuesday."]
    assert page is not None
    assert [a.text for a in page.chain.answers] == ["Meeting allocations on Tuesday."]


def test_the_barrier_page_is_for_members_of_both_cycles_only(world, raised):
    with _scope(world):
        for who, sees in [
            ("author", True),
            ("team_mate", True),
            ("place_practitioner", True),
            ("place_steward", True),
            ("manager_elsewhere", False),
            ("region_manager", False),
        ]:
            user = getattr(world, who).user
            page = selectors.route_for_page(
                workspace=world.workspace, user=user, route_id=raised.pk,
                trust=_trust(world, user),
            )  # fmt: skip
            assert (page is not None) is sees, who


def test_narrowed_later_the_text_no_longer_travels(world, raised):
    with _scope(world):
        world.barrier.visibility = ShareLevel.PRIVATE
        world.barrier.save()
        for who, shown in [("place_manager", False), ("author", True)]:
            user = getattr(world, who).user
            page = selectors.route_for_page(
                workspace=world.workspace, user=user, route_id=raised.pk,
                trust=_trust(world, user),
            )  # fmt: skip
            assert page.text_shown is shown


# Inbox ---------------------------------------------------------------------------------------


def test_inbox_groups_by_state_newest_first(world, raised):
    with _scope(world):
        second = EntryFactory(
            workspace=world.workspace, cycle=world.team_cycle, author=world.author.user,
            kind="barrier", visibility=ShareLevel.SHARED_UPWARD,
        )  # fmt: skip
        later = services.barrier_raise(
            workspace=world.workspace, entry=second, to_cycle=world.place_cycle,
            raised_by=world.author.user,
        )  # fmt: skip
        third = EntryFactory(
            workspace=world.workspace, cycle=world.team_cycle, author=world.author.user,
            kind="barrier", visibility=ShareLevel.SHARED_UPWARD,
        )  # fmt: skip
        latest = services.barrier_raise(
            workspace=world.workspace, entry=third, to_cycle=world.place_cycle,
            raised_by=world.author.user,
        )  # fmt: skip
        services.barrier_answer(
            workspace=world.workspace, route=later, answered_by=world.place_manager,
            state=State.ACKNOWLEDGED,
        )  # fmt: skip
        box = selectors.inbox(
            workspace=world.workspace, user=world.place_manager.user, cycle=world.place_cycle,
            trust=_trust(world, world.place_manager.user),
        )  # fmt: skip
        counts = selectors.inbox_counts(workspace=world.workspace, cycle=world.place_cycle)
    assert [(s.state, s.total, [r.pk for r in s.routes]) for s in box.by_state] == [
        (State.RAISED, 2, [latest.pk, raised.pk]),
        (State.ACKNOWLEDGED, 1, [later.pk]),
    ]
    assert box.total == 3
    assert [(s, n) for s, _l, n in counts] == [(State.RAISED, 2), (State.ACKNOWLEDGED, 1)]


# Notification --------------------------------------------------------------------------------


def test_landing_notifies_those_who_answer_and_those_waiting_once(
    world, django_capture_on_commit_callbacks, make_member
):
    with _scope(world):
        # An admin of the workspace who is not in the place cycle is not told.
        make_member(world.workspace, "admin", email="boss@riverside.test")
    with django_capture_on_commit_callbacks(execute=True), _scope(world):
        route = services.barrier_raise(
            workspace=world.workspace, entry=world.barrier, to_cycle=world.place_cycle,
            raised_by=world.author.user,
        )  # fmt: skip
    by_address = {m.to[0]: m for m in mail.outbox}
    # Those who answer in the place; the raiser's team mate (the raiser is not told of their act).
    assert sorted(by_address) == [
        "manager@riverside.test",
        "ps@riverside.test",
        "team@riverside.test",
    ]
    assert "North team cycle" in by_address["manager@riverside.test"].subject
    assert "raised to Open Door cycle" in by_address["team@riverside.test"].subject
    for message in mail.outbox:
        assert f"/w/riverside/barriers/{route.pk}/" in message.body
        assert "Sam" not in message.body  # the barrier's text stays in the app

    # The old task runs again (a retry, a message queued before): nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_barrier_landed.delay(world.workspace.pk, route.pk, "raised").get() == 0
        notify_barrier_landed(world.workspace.pk, route.pk, "raised")
    assert len(mail.outbox) == 3


def test_passing_up_notifies_the_cycle_above_and_the_raising_team(
    world, raised, django_capture_on_commit_callbacks
):
    delivery.dispatch()  # what the raise queued
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), _scope(world):
        services.barrier_answer(
            workspace=world.workspace, route=raised, answered_by=world.place_manager,
            state=State.CANNOT_CHANGE, text="Set by the region.", pass_to=world.region_cycle,
        )  # fmt: skip
    by_address = {m.to[0]: m.subject for m in mail.outbox}
    assert sorted(by_address) == [
        "author@riverside.test", "rm@riverside.test", "team@riverside.test"
    ]  # fmt: skip
    assert by_address["rm@riverside.test"] == (
        "A barrier passed up by Open Door cycle is waiting for an answer"
    )
    assert by_address["author@riverside.test"] == (
        "Open Door cycle passed a barrier further up, to Region cycle"
    )
    assert len(mail.outbox) == 3


# Enablers ------------------------------------------------------------------------------------


def test_enablers_show_in_the_cycles_below_and_on_the_enabling_cycle(world, raised):
    with _scope(world):
        enabler = services.enabler_create(
            workspace=world.workspace, cycle=world.place_cycle, created_by=world.place_manager,
            kind=Enabler.Kind.PERMISSION, text="Teams may approve moves that keep support.",
            barrier_route=raised, for_cycles=[world.team_cycle],
        )  # fmt: skip
        received = selectors.cycle_panel(
            workspace=world.workspace, user=world.manager_elsewhere.user, cycle=world.team_cycle,
            trust=_trust(world, world.manager_elsewhere.user),
        ).received  # fmt: skip
        provided = selectors.cycle_panel(
            workspace=world.workspace, user=world.place_manager.user, cycle=world.place_cycle,
            trust=_trust(world, world.place_manager.user),
        ).provided  # fmt: skip
        elsewhere = selectors.enablers_received(
            workspace=world.workspace, cycle=world.elsewhere_cycle
        )
    assert received == [enabler]
    assert provided == [enabler]
    assert list(elsewhere) == []


def test_enablers_bad_input_and_who_may_add(world, raised):
    with _scope(world):
        with pytest.raises(ValidationError) as error:
            services.enabler_create(
                workspace=world.workspace, cycle=world.place_cycle,
                created_by=world.place_manager, kind="bribe", text=" ",
                for_cycles=[world.elsewhere_cycle],
            )  # fmt: skip
        assert set(error.value.message_dict) == {"kind", "text", "for_cycles"}
        with pytest.raises(PermissionDenied):
            services.enabler_create(
                workspace=world.workspace, cycle=world.place_cycle,
                created_by=world.manager_elsewhere, kind="resource", text="Money",
            )  # fmt: skip
        assert not Enabler.objects.exists()
