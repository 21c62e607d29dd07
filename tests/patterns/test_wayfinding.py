"""Finding and reading patterns (issue 13): the navigation's Patterns goes to the patterns below
the highest cycle the member holds, or a chooser; a cycle with cycles below links to its
patterns from the top of its page; the table and the charts carry every count as text."""

import re

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.formats import date_format

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.conftest import signed_in
from tests.patterns.helpers import build_tree, entry, join

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(workspace, make_member):
    manager = make_member(workspace, Role.MANAGER, email="sam@riverside.test")
    with tenant_scope(workspace_id=workspace.pk):
        tree = build_tree(workspace, manager)
    tree.manager = manager
    return tree


def test_patterns_go_to_the_highest_cycle_held(workspace, tree):
    with tenant_scope(workspace_id=workspace.pk):
        join(workspace, tree.team_a, tree.manager)  # the manager holds the team and the place
    client = signed_in(tree.manager)

    response = client.get("/w/riverside/patterns/")

    assert response.status_code == 302
    assert response["Location"] == f"/w/riverside/cycles/{tree.place.pk}/patterns/"


def test_holding_no_cycle_with_cycles_below_offers_a_chooser(
    workspace, tree, make_member, django_assert_num_queries
):
    viewer = signed_in(make_member(workspace, Role.VIEWER))
    # 8 for any workspace page (user, tenancy's scope and membership, the transaction), the
    # viewer's trust, and the cycles with cycles below (whatever their number)
    with django_assert_num_queries(10):
        response = viewer.get("/w/riverside/patterns/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Below the workspace's cycles" in html
    names = re.findall(r'patterns/">Patterns below (.*?)</a>', html)
    # highest scale first: the place, then the team with a person's life below it (the
    # other place and team have nothing below them)
    assert names == ["Place cycle", "Alder cycle"]
    assert "Below the cycles you take part in" not in html


def test_choose_lists_the_members_own_cycles_first(workspace, tree):
    html = signed_in(tree.manager).get("/w/riverside/patterns/?choose=1").content.decode()
    yours, others = html.split("Below other cycles")
    assert f"/cycles/{tree.place.pk}/patterns/" in yours
    assert f"/cycles/{tree.team_a.pk}/patterns/" in others
    assert f"/cycles/{tree.team_b.pk}/patterns/" not in html  # nothing below it


def test_a_cycle_with_cycles_below_links_to_its_patterns_at_the_top(workspace, tree):
    client = signed_in(tree.manager)
    place = client.get(f"/w/riverside/cycles/{tree.place.pk}/").content.decode()
    team_b = client.get(f"/w/riverside/cycles/{tree.team_b.pk}/").content.decode()

    head = place.split('<div class="page-head">')[1].split("</div>")[0]
    assert f'href="/w/riverside/cycles/{tree.place.pk}/patterns/">Patterns below</a>' in head
    assert (
        ">Patterns below</a>" not in team_b.split('<div class="page-head">')[1].split("</div>")[0]
    )


def test_each_months_count_is_written_as_text_in_the_table_and_the_chart(workspace, tree):
    first_of_month = timezone.localtime().replace(day=1, hour=12)
    with tenant_scope(workspace_id=workspace.pk):
        for months_ago, n in ((0, 3), (1, 5), (3, 1)):
            for _ in range(n):
                when = first_of_month - relativedelta(months=months_ago)
                entry(workspace, tree.team_a, themes=[tree.letters], when=when)
    html = signed_in(tree.manager).get(f"/w/riverside/cycles/{tree.place.pk}/patterns/")
    html = html.content.decode()
    table = html.split('class="pattern-table"')[1].split("</table>")[0]

    headers = re.findall(r'<th scope="col">(.*?)</th>', table)
    today = timezone.localdate()
    newest_first = [date_format(today - relativedelta(months=i), "M Y") for i in range(12)]
    assert headers[1:13] == newest_first
    foot = table.split("<tfoot>")[1]
    shown = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", foot)]
    assert shown[:4] == ["3", "5", "&ndash;", "fewer than 3"]
    # The chart draws oldest to newest, each point labelled; the suppressed one "<3", not 1.
    labels = re.findall(r'<text class="trend-count"[^>]*>(.*?)</text>', html)
    assert labels == ["&lt;3", "5", "3"]
