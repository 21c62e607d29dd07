"""The patterns read model (`patterns_summary`): small counts suppressed and totals withheld
once, for generated data, and the web page and the API presenting the same numbers.

What may be shown, whatever the data:
- no number shown is under the threshold, unless it is zero;
- a total shown is the sum of its parts (a theme's months; the months' totals), and a month's
  total is at least each theme's count that month (an entry counts under each of its themes);
- a number that hides something can never be worked out by subtracting what is shown from a
  total shown: a total is shown only when none of its parts hides anything.
"""

import datetime as dt
import re
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cycles.models import Entry, EntryTheme, Experiment
from cycles.patterns import selectors
from cycles.patterns.selectors import PatternFilter, PatternsSummary, ShownCount, ThemeRow
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from systems.models import Person, ShareLevel
from tests.factories import ExperimentFactory, PersonFactory
from tests.patterns.helpers import build_tree

pytestmark = pytest.mark.django_db


def all_counts(summary: PatternsSummary) -> list[ShownCount]:
    return [
        *(cell for theme in summary.themes for cell in theme.cells),
        *(theme.total for theme in summary.themes),
        *summary.month_totals,
        summary.total,
        summary.stories,
        summary.barriers,
        *(row.count for row in summary.portfolio),
    ]


def assert_nothing_small_or_recoverable(summary: PatternsSummary) -> None:
    threshold = summary.threshold
    for count in all_counts(summary):
        assert count.threshold == threshold
        assert (count.shown is None) == count.hides
        if count.shown is not None:
            assert count.shown == count.n
            assert count.shown == 0 or count.shown >= threshold, count
        if count.suppressed:
            assert 0 < count.n < threshold

    def totals_with_parts():
        for theme in summary.themes:
            yield theme.total, theme.cells, True
        for i, month_total in enumerate(summary.month_totals):
            yield month_total, [theme.cells[i] for theme in summary.themes], False
        yield summary.total, summary.month_totals, True

    for total, parts, is_sum in totals_with_parts():
        if is_sum:
            assert total.n == sum(part.n for part in parts)
        else:  # a month's entries, whatever their themes: at least each theme's count
            assert all(total.n >= part.n for part in parts)
        hidden = [part for part in parts if part.hides]
        if total.shown is not None:
            # Shown, a total minus the shown parts would give a hidden part away: so none is.
            assert hidden == [], (total, parts)
            if is_sum:
                assert total.shown == sum(part.shown for part in parts)
        elif hidden and total.n > 0 and not total.suppressed:
            assert total.withheld


# The rule itself, on generated numbers (no database) ----------------------------------------


@st.composite
def numbers(draw):
    n_months = draw(st.integers(min_value=1, max_value=6))
    months = [dt.date(2025, 1 + i, 1) for i in range(n_months)]
    small = st.integers(min_value=0, max_value=9)
    values = draw(
        st.lists(st.lists(small, min_size=n_months, max_size=n_months), min_size=0, max_size=5)
    )
    # A month's entries: at least the most any theme has that month, plus some without themes.
    totals = {m: max([row[i] for row in values] or [0]) + draw(small) for i, m in enumerate(months)}
    statuses = st.sampled_from(list(Experiment.Status.values))
    outcomes = st.sampled_from(["", *Experiment.Outcome.values])
    portfolio = draw(st.dictionaries(st.tuples(statuses, outcomes), small, max_size=6))
    return {
        "threshold": draw(st.integers(min_value=1, max_value=6)),
        "months": months,
        "values": values,
        "totals": {m: n for m, n in totals.items() if n},
        "portfolio": portfolio,
        "stories": draw(small),
        "barriers": draw(small),
    }


