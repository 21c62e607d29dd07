"""The inbox and the cycle panel cost the same number of queries for 10 or 1,000 barriers."""

import re

import pytest

from cycles.barriers import selectors
from cycles.models import BarrierResponse, BarrierRoute, Entry, Phase
from cycles.trust import trust_for
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.conftest import signed_in


def _grow(world, n: int) -> list[BarrierRoute]:
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
    return routes


# The count per state: one (grouped); a page of every state: one; the chains of every route
# shown: two (issue 10); trust: one.
INBOX_BUDGET = 18
# "Show more" of one state (htmx, no page around it): its count, its page, the chains of the
# page (two), trust.
INBOX_MORE_BUDGET = 15


def _shown(html: str, state: str) -> list[int]:
    """The barriers listed in a state's section, in the order shown."""
    section = html.split(f'id="state-{state}"', 1)[1].split("</section>", 1)[0]
    return [int(pk) for pk in re.findall(r'/barriers/(\d+)/"', section)]


@pytest.mark.parametrize("n", [150, 1000])  # 30 and 200 a state: each has a second page
def test_inbox_query_budget(world, n, django_assert_num_queries):
    routes = _grow(world, n)
    newest = {
        state: sorted((r.pk for r in routes if r.state == state), reverse=True)
        for state in BarrierRoute.State.values
    }
    client = signed_in(world.place_manager)
    url = f"/w/riverside/cycles/{world.place_cycle.pk}/barriers/"
    with django_assert_num_queries(INBOX_BUDGET):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # Each state's newest 20, newest first; its heading counts all of that state.
    assert html.count('class="barrier-row"') == sum(min(len(ids), 20) for ids in newest.values())
    for state, ids in newest.items():
        assert _shown(html, state) == ids[:20]
        label = rf'id="label-{state}">[^<]*</span> <span class="muted">· (\d+) barr'
        heading = re.search(label, html)
        assert heading
        assert int(heading[1]) == len(ids)
        assert (f"?{state}_page=2" in html) is (len(ids) > 20)

    # "Show more" of one state (htmx): the next 20 of that state only, and the link beyond.
    with django_assert_num_queries(INBOX_MORE_BUDGET):
        more = client.get(f"{url}?changed_page=2", headers={"HX-Request": "true"})
    assert more.status_code == 200
    fragment = more.content.decode()
    assert "<section" not in fragment
    changed = newest[BarrierRoute.State.CHANGED]
    assert [int(pk) for pk in re.findall(r'/barriers/(\d+)/"', fragment)] == changed[20:40]
    assert ("?changed_page=3" in fragment) is (len(changed) > 40)

    # Without JS the same link renders the page with that state's list a page longer.
    with django_assert_num_queries(INBOX_BUDGET):
        longer = client.get(f"{url}?changed_page=2")
    html = longer.content.decode()
    assert _shown(html, "changed") == changed[:40]
    assert _shown(html, "raised") == newest["raised"][:20]


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
