"""The patterns view: what counts, what is suppressed, what links where, bad input, queries."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cycles.models import Entry
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role, Workspace
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.factories import (
    BarrierRouteFactory,
    ExperimentFactory,
    PersonFactory,
)
from tests.patterns.helpers import build_tree, entry, this_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(workspace, make_member):
    return make_member(workspace, Role.MANAGER, email="sam@riverside.test", full_name="Sam Ward")


@pytest.fixture
def tree(workspace, manager):
    with tenant_scope(workspace_id=workspace.pk):
        return build_tree(workspace, manager)


def url(tree, suffix="patterns/"):
    return f"/w/riverside/cycles/{tree.place.pk}/{suffix}"


def table_cell(response, theme_name):
    """The 'All months' cell of a theme row in the table, as text."""
    html = response.content.decode()
    row = html.split(f'<th scope="row">{theme_name}</th>')[1].split("</tr>")[0]
    cells = row.split("<td>")[1:]
    return cells


def cell_text(cell):
    """What a table cell says, without its markup."""
    return re.sub(r"<[^>]+>", "", cell.split("</td>")[0]).strip()


def month_and_total(response, theme_name):
    """(this month's cell, the 'All months' cell) of a theme's row, as text."""
    month = timezone.localdate().strftime("%Y-%m")
    cells = table_cell(response, theme_name)
    [this] = [c for c in cells if f"month={month}" in c]
    return cell_text(this), cell_text(cells[-2])


def chart(response, theme_name):
    """The small chart of a theme, as its SVG."""
    html = response.content.decode()
    return html.split(f'<span class="trend-name">{theme_name}</span>')[1].split("</svg>")[0]


def counted(html, name):
    """Whether a theme has a row in the table (its name also shows in the filter's options)."""
    return f'<th scope="row">{name}</th>' in html


def test_counts_shared_upward_entries_from_any_depth_and_links_them(workspace, manager, tree):
    when = this_month()  # read once: every entry and the month looked for agree at a month's end
    with tenant_scope(workspace_id=workspace.pk):
        for cycle in (tree.team_a, tree.team_b, tree.life):
            entry(workspace, cycle, themes=[tree.letters], when=when)
        entry(workspace, tree.elsewhere, themes=[tree.letters], when=when)  # not below
        entry(workspace, tree.place, themes=[tree.letters], when=when)  # itself
    response = signed_in(manager).get(url(tree))
    assert response.status_code == 200
    cells = table_cell(response, "Fear of letters")
    month = when.strftime("%Y-%m")
    assert f"theme={tree.letters.pk}" in cells[-2]
    assert ">3</a>" in cells[-2]
    assert f"month={month}" in "".join(cells)
    assert "Problems in common" in response.content.decode()


def test_private_team_and_cycle_entries_never_count(workspace, manager, tree):
    with tenant_scope(workspace_id=workspace.pk):
        for level in (ShareLevel.PRIVATE, ShareLevel.TEAM, ShareLevel.CYCLE):
            for _ in range(3):
                entry(workspace, tree.team_a, themes=[tree.letters], visibility=level)
        deleted = entry(workspace, tree.team_a, themes=[tree.letters])
        Entry.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    response = signed_in(manager).get(url(tree))
    assert not counted(response.content.decode(), "Fear of letters")
    drill = signed_in(manager).get(url(tree, "patterns/entries/") + f"?theme={tree.letters.pk}")
    assert drill.status_code == 200
    assert "None of the entries behind this number" in drill.content.decode()


def test_consent_caps_what_counts(workspace, manager, tree):
    with tenant_scope(workspace_id=workspace.pk):
        team_only = PersonFactory(workspace=workspace, consent_level=ShareLevel.TEAM)
        willing = PersonFactory(workspace=workspace, consent_level=ShareLevel.WORKSPACE)
        for _ in range(4):
            entry(workspace, tree.team_a, themes=[tree.letters], person=team_only)
        for _ in range(3):
            entry(workspace, tree.team_a, themes=[tree.hope], person=willing)
    html = signed_in(manager).get(url(tree)).content.decode()
    assert not counted(html, "Fear of letters")
    assert counted(html, "A home of my own")


def test_counts_under_the_threshold_are_suppressed_but_still_open_entries(workspace, manager, tree):
    with tenant_scope(workspace_id=workspace.pk):
        entry(workspace, tree.team_a, themes=[tree.letters], text="Two letters in one week.")
        entry(workspace, tree.team_b, themes=[tree.letters])
    response = signed_in(manager).get(url(tree))
    html = response.content.decode()
    # The cells themselves say so (the page's introduction always has those words).
    assert month_and_total(response, "Fear of letters") == ("fewer than 3", "fewer than 3")
    assert ">2</a>" not in html
    drill = signed_in(manager).get(url(tree, "patterns/entries/") + f"?theme={tree.letters.pk}")
    assert "Two letters in one week." in drill.content.decode()


def test_threshold_is_set_per_workspace(workspace, manager, tree):
    Workspace.objects.filter(pk=workspace.pk).update(small_count_threshold=5)
    with tenant_scope(workspace_id=workspace.pk):
        for _ in range(4):
            entry(workspace, tree.team_a, themes=[tree.letters])
    response = signed_in(manager).get(url(tree))
    html = response.content.decode()
    assert month_and_total(response, "Fear of letters") == ("fewer than 5", "fewer than 5")
    assert ">4</a>" not in html
    with tenant_scope(workspace_id=workspace.pk):
        entry(workspace, tree.team_a, themes=[tree.letters])
    at_five = signed_in(manager).get(url(tree))
    assert month_and_total(at_five, "Fear of letters") == ("5", "5")


@pytest.mark.parametrize(("n", "shown"), [(2, "fewer than 3"), (3, "3")])
def test_the_threshold_itself_is_shown_and_one_below_is_not(workspace, manager, tree, n, shown):
    """Exactly the threshold is a number; one below it is "fewer than"."""
    assert workspace.small_count_threshold == 3
    with tenant_scope(workspace_id=workspace.pk):
        for _ in range(n):
            entry(workspace, tree.team_a, themes=[tree.letters])
    response = signed_in(manager).get(url(tree))
    assert month_and_total(response, "Fear of letters") == (shown, shown)


def test_the_chart_never_shows_what_the_table_suppresses(workspace, manager, tree):
    """One or two entries draw the same hollow mark in the band; three, a filled one above."""
    drawn = {}
    with tenant_scope(workspace_id=workspace.pk):
        for _ in range(6):  # another theme sets the shared scale's peak, which stays put
            entry(workspace, tree.team_b, themes=[tree.hope])
        for n in (1, 2, 3):
            entry(workspace, tree.team_a, themes=[tree.letters])
            drawn[n] = chart(signed_in(manager).get(url(tree)), "Fear of letters")
    assert drawn[1] == drawn[2]
    assert 'class="trend-point suppressed"' in drawn[2]
    assert 'class="trend-point suppressed"' not in drawn[3]
    assert 'class="trend-point"' in drawn[3]
    assert drawn[3] != drawn[2]


def test_drill_down_shows_only_what_the_viewer_may_see(workspace, manager, tree, make_member):
    practitioner = make_member(workspace, Role.PRACTITIONER, email="p@riverside.test")
    with tenant_scope(workspace_id=workspace.pk):
        for i in range(3):
            entry(workspace, tree.team_a, themes=[tree.letters], text=f"Shared story {i}")
    drill_url = url(tree, "patterns/entries/") + f"?theme={tree.letters.pk}"
    assert "Shared story 1" in signed_in(manager).get(drill_url).content.decode()
    other = signed_in(practitioner)
    assert other.get(url(tree)).status_code == 200  # the numbers are open to every member
    assert "Shared story 1" not in other.get(drill_url).content.decode()


def test_month_drill_down_narrows_to_that_month(workspace, manager, tree):
    now = this_month()
    earlier = (now.replace(day=1) - dt.timedelta(days=40)).replace(day=5)
    with tenant_scope(workspace_id=workspace.pk):
        entry(workspace, tree.team_a, themes=[tree.letters], text="Now-ish", when=now)
        entry(workspace, tree.team_a, themes=[tree.letters], text="Long before", when=earlier)
    drill = signed_in(manager).get(
        url(tree, "patterns/entries/") + f"?theme={tree.letters.pk}&month={now:%Y-%m}"
    )
    html = drill.content.decode()
    assert "Now-ish" in html
    assert "Long before" not in html


def test_filters_child_system_scale_and_theme(workspace, manager, tree):
    with tenant_scope(workspace_id=workspace.pk):
        for _ in range(3):
            entry(workspace, tree.life, themes=[tree.letters])
            entry(workspace, tree.team_b, themes=[tree.hope])
    client = signed_in(manager)
    by_system = client.get(url(tree) + f"?system={tree.team_a.system_id}").content.decode()
    assert counted(by_system, "Fear of letters")
    assert not counted(by_system, "A home of my own")
    by_scale = client.get(url(tree) + f"?scale={tree.team_b.system.scale_id}").content.decode()
    assert counted(by_scale, "A home of my own")
    assert not counted(by_scale, "Fear of letters")
    by_theme = client.get(url(tree) + f"?theme={tree.hope.pk}").content.decode()
    assert counted(by_theme, "A home of my own")
    assert not counted(by_theme, "Fear of letters")


def test_an_impossible_period_says_so_beside_the_field_and_computes_nothing(
    workspace, manager, tree, django_assert_num_queries
):
    response = signed_in(manager).get(url(tree) + "?date_from=2025-05-01&date_to=2025-03-01")
    assert response.status_code == 400
    html = response.content.decode()
    assert "The period ends before it starts" in html
    assert 'id="id_date_to_error"' in html
    assert 'value="2025-05-01"' in html  # what was typed is kept
    assert "Themes over time" not in html
    bad_date = signed_in(manager).get(url(tree) + "?date_from=yesterday")
    assert bad_date.status_code == 400
    assert "Enter a date such as" in bad_date.content.decode()
    assert (
        signed_in(manager).get(url(tree, "patterns/entries/") + "?month=13-13").status_code == 400
    )
    too_long = signed_in(manager).get(url(tree) + "?date_from=2000-01-01&date_to=2025-01-01")
    assert too_long.status_code == 400


def test_portfolio_counts_outcomes_alike_and_shows_what_was_learnt(workspace, manager, tree):
    with tenant_scope(workspace_id=workspace.pk):
        for outcome in ("amplify", "adapt", "stop_learnt"):
            for _ in range(3):
                ExperimentFactory(
                    workspace=workspace,
                    cycle=tree.team_a,
                    status="ended",
                    outcome=outcome,
                    learnt=f"Learnt by {outcome}",
                    ended_at=timezone.now(),
                )
        ExperimentFactory(workspace=workspace, cycle=tree.elsewhere, status="running")
    response = signed_in(manager).get(url(tree))
    html = response.content.decode()
    for label in ("Ended: Amplify", "Ended: Adapt", "Ended: Stopped: learnt"):
        row = html.split(f'<th scope="row">{label}</th>')[1].split("</tr>")[0]
        assert ">3</a>" in row
    assert "Learnt by stop_learnt" in html
    running = html.split('<th scope="row">Running</th>')[1].split("</tr>")[0]
    assert "&ndash;" in running  # the running experiment elsewhere does not count
    drill = signed_in(manager).get(
        url(tree, "patterns/experiments/") + "?status=ended&outcome=stop_learnt"
    )
    assert drill.status_code == 200
    assert drill.content.decode().count("Learnt by stop_learnt") == 3
    assert (
        signed_in(manager).get(url(tree, "patterns/experiments/") + "?status=bogus").status_code
        == 400
    )


def test_stories_and_barriers_link_to_their_timelines(workspace, manager, tree):
    with tenant_scope(workspace_id=workspace.pk):
        story = entry(workspace, tree.team_a, kind="story", text="She kept the letters unopened.")
        barrier = entry(
            workspace, tree.team_b, kind="barrier", text="The allocation rule blocks moves."
        )
        BarrierRouteFactory(workspace=workspace, entry=barrier, to_cycle=tree.place)
        entry(workspace, tree.team_a, kind="story", text="A private one.", visibility=0)
    html = signed_in(manager).get(url(tree)).content.decode()
    assert "She kept the letters unopened." in html
    assert f"/cycles/{tree.team_a.pk}/timeline/#entry-{story.pk}" in html
    assert "The allocation rule blocks moves." in html
    assert "Raised (Place cycle)" in html
    assert "A private one." not in html


def test_a_cycle_with_nothing_below_says_so(workspace, manager, tree):
    response = signed_in(manager).get(f"/w/riverside/cycles/{tree.life.pk}/patterns/")
    assert response.status_code == 200
    assert "No cycles below this one yet" in response.content.decode()


@pytest.mark.parametrize("size", [10, 1000])
def test_query_budget_is_constant(workspace, manager, tree, size, django_assert_num_queries):
    with tenant_scope(workspace_id=workspace.pk):
        cycles = [tree.team_a, tree.team_b, tree.life]
        entries = Entry.objects.bulk_create(
            Entry(
                workspace=workspace,
                cycle=cycles[i % 3],
                kind=("story", "barrier", "idea")[i % 3],
                phase="understand",
                text=f"Entry {i}",
                visibility=ShareLevel.SHARED_UPWARD,
                author=manager.user,
            )
            for i in range(size)
        )
        from cycles.models import EntryTheme

        EntryTheme.objects.bulk_create(
            EntryTheme(workspace=workspace, entry=e, theme=(tree.letters, tree.hope)[i % 2])
            for i, e in enumerate(entries)
        )
        for e in entries[1:30:3]:
            BarrierRouteFactory(workspace=workspace, entry=e, to_cycle=tree.place)
        ExperimentFactory.create_batch(5, workspace=workspace, cycle=tree.team_a)
    client = signed_in(manager)
    with django_assert_num_queries(25):  # the entries behind the numbers read once
        assert client.get(url(tree)).status_code == 200
    with django_assert_num_queries(17):
        response = client.get(url(tree, "patterns/entries/") + f"?theme={tree.letters.pk}")
        assert response.status_code == 200
    with django_assert_num_queries(13):
        assert client.get(url(tree, "patterns/experiments/")).status_code == 200


def test_a_total_that_would_give_away_a_suppressed_count_is_not_shown(workspace, manager, tree):
    """Five this month and one earlier: the total (6) minus the visible 5 would reveal the 1."""
    now = this_month()
    earlier = (now.replace(day=1) - dt.timedelta(days=40)).replace(day=5)
    with tenant_scope(workspace_id=workspace.pk):
        for _ in range(5):
            entry(workspace, tree.team_a, themes=[tree.letters], when=now)
        entry(workspace, tree.team_a, themes=[tree.letters], when=earlier)
    response = signed_in(manager).get(url(tree))
    html = response.content.decode()
    assert ">5</a>" in html
    cells = [cell_text(c) for c in table_cell(response, "Fear of letters")]
    assert "fewer than 3" in cells  # the earlier month's one
    assert cells[-2] == "not shown (it would reveal a small number)"
