"""The barrier life cycle, as a state machine (issue 17): the team's barrier is raised to the
cycles above (or, wrongly, sideways and by someone outside the team), answered by managers of
the receiving cycle and by people who may not answer, acknowledged, worked on, changed, or
found unchangeable here and passed further up, in any order, through the services.

After every step the routes agree with a model kept beside them: an illegal move is refused
with the service's error (PermissionDenied for who, ValidationError for what) and writes
nothing; a route's state is its newest answer's (raised before any) and its revision counts its
answers; an entry has at most one open route into any one cycle; a route passed further up
comes from one that cannot change here."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, multiple, rule

from cycles.barriers import services
from cycles.barriers.selectors import OPEN_STATES
from cycles.models import BarrierResponse, BarrierRoute
from hls.tenancy.context import tenant_scope
from tests.stateful import InSavepoint, run

pytestmark = pytest.mark.django_db

State = BarrierRoute.State
STATES = st.sampled_from([*State.values, "fixed"])
TEXTS = st.sampled_from(["", "We changed the allocation rule.", "It is set nationally."])


def test_the_barrier_life_cycle_holds_whatever_the_order(world):
    ws = world.workspace
    above = {world.place_cycle.pk: world.region_cycle.pk, world.region_cycle.pk: None}
    answerers = {
        world.place_cycle.pk: {world.place_manager.pk},
        world.region_cycle.pk: {world.region_manager.pk},
    }
    people = [world.place_manager, world.region_manager, world.place_practitioner,
              world.manager_elsewhere]  # fmt: skip
    cycles = {c.pk: c for c in (world.place_cycle, world.region_cycle, world.elsewhere_cycle,
                                world.team_cycle)}  # fmt: skip

    class Barriers(InSavepoint):
        routes = Bundle("routes")

        def _snapshot(self):
            return (
                sorted(BarrierRoute.objects.values_list("pk", "state", "revision")),
                BarrierResponse.objects.count(),
            )

        def _refused(self, call, error) -> None:
            before = self._snapshot()
            with pytest.raises(error):
                call()
            assert self._snapshot() == before  # nothing half-written

        def _open_into(self, cycle_pk: int) -> bool:
            return BarrierRoute.objects.filter(
                entry=world.barrier, to_cycle_id=cycle_pk, state__in=OPEN_STATES
            ).exists()

        @rule(target=routes, to=st.sampled_from(sorted(cycles)), by_author=st.booleans())
        def raise_it(self, to, by_author):
            by = world.author if by_author else world.manager_elsewhere
            with tenant_scope(workspace_id=ws.pk):
                call = lambda: services.barrier_raise(  # noqa: E731
                    workspace=ws, entry=world.barrier, to_cycle=cycles[to], raised_by=by.user
                )
                if not by_author:
                    self._refused(call, PermissionDenied)
                elif to not in above or self._open_into(to):
                    self._refused(call, ValidationError)
                else:
                    route = call()
                    assert route.state == State.RAISED
                    return route.pk
            return multiple()  # refused: nothing to answer later

        @rule(
            pk=routes,
            who=st.integers(0, len(people) - 1),
            state=STATES,
            text=TEXTS,
            pass_up=st.booleans(),
        )
        def answer(self, pk, who, state, text, pass_up):
            by = people[who]
            with tenant_scope(workspace_id=ws.pk):
                route = BarrierRoute.objects.get(pk=pk)
                pass_to_pk = above[route.to_cycle_id] if pass_up else None
                pass_to = cycles[pass_to_pk] if pass_to_pk else None
                if pass_up and pass_to is None:
                    pass_to = world.elsewhere_cycle  # nothing above: sideways, refused
                call = lambda: services.barrier_answer(  # noqa: E731
                    workspace=ws, route=route, answered_by=by, state=state, text=text,
                    pass_to=pass_to,
                )  # fmt: skip
                if by.pk not in answerers[route.to_cycle_id]:
                    self._refused(call, PermissionDenied)
                    return
                legal = (
                    state in State.values
                    and state != State.RAISED
                    and not (state in (State.CHANGED, State.CANNOT_CHANGE) and not text)
                    and not (state == route.state and not text)
                    and (
                        pass_to is None
                        or (
                            state == State.CANNOT_CHANGE
                            and pass_to_pk is not None
                            and not self._open_into(pass_to_pk)
                        )
                    )
                )
                if not legal:
                    self._refused(call, ValidationError)
                    return
                responses = BarrierResponse.objects.count()
                call()
                assert BarrierResponse.objects.count() == responses + 1
                route.refresh_from_db()
                assert route.state == state

        @invariant()
        def each_route_is_its_answers(self):
            with tenant_scope(workspace_id=ws.pk):
                for route in BarrierRoute.objects.filter(workspace=ws):
                    answers = list(route.responses.order_by("responded_at", "pk"))
                    assert route.state == (answers[-1].state if answers else State.RAISED)
                    assert route.revision == 1 + len(answers)
                    if route.passed_from_id:
                        assert route.passed_from.state == State.CANNOT_CHANGE
                        assert route.from_cycle_id == route.passed_from.to_cycle_id

        @invariant()
        def one_open_route_into_a_cycle(self):
            with tenant_scope(workspace_id=ws.pk):
                open_into = list(
                    BarrierRoute.objects.filter(workspace=ws, state__in=OPEN_STATES)
                    .values_list("entry_id", "to_cycle_id")
                )  # fmt: skip
                assert len(open_into) == len(set(open_into))

    run(Barriers, examples=10, steps=14)
