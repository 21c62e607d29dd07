"""The inbox and the cycle panel cost the same number of queries for 10 or 1,000 barriers."""

import pytest

from cycles.barriers import selectors
from cycles.models import BarrierResponse, BarrierRoute, Entry, Phase
from cycles.trust import trust_for
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.conftest import signed_in


def _grow(world, n: int) -> None:
    with tenant_scope(workspace_id=world.workspace.pk):
        entries = Entry.objects.bulk_create(
            Entry(
                workspace=world.workspace, cycle=world.team_cycle, author=world.author.user,
                kind="barrier", phase=Phase.UNDERSTAND, text=f"Barrier {i}",
                visibility=ShareLevel.SHARED_UPWARD,
            )
            for i in range(n)
        )  # fmt: skip
        states = list(BarrierRoute.State.values)
        routes = BarrierRoute.objects.bulk_create(
            BarrierRoute(
                workspace=world.workspace, entry=e, from_cycle=world.team_cycle,
                to_cycle=world.place_cycle, state=states[i % len(states)],
                raised_by=world.author.user,
            )
            for i, e in enumerate(entries)
        )  # fmt: skip
        BarrierResponse.objects.bulk_create(
            BarrierResponse(
                workspace=world.workspace, route=r, state=r.state, text="Seen",
                responded_by=world.place_manager.user,
            )
            for r in routes
            if r.state != BarrierRoute.State.RAISED
        )  # fmt: skip


INBOX_BUDGET = 17  # the chains of every route shown: two queries (issue 10); trust: one


@pytest.mark.parametrize("n", [10, 1000])
def test_inbox_query_budget(world, n, django_assert_num_queries):
    _grow(world, n)
    client = signed_in(world.place_manager)
    with django_assert_num_queries(INBOX_BUDGET):
        response = client.get(f"/w/riverside/cycles/{world.place_cycle.pk}/barriers/")
    assert response.status_code == 200
    assert response.content.count(b'class="barrier-row"') == n


# The chains of the raised barriers: two queries (issue 10); the team panel shows them.
PANEL_BUDGET = {"place": 5, "team": 7}


@pytest.mark.parametrize("n", [10, 1000])
def test_panel_query_budget(world, n, django_assert_num_queries):
    _grow(world, n)
    with tenant_scope(workspace_id=world.workspace.pk):
        for cycle, user, budget in [
            (world.place_cycle, world.place_manager.user, PANEL_BUDGET["place"]),
            (world.team_cycle, world.author.user, PANEL_BUDGET["team"]),
        ]:
            trust = trust_for(workspace=world.workspace, user=user)  # once per request
            with django_assert_num_queries(budget):
                panel = selectors.cycle_panel(
                    workspace=world.workspace, user=user, cycle=cycle, trust=trust
                )
                for enabler in panel.provided:
                    list(enabler.for_cycles.all())
            assert panel.is_member
    assert sum(n for _s, _l, n in panel.counts) == 0  # the team cycle's own inbox is empty
