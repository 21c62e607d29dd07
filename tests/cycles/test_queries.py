"""Query budgets: the timeline, the cycle list and search cost the same number of queries for
10 entries as for 1,000 (rows made with bulk_create to stay fast)."""

import pytest

from cycles.models import Cycle, CycleMember, Entry, EntryRevision, EntryTheme, PhaseShift
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import ExperimentFactory, PersonFactory, ThemeFactory

SIZES = [10, 1000]


def _fill(world, n: int) -> None:
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        themes = [ThemeFactory(workspace=ws) for _ in range(3)]
        people = [
            PersonFactory(workspace=ws, system=world.system, consent_level=ShareLevel.WORKSPACE)
            for _ in range(3)
        ]
        experiment = ExperimentFactory(workspace=ws, cycle=world.cycle)
        authors = [world.author.user, world.team.user, world.manager.user]
        entries = Entry.objects.bulk_create(
            [
                Entry(
                    workspace=ws,
                    cycle=world.cycle,
                    kind="story",
                    phase=["understand", "co_design", "experiment", "embed"][i % 4],
                    text=f"Story {i} about housing and the letters",
                    author=authors[i % 3],
                    person=people[i % 3] if i % 2 else None,
                    experiment=experiment if i % 5 == 0 else None,
                    visibility=ShareLevel.WORKSPACE if i % 3 else ShareLevel.TEAM,
                )
                for i in range(n)
            ]
        )
        EntryTheme.objects.bulk_create(
            [EntryTheme(workspace=ws, entry=e, theme=themes[i % 3]) for i, e in enumerate(entries)]
        )
        EntryRevision.objects.bulk_create(
            [
                EntryRevision(
                    workspace=ws,
                    entry=e,
                    kind="story",
                    phase="understand",
                    text="before",
                    visibility=0,
                )
                for e in entries[::7]
            ]
        )
        PhaseShift.objects.bulk_create(
            [
                PhaseShift(
                    workspace=ws,
                    cycle=world.cycle,
                    from_phase="understand",
                    to_phase="embed",
                    reason=f"r{i}",
                )
                for i in range(max(1, n // 50))
            ]
        )
        cycles = Cycle.objects.bulk_create(
            [
                Cycle(workspace=ws, system=world.system, name=f"Cycle {i}", purpose="housing")
                for i in range(n // 10)
            ]
        )
        CycleMember.objects.bulk_create(
            [CycleMember(workspace=ws, cycle=c, user=world.author.user) for c in cycles]
        )


@pytest.mark.parametrize("n", SIZES)
def test_timeline_query_budget(world, n, django_assert_num_queries) -> None:
    _fill(world, n)
    client = signed_in(world.team)
    url = f"/w/riverside/cycles/{world.cycle.pk}/timeline/"
    # The page's entries are read with one row more (is there an older page?), never counted.
    with django_assert_num_queries(21):
        response = client.get(url)
    assert response.content.decode().count('class="entry"') == min(n, 30)
    # A second page reads the newer page's oldest entry with its own (no phase shifts with a
    # kind chosen). Past the end (the smaller timeline) it is counted, and the last page shown.
    with django_assert_num_queries(20 if n > 60 else 22):
        assert client.get(url, {"page": 2, "kind": "story"}).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_cycle_detail_query_budget(world, n, django_assert_num_queries) -> None:
    _fill(world, n)
    client = signed_in(world.manager)
    # 15 for the cycle itself, 1 for the systems the viewer works in (read once: their trust,
    # whether they may steer it, and which entries the phase counts count), 9 for the
    # connected-cycles panels (links, patterns and the button to them, barriers), 2 for the time
    # for learning (the time given, what was stopped), 1 for the open heads-up notes the viewer
    # may read (stewardship/partners).
    with django_assert_num_queries(28):
        assert client.get(f"/w/riverside/cycles/{world.cycle.pk}/").status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_cycle_list_query_budget(world, n, django_assert_num_queries) -> None:
    _fill(world, n)
    client = signed_in(world.author)
    with django_assert_num_queries(10):
        response = client.get("/w/riverside/cycles/")
    # the header, and the cast's two cycles (the team's and the organisation's above it)
    assert response.content.decode().count("<tr>") == n // 10 + 3


@pytest.mark.parametrize("n", SIZES)
def test_search_query_budget(world, n, django_assert_num_queries) -> None:
    _fill(world, n)
    client = signed_in(world.manager)
    with django_assert_num_queries(14):
        response = client.get("/w/riverside/search/", {"q": "housing letters"})
    assert "<mark>" in response.content.decode()
