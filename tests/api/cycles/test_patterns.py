"""Patterns over the API: the web's small-count suppression and withheld totals, links to the
entries behind each number (only those the caller may see), no per-person counts."""

from django.utils import timezone

from cycles.models import Entry
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.api.conftest import client_for
from tests.api.cycles.conftest import count_queries
from tests.factories import EntryFactory, EntryThemeFactory, ThemeFactory


def _shared(world, theme, n, visibility=ShareLevel.SHARED_UPWARD, happened_on=None):
    made = []
    with tenant_scope(workspace_id=world.workspace.pk):
        for _ in range(n):
            entry = EntryFactory(
                workspace=world.workspace,
                cycle=world.cycle,
                author=world.author.user,
                visibility=visibility,
                **({"happened_on": happened_on} if happened_on else {}),
            )
            EntryThemeFactory(workspace=world.workspace, entry=entry, theme=theme)
            made.append(entry)
    return made


def test_small_counts_are_suppressed_and_totals_withheld(api, world):
    threshold = world.workspace.small_count_threshold
    with tenant_scope(workspace_id=world.workspace.pk):
        big = ThemeFactory(workspace=world.workspace, name="Letters")
        small = ThemeFactory(workspace=world.workspace, name="Bailiffs")
    # Read once: the entries' day and the month looked for agree even at a month's end (the
    # page's twelve months still hold it if the request runs on the 1st).
    today = timezone.localdate()
    _shared(world, big, threshold + 1, happened_on=today)
    _shared(world, small, threshold - 1, happened_on=today)
    # Not shared upward: never counted.
    _shared(world, big, 2, visibility=ShareLevel.CYCLE, happened_on=today)
    response = api.get(f"/api/v1/cycles/{world.upper.pk}/patterns/")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["threshold"] == threshold
    month = today.strftime("%Y-%m")
    by_name = {row["name"]: row for row in data["themes"]}
    big_cell = next(c for c in by_name["Letters"]["months"] if c["month"] == month)["count"]
    assert big_cell["count"] == threshold + 1
    assert big_cell["suppressed"] is False
    small_cell = next(c for c in by_name["Bailiffs"]["months"] if c["month"] == month)["count"]
    assert small_cell["count"] is None
    assert small_cell["suppressed"] is True
    assert by_name["Bailiffs"]["total"]["count"] is None
    month_total = next(c for c in data["month_totals"] if c["month"] == month)["count"]
    assert month_total["count"] is None
    assert month_total["withheld"] is True
    assert data["total"]["count"] is None
    assert "author" not in str(data)

    # The link behind the big number lists its entries the caller may see.
    behind = api.get(big_cell["entries"])
    assert behind.status_code == 200, behind.json()
    with tenant_scope(workspace_id=world.workspace.pk):
        expected = set(
            Entry.objects.filter(
                entrytheme__theme=big, visibility=ShareLevel.SHARED_UPWARD
            ).values_list("pk", flat=True)
        )
    # The admin works in the organisation's cycle (above), so sees what was shared upward.
    assert {row["id"] for row in behind.json()["results"]} <= expected


def test_drill_down_shows_only_what_the_caller_may_see(api, world, make_member):
    with tenant_scope(workspace_id=world.workspace.pk):
        theme = ThemeFactory(workspace=world.workspace)
    entries = _shared(world, theme, 4)
    url = f"/api/v1/cycles/{world.upper.pk}/patterns/entries/"
    seen = {row["id"] for row in api.get(url, {"theme": theme.pk}).json()["results"]}
    from cycles.selectors import entries_visible_to

    with tenant_scope(workspace_id=world.workspace.pk):
        visible = set(
            entries_visible_to(workspace=world.workspace, user=world.admin.user).values_list(
                "pk", flat=True
            )
        )
    assert seen == {e.pk for e in entries} & visible


def test_bad_filters_and_outsiders(api, outsider_api, world, admin, make_key):
    url = f"/api/v1/cycles/{world.upper.pk}/patterns/"
    assert api.get(url, {"date_from": "soon"}).status_code == 400
    assert api.get(url, {"date_from": "2025-05-01", "date_to": "2025-01-01"}).status_code == 400
    assert api.get(url, {"theme": "x"}).status_code == 400
    assert api.get(f"{url}entries/", {"month": "May"}).status_code == 400
    assert outsider_api.get(url).status_code == 404
    assert outsider_api.get(f"{url}entries/").status_code == 404
    assert client_for(make_key(admin, ["systems:read"])).get(url).status_code == 403


def test_patterns_query_count_is_constant(api, world):
    with tenant_scope(workspace_id=world.workspace.pk):
        themes = [ThemeFactory(workspace=world.workspace) for _ in range(20)]
    url = f"/api/v1/cycles/{world.upper.pk}/patterns/"
    _shared(world, themes[0], 2)
    api.get(url)
    with count_queries() as small:
        assert len(api.get(url).json()["themes"]) == 1
    for theme in themes[1:]:
        _shared(world, theme, 1)
    with count_queries() as large:
        assert len(api.get(url).json()["themes"]) == 20
    assert len(large.captured_queries) == len(small.captured_queries) == 13
