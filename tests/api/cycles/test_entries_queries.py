"""The entries list costs the same exact number of queries on its first page, on a deep cursor
page and for `updated_since`, for 40 entries as for 400 (issue 14)."""

import datetime as dt

import pytest
from django.utils import timezone

from cycles.models import Entry, EntryTheme, Theme
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.api.cycles.conftest import count_queries

pytestmark = pytest.mark.django_db

URL = "/api/v1/entries/"
BUDGET = 13  # whatever the page: a cursor or `updated_since` adds no query


def _add(world, n: int) -> None:
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        theme = Theme.objects.create(workspace=ws, name=f"Theme {n}", kind="problem")
        entries = Entry.objects.bulk_create(
            Entry(
                workspace=ws, cycle=(world.cycle, world.upper)[i % 2],
                author=(world.admin.user, world.author.user)[i % 2], kind="story",
                phase="understand", text=f"Step {i}", visibility=ShareLevel.SHARED_UPWARD,
            )
            for i in range(n)
        )  # fmt: skip
        EntryTheme.objects.bulk_create(
            EntryTheme(workspace=ws, entry=e, theme=theme) for e in entries
        )


def _pages(api) -> list[int]:
    """Queries of: the first page, the third page (two cursors on), and `updated_since`."""
    counts = []
    with count_queries() as first:
        page = api.get(URL, {"page_size": 10}).json()
    counts.append(len(first.captured_queries))
    second = api.get(page["next"]).json()
    with count_queries() as deep:
        third = api.get(second["next"])
    assert third.status_code == 200
    assert len(third.json()["results"]) == 10
    counts.append(len(deep.captured_queries))
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    with count_queries() as updated:
        assert api.get(URL, {"updated_since": since, "page_size": 10}).status_code == 200
    counts.append(len(updated.captured_queries))
    return counts


@pytest.mark.parametrize("n", [40, 400])
def test_first_deep_and_updated_since_pages_cost_the_same(api, world, n):
    _add(world, n)
    api.get(URL)  # the key's first use is recorded once
    assert _pages(api) == [BUDGET, BUDGET, BUDGET]


@pytest.mark.parametrize("own", [True, False], ids=["own entries", "others' entries"])
def test_a_page_costs_the_same_whoever_wrote_its_entries(api, world, own):
    """Whether the caller may see an author named is read from each entry's cycle: a page of
    others' unsigned entries in several cycles must not load each entry's cycle on its own."""
    ws = world.workspace
    author = world.admin.user if own else world.author.user
    with tenant_scope(workspace_id=ws.pk):
        Entry.objects.bulk_create(
            Entry(
                workspace=ws, cycle=(world.cycle, world.upper)[i % 2], author=author,
                kind="story", phase="understand", text=f"Step {i}",
                visibility=ShareLevel.SHARED_UPWARD,
            )
            for i in range(30)
        )  # fmt: skip
    api.get(URL)  # the key's first use is recorded once
    assert _pages(api) == [BUDGET, BUDGET, BUDGET]