@settings(max_examples=300, deadline=None)
@given(data=numbers())
def test_the_rule_never_shows_a_small_count_nor_lets_one_be_worked_out(data):
    rows = [
        ThemeRow(
            i,
            f"Theme {i:02d}",
            "problem",
            {m: n for m, n in zip(data["months"], row, strict=True) if n},
        )
        for i, row in enumerate(data["values"])
    ]
    summary = selectors.summarise(
        threshold=data["threshold"],
        months=data["months"],
        rows=rows,
        totals=data["totals"],
        portfolio=data["portfolio"],
        stories=data["stories"],
        barriers=data["barriers"],
    )
    assert_nothing_small_or_recoverable(summary)
    assert [[cell.n for cell in theme.cells] for theme in summary.themes] == data["values"]
    assert [t.n for t in summary.month_totals] == [data["totals"].get(m, 0) for m in data["months"]]
    ended = {
        outcome: n
        for (status, outcome), n in data["portfolio"].items()
        if status == Experiment.Status.ENDED
    }
    for row in summary.portfolio:
        if row.status == Experiment.Status.ENDED:
            assert row.count.n == ended.get(row.outcome, 0)
        else:
            assert row.count.n == sum(
                n for (status, _o), n in data["portfolio"].items() if status == row.status
            )


# The selector on generated entries, and both surfaces ---------------------------------------


entries_strategy = st.lists(
    st.tuples(
        st.sampled_from(["team_a", "team_b", "life", "elsewhere"]),  # cycle
        st.integers(min_value=0, max_value=4),  # visibility
        st.sampled_from([None, 2, 3, 4]),  # the person's consent (None: no person)
        st.sets(st.sampled_from(["letters", "hope"]), max_size=2),  # themes
        st.integers(min_value=0, max_value=2),  # months ago
        st.sampled_from(["story", "barrier", "idea"]),
        st.booleans(),  # deleted
    ),
    min_size=4,
    max_size=18,
)


def _months_ago(today: dt.date, n: int) -> dt.date:
    day = today.replace(day=1)
    for _ in range(n):
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return day + dt.timedelta(days=min(9, today.day - 1) if n == 0 else 9)


WEB_WORDS = [
    (re.compile(r"fewer than \d+"), "suppressed"),
    (re.compile(r"not shown"), "withheld"),
]


def _web_value(cell_html: str):
    text = re.sub(r"<[^>]+>", "", cell_html).strip()
    if "aria-label" in cell_html and "count-none" in cell_html:
        return 0
    for pattern, word in WEB_WORDS:
        if pattern.search(text):
            return word
    return int(text)


def _api_value(count: dict):
    if count["count"] is not None:
        return count["count"]
    return "suppressed" if count["suppressed"] else "withheld"


def _web_table(html: str) -> tuple[list[tuple[str, list]], list]:
    """The themes' rows (name, cells with the total last) and the month totals' row."""
    if 'class="pattern-table"' not in html:
        return [], []
    table = html.split('class="pattern-table"')[1].split("</table>")[0]
    body, foot = table.split("<tbody>")[1].split("</tbody>")
    rows = []
    for row in body.split("<tr>")[1:]:
        name = re.search(r'<th scope="row">(.*?)</th>', row).group(1)
        cells = [_web_value(c) for c in re.findall(r"<td>(.*?)</td>", row) if "Ask back" not in c]
        rows.append((name, _oldest_first(cells)))
    foot_cells = [c for c in re.findall(r"<td>(.*?)</td>", foot) if c]
    return rows, _oldest_first([_web_value(c) for c in foot_cells])


def _oldest_first(cells: list) -> list:
    """A row of the table (the newest month first, then the total) in the summary's order."""
    return [*cells[-2::-1], cells[-1]]


@pytest.fixture
def cast(workspace, make_member):
    """A manager working in the place system, and the tree below it (set up once for all the
    examples of a test)."""
    membership = make_member(workspace, Role.MANAGER)
    with tenant_scope(workspace_id=workspace.pk):
        return membership, build_tree(workspace, membership)


