"""Query budgets: the cycle page (with the links panel and learnt nearby), the links page and
the lineage page cost the same for 10 links/entries as for 1,000."""

import pytest

from cycles.models import Cycle, CycleLink, Entry, EntrySource, Experiment
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.conftest import signed_in

SIZES = [10, 1000]


def _fill(world, n):
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        others = Cycle.objects.bulk_create(
            [
                Cycle(workspace=ws, system=world.south, name=f"Peer {i}", purpose="p")
                for i in range(n)
            ]
        )
        CycleLink.objects.bulk_create(
            [
                CycleLink(
                    workspace=ws,
                    cycle=world.north_cycle,
                    other=c,
                    kind="peer" if i % 2 else "parent",
                    reason=f"reason {i}",
                    created_by=world.north_member.user,
                )
                for i, c in enumerate(others)
            ]
        )
        entries = Entry.objects.bulk_create(
            [
                Entry(
                    workspace=ws,
                    cycle=others[1],
                    kind="story",
                    phase="understand",
                    text=f"Story {i}",
                    author=world.south_member.user,
                    visibility=ShareLevel.WORKSPACE if i % 2 else ShareLevel.PRIVATE,
                )
                for i in range(n)
            ]
        )
        Experiment.objects.bulk_create(
            [
                Experiment(
                    workspace=ws,
                    cycle=others[1],
                    title=f"E{i}",
                    what_we_will_try="x",
                    status="ended",
                    learnt="y",
                    copied_from=None,
                )
                for i in range(n)
            ]
        )
        insight = Entry.objects.create(
            workspace=ws,
            cycle=world.north_cycle,
            kind="insight",
            phase="understand",
            text="Insight",
            author=world.north_member.user,
        )
        own = Entry.objects.bulk_create(
            [
                Entry(
                    workspace=ws,
                    cycle=world.sub_cycle,
                    kind="story",
                    phase="understand",
                    text=f"Below {i}",
                    visibility=ShareLevel.WORKSPACE,
                    author=world.north_member.user,
                )
                for i in range(n)
            ]
        )
        EntrySource.objects.bulk_create(
            [EntrySource(workspace=ws, entry=insight, source_entry=e) for e in own]
            + [EntrySource(workspace=ws, entry=e, source_entry=insight) for e in entries[1::2]]
        )
    return insight


@pytest.mark.parametrize("n", SIZES)
def test_cycle_page_budget(world, n, django_assert_num_queries):
    _fill(world, n)
    client = signed_in(world.north_member)
    # with whether it has cycles below (Patterns below) and the open heads-up notes
    with django_assert_num_queries(34):
        response = client.get(f"/w/riverside/cycles/{world.north_cycle.pk}/")
    assert response.status_code == 200
    assert f"Story {n - 1}" in response.content.decode()


@pytest.mark.parametrize("n", SIZES)
def test_links_page_budget(world, n, django_assert_num_queries):
    _fill(world, n)
    client = signed_in(world.north_member)
    with django_assert_num_queries(14):
        response = client.get(f"/w/riverside/cycles/{world.north_cycle.pk}/links/")
    assert response.status_code == 200
    assert "reason 1" in response.content.decode()


@pytest.mark.parametrize("n", SIZES)
def test_lineage_page_budget(world, n, django_assert_num_queries):
    insight = _fill(world, n)
    client = signed_in(world.north_member)
    with django_assert_num_queries(24):
        response = client.get(f"/w/riverside/entries/{insight.pk}/lineage/")
    assert response.status_code == 200
    assert "Below 1" in response.content.decode()