def _heading_count(html: str, heading_id: str):
    section = html.split(f'id="{heading_id}"')[1].split("</h2>")[0]
    return _web_value(section.split('class="heading-count">(')[1].rsplit(")</span>", 1)[0])


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=entries_strategy, threshold=st.integers(min_value=2, max_value=4))
def test_the_summary_of_generated_entries_and_both_surfaces(workspace, cast, data, threshold):
    membership, tree = cast
    workspace.small_count_threshold = threshold
    workspace.save(update_fields=["small_count_threshold"])
    today = timezone.localdate()  # read once: the period and the entries agree at a month's end
    date_from = _months_ago(today, 2).replace(day=1)
    cycles = {"team_a": tree.team_a, "team_b": tree.team_b, "life": tree.life}
    cycles["elsewhere"] = tree.elsewhere
    themes = {"letters": tree.letters, "hope": tree.hope}

    expected_cells: Counter = Counter()
    expected_months: Counter = Counter()
    expected_kinds: Counter = Counter()
    with tenant_scope(workspace_id=workspace.pk):
        for cycle, visibility, consent, theme_names, ago, kind, deleted in data:
            person = (
                PersonFactory(workspace=workspace, consent_level=consent)
                if consent is not None
                else None
            )
            made = Entry.objects.create(
                workspace=workspace,
                cycle=cycles[cycle],
                kind=kind,
                phase="understand",
                text="x",
                author=membership.user,
                visibility=visibility,
                person=person,
                happened_on=_months_ago(today, ago),
                deleted_at=timezone.now() if deleted else None,
            )
            for name in theme_names:
                EntryTheme.objects.create(workspace=workspace, entry=made, theme=themes[name])
            level = visibility if consent is None else min(visibility, consent)
            if cycle == "elsewhere" or deleted or level < ShareLevel.SHARED_UPWARD:
                continue
            month = made.happened_on.replace(day=1)
            expected_months[month] += 1
            expected_kinds[kind] += 1
            for name in theme_names:
                expected_cells[(themes[name].pk, month)] += 1
        ExperimentFactory(workspace=workspace, cycle=tree.team_a)

        f = PatternFilter(date_from=date_from, date_to=today)
        ids = selectors.below_ids(workspace=workspace, cycle=tree.place)
        summary = selectors.patterns_summary(workspace=workspace, cycle_ids=ids, f=f)

    assert_nothing_small_or_recoverable(summary)
    assert summary.threshold == threshold
    assert {
        (theme.theme_id, month): cell.n
        for theme in summary.themes
        for month, cell in zip(summary.months, theme.cells, strict=True)
        if cell.n
    } == dict(expected_cells)
    assert {m: t.n for m, t in zip(summary.months, summary.month_totals, strict=True) if t.n} == (
        dict(expected_months)
    )
    assert summary.stories.n == expected_kinds["story"]
    assert summary.barriers.n == expected_kinds["barrier"]

    # The web page and the API show the same numbers, hidden the same way.
    period = {"date_from": date_from.isoformat(), "date_to": today.isoformat()}
    client = Client()
    client.force_login(membership.user)
    page = client.get(f"/w/{workspace.slug}/cycles/{tree.place.pk}/patterns/", period)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Themes over time" in html  # the page rendered its table section
    api = client.get(
        f"/api/v1/cycles/{tree.place.pk}/patterns/", period, headers={"X-Workspace": workspace.slug}
    )
    assert api.status_code == 200, api.content
    body = api.json()
    web_rows, web_foot = _web_table(html)
    api_rows = [
        (
            theme["name"],
            [*(_api_value(m["count"]) for m in theme["months"]), _api_value(theme["total"])],
        )
        for theme in body["themes"]
    ]
    assert web_rows == api_rows
    expected_rows = [
        (
            theme.name,
            [*(_shown_or_hidden(c) for c in theme.cells), _shown_or_hidden(theme.total)],
        )
        for theme in summary.themes
    ]
    assert api_rows == expected_rows
    if web_rows:
        api_foot = [
            *(_api_value(m["count"]) for m in body["month_totals"]),
            _api_value(body["total"]),
        ]
        assert (
            web_foot
            == api_foot
            == [
                *(_shown_or_hidden(t) for t in summary.month_totals),
                _shown_or_hidden(summary.total),
            ]
        )
    assert _api_value(body["stories"]) == _shown_or_hidden(summary.stories)
    assert _heading_count(html, "stories-heading") == _api_value(body["stories"])
    assert _api_value(body["barriers"]) == _shown_or_hidden(summary.barriers)
    assert _heading_count(html, "barriers-heading") == _api_value(body["barriers"])

    # Clean up for the next example (the same test transaction).
    with tenant_scope(workspace_id=workspace.pk):
        Entry.objects.filter(workspace=workspace).delete()
        Experiment.objects.filter(workspace=workspace).delete()
        Person.objects.filter(workspace=workspace).delete()


def _hidden(count: ShownCount) -> str:
    return "suppressed" if count.suppressed else "withheld"


def _shown_or_hidden(count: ShownCount):
    return count.shown if count.shown is not None else _hidden(count)
