"""The signifiers' pages: a story saved in a cycle with a set leads its teller to place it; the
placing form keeps what was typed and says beside the signifier what does not fit; the placed
stories are seen exactly as widely as their stories (the trust relation matrix of entries,
tests/cycles/test_visibility.py), each dot links to a story the viewer may read and never to
another; small groups are not shown; and the page costs the same queries whatever the number
of stories."""

from __future__ import annotations

import re

import pytest

from cycles.models import Entry, EntryTheme, Placement, SignifierSet
from cycles.signifiers import services
from hls.tenancy.context import tenant_scope
from systems.models import ShareLevel
from tests.conftest import signed_in
from tests.cycles.test_visibility import CASES, expected
from tests.factories import CycleMemberFactory, EntryFactory, PersonFactory, ThemeFactory
from tests.signifiers.helpers import FULL_SET, PLACED, TRIAD_SET, attach, placed_story

pytestmark = pytest.mark.django_db
W = "/w/riverside/"
DOT = re.compile(r'<a class="plot-dot" href="([^"]+)" data-entry="(\d+)">')


def _dots(html: bytes) -> set[int]:
    return {int(m.group(2)) for m in DOT.finditer(html.decode())}


def _threshold(workspace, n: int) -> None:
    workspace.small_count_threshold = n
    workspace.save(update_fields=["small_count_threshold"])


# Story capture ---------------------------------------------------------------------------------


def test_saving_a_story_in_a_cycle_with_a_set_leads_to_placing_it(world) -> None:
    ws, team = world.workspace, world.team
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, team.user)
    client = signed_in(team)
    post = {"cycle": world.cycle.pk, "kind": "story", "text": "She found the door open",
            "visibility": ShareLevel.TEAM, "happened_on": "2026-03-02",
            "next": "/w/riverside/"}  # fmt: skip
    response = client.post(f"{W}log/", post)
    with tenant_scope(workspace_id=ws.pk):
        entry = Entry.objects.get(text="She found the door open")
    assert response.status_code == 302
    assert response["Location"] == f"{W}entries/{entry.pk}/place/?next=%2Fw%2Friverside%2F"
    # an observation, or a story in a cycle with no set, goes where it went before
    response = client.post(f"{W}log/", {**post, "kind": "observation", "text": "Noted"})
    assert response["Location"] == "/w/riverside/"
    response = client.post(f"{W}log/", {**post, "cycle": world.upper.pk, "text": "Above"})
    assert response["Location"] == "/w/riverside/"


def test_the_timeline_inline_form_offers_placing_the_new_story(world) -> None:
    ws, team = world.workspace, world.team
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, team.user)
    response = signed_in(team).post(
        f"{W}log/",
        {"cycle": world.cycle.pk, "kind": "story", "text": "Inline story", "inline": "1",
         "visibility": ShareLevel.TEAM, "happened_on": "2026-03-02"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert response.status_code == 200
    with tenant_scope(workspace_id=ws.pk):
        entry = Entry.objects.get(text="Inline story")
    assert f"{W}entries/{entry.pk}/place/?next=".encode() in response.content
    assert b"Place your story" in response.content


def test_placing_a_story_with_the_form(world) -> None:
    ws, team = world.workspace, world.team
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, team.user)
        person = PersonFactory(workspace=ws, system=world.system)
        story = EntryFactory(workspace=ws, cycle=world.cycle, author=team.user, kind="story",
                             person=person)  # fmt: skip
    client = signed_in(team)
    url = f"{W}entries/{story.pk}/place/?next=/w/riverside/cycles/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("helped__a", "helped__b", "helped__c", "helped__na", "felt__x", "who",
                 "who__na", "with_person", "revision"):  # fmt: skip
        assert f'name="{name}"' in html
    assert 'type="range"' in html
    assert "js/signifiers.js" in html
    response = client.post(url, {
        "revision": "0", "helped__a": "60", "helped__b": "30", "helped__c": "10",
        "felt__x": "80", "pace__na": "on", "who": ["Family", "Staff"], "with_person": "on",
        "next": "/w/riverside/cycles/",
    })  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == "/w/riverside/cycles/"
    with tenant_scope(workspace_id=ws.pk):
        placed = Placement.objects.select_related("version").get(entry=story)
    assert placed.data == {"helped": {"a": 0.6, "b": 0.3, "c": 0.1}, "felt": {"x": 0.8},
                           "pace": "na", "who": ["Family", "Staff"]}  # fmt: skip
    assert (placed.with_person, placed.placed_by, placed.version.version) == (True, team.user, 1)
    # the page shows it again as placed
    again = client.get(url).content.decode()
    assert 'value="60.0"' in again
    assert "Take my placement back" in again


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"helped__a": "70", "helped__b": "30", "helped__c": "20"}, "helped__a",
         "The three shares add up to 120"),
        ({"helped__a": "-10", "helped__b": "60", "helped__c": "50"}, "helped__a",
         "A share cannot be below 0%"),
        ({"helped__a": "70", "helped__b": "30"}, "helped__a", "Give all three shares"),
        ({}, "helped__a", "Place the story here, or say it does not apply."),
        ({"helped__na": "on", "felt__x": "150"}, "felt__x", "less than or equal to 100"),
        ({"helped__na": "on", "who": ["Neighbours"]}, "who", "Select a valid choice"),
    ],
)  # fmt: skip
def test_bad_placements_are_said_beside_the_signifier_and_kept(world, post, field, message):
    ws, team = world.workspace, world.team
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, team.user)
        story = EntryFactory(workspace=ws, cycle=world.cycle, author=team.user, kind="story")
    base = {"revision": "0", "felt__x": "50", "pace__na": "on", "who__na": "on"}
    response = signed_in(team).post(f"{W}entries/{story.pk}/place/", {**base, **post})
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'id="id_{field}_error">([^<]*)<', html)
    assert error is not None, html
    assert message in error.group(1)
    for name, value in post.items():
        if isinstance(value, str) and name.endswith(("__a", "__b", "__c")):
            assert f'name="{name}" value="{value}"' in html or f'value="{value}"' in html
    with tenant_scope(workspace_id=ws.pk):
        assert not Placement.objects.exists()


def test_a_story_or_cycle_with_nothing_to_place_says_so(world) -> None:
    ws, team = world.workspace, world.team
    with tenant_scope(workspace_id=ws.pk):
        story = EntryFactory(workspace=ws, cycle=world.cycle, author=team.user, kind="story")
        note = EntryFactory(workspace=ws, cycle=world.cycle, author=team.user, kind="idea")
    client = signed_in(team)
    assert b"offers no signifiers" in client.get(f"{W}entries/{story.pk}/place/").content
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, team.user)
    assert b"Only stories" in client.get(f"{W}entries/{note.pk}/place/").content


def test_two_tabs_placing_at_once_is_a_conflict_with_both_versions(world) -> None:
    ws, team = world.workspace, world.team
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, team.user, definition=TRIAD_SET)
        story, placed = placed_story(ws, world.cycle, team.user, data={"helped": "na"})
    response = signed_in(team).post(
        f"{W}entries/{story.pk}/place/",
        {"revision": str(placed.revision - 1 if placed.revision > 1 else 99),
         "helped__a": "100", "helped__b": "0", "helped__c": "0"},
    )  # fmt: skip
    assert response.status_code == 409
    assert b"Someone else saved this" in response.content
    with tenant_scope(workspace_id=ws.pk):
        placed.refresh_from_db()
    assert placed.data == {"helped": "na"}


# Sets ------------------------------------------------------------------------------------------


def test_a_bad_set_is_refused_beside_its_field_with_the_text_kept(world) -> None:
    client = signed_in(world.admin)
    typed = '{"signifiers": [{"key": "helped", "type": "triad", "prompt": "P", "labels": ["A"]}]}'
    response = client.post(f"{W}signifiers/new/", {"revision": "0", "name": "X",
                                                   "definition": typed})  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "Signifier 1 (&#x27;helped&#x27;): a triad has three corners" in html
    assert "&quot;labels&quot;: [&quot;A&quot;]" in html
    response = client.post(f"{W}signifiers/new/", {"revision": "0", "name": "X",
                                                   "definition": "{not json"})  # fmt: skip
    assert response.status_code == 400
    assert b"This is not JSON" in response.content
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not SignifierSet.objects.exists()


def test_editing_a_set_in_use_says_the_stories_keep_their_version(world) -> None:
    ws, team = world.workspace, world.team
    with tenant_scope(workspace_id=ws.pk):
        s = attach(ws, world.cycle, team.user)
        placed_story(ws, world.cycle, team.user)
        placed_story(ws, world.cycle, team.user)
    client = signed_in(world.admin)
    page = client.get(f"{W}signifiers/{s.pk}/edit/")
    assert b"2 stories are placed on version 1; they keep it." in page.content
    response = client.post(
        f"{W}signifiers/{s.pk}/edit/",
        {"revision": "1", "name": "What helped", "description": "",
         "definition": '{"signifiers": [{"key": "helped", "type": "triad", "prompt": "What '
                       'helped?", "labels": ["People", "Place", "Money"]}]}'},
        follow=True,
    )  # fmt: skip
    assert b"Saved as version 2. 2 stories are placed on version 1; they keep it." in (
        response.content
    )
    detail = client.get(f"{W}signifiers/{s.pk}/").content.decode()
    assert "Version 2" in detail
    assert "Version 1" in detail


def test_choosing_a_cycles_set(world) -> None:
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        s = services.signifier_set_create(
            workspace=ws, user=world.admin.user, name="What helped", definition=FULL_SET
        )
    client = signed_in(world.team)
    url = f"{W}cycles/{world.cycle.pk}/signifiers/"
    assert client.post(url, {"signifier_set": "999999"}).status_code == 400
    assert client.post(url, {"signifier_set": s.pk}).status_code == 302
    assert "offers “What helped”" in client.get(url).content.decode()
    assert client.post(url, {"signifier_set": ""}).status_code == 302
    assert b"offers no signifiers yet" in client.get(url).content


# Who sees which placement ----------------------------------------------------------------------


@pytest.mark.parametrize(("level", "consent", "viewer"), CASES)
def test_a_placement_is_seen_exactly_as_widely_as_its_story(world, level, consent, viewer):
    ws = world.workspace
    _threshold(ws, 1)
    with tenant_scope(workspace_id=ws.pk):
        CycleMemberFactory(workspace=ws, cycle=world.cycle, user=world.author.user)
        attach(ws, world.cycle, world.author.user)
        person = None
        if consent == "consent-lower":
            person = PersonFactory(workspace=ws, system=world.system,
                                   consent_level=max(level - 1, ShareLevel.PRIVATE))  # fmt: skip
        entry, _placed = placed_story(
            ws, world.cycle, world.author.user, visibility=level, person=person,
            text="kestrelsighting at the window",
        )  # fmt: skip
    should_see = expected(level, consent, viewer)
    client = signed_in(getattr(world, viewer))
    for cycle in (world.cycle, world.upper):
        page = client.get(f"{W}cycles/{cycle.pk}/placements/")
        if viewer == "outsider":
            assert page.status_code == 404
            continue
        assert page.status_code == 200
        assert (entry.pk in _dots(page.content)) is (should_see and cycle == world.cycle), cycle
        assert (b"kestrelsighting" in page.content) is (should_see and cycle == world.cycle)


def test_every_dot_links_to_a_story_the_viewer_may_read_and_no_other(world) -> None:
    ws = world.workspace
    _threshold(ws, 2)
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, world.team.user)
        seen = [placed_story(ws, world.cycle, world.team.user, visibility=ShareLevel.SHARED_UPWARD,
                             text=f"Shared story {i}")[0] for i in range(3)]  # fmt: skip
        hidden = [placed_story(ws, world.cycle, world.team.user, visibility=ShareLevel.TEAM,
                               text=f"Team story {i}")[0] for i in range(3)]  # fmt: skip
    client = signed_in(world.manager)  # works in the system above: sees what is shared upward
    html = client.get(f"{W}cycles/{world.cycle.pk}/placements/").content
    dots = _dots(html)
    assert dots == {e.pk for e in seen}
    assert not dots & {e.pk for e in hidden}
    assert b"Team story" not in html
    for match in DOT.finditer(html.decode()):
        href = match.group(1).replace("&amp;", "&")
        entry_id = int(match.group(2))
        assert href.endswith(f"#entry-{entry_id}")
        assert client.get(href.split("#")[0]).status_code == 200
        timeline = client.get(href.split("#")[0]).content
        assert f'id="entry-{entry_id}"'.encode() in timeline
    # the team sees all six
    team_page = signed_in(world.team).get(f"{W}cycles/{world.cycle.pk}/placements/")
    assert _dots(team_page.content) == {e.pk for e in seen + hidden}


def test_small_groups_are_not_shown(world) -> None:
    ws = world.workspace
    _threshold(ws, 3)
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, world.team.user)
        theme = ThemeFactory(workspace=ws, name="Housing")
        first = placed_story(ws, world.cycle, world.team.user)[0]
        EntryTheme.objects.create(workspace=ws, entry=first, theme=theme)
        placed_story(ws, world.cycle, world.team.user)
    client = signed_in(world.team)
    url = f"{W}cycles/{world.cycle.pk}/placements/"
    page = client.get(url)
    assert b"Fewer than 3 stories: not shown." in page.content
    assert not _dots(page.content)
    with tenant_scope(workspace_id=ws.pk):
        third = placed_story(ws, world.cycle, world.team.user)[0]
    page = client.get(url)
    assert _dots(page.content) == {first.pk, third.pk} | (
        _dots(page.content) - {first.pk, third.pk}
    )
    assert len(_dots(page.content)) == 3
    assert b"Fewer than 3 stories" not in page.content
    # filtered to a theme, the group is small again
    filtered = client.get(url, {"theme": theme.pk})
    assert b"Fewer than 3 stories: not shown." in filtered.content
    assert not _dots(filtered.content)


def test_a_plot_where_few_placed_is_not_shown_though_the_others_are(world) -> None:
    ws = world.workspace
    _threshold(ws, 3)
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, world.team.user)
        for _i in range(3):
            placed_story(ws, world.cycle, world.team.user, data={**PLACED, "felt": "na"})
    html = signed_in(world.team).get(f"{W}cycles/{world.cycle.pk}/placements/").content.decode()
    felt = html[html.index('id="plot-felt"') : html.index('id="plot-pace"')]
    assert "Fewer than 3 stories: not shown." not in felt  # no one placed it: nothing to hide
    assert "No story placed on this one." in felt
    assert html.count('class="plot-dot"') == 3 + 3  # the triad, the pace strip; not the scatter
    assert "Fewer than 3 stories: not shown." not in html[: html.index('id="plot-felt"')]


def test_older_versions_are_mapped_where_the_signifier_is_unchanged(world) -> None:
    ws, team = world.workspace, world.team
    _threshold(ws, 1)
    with tenant_scope(workspace_id=ws.pk):
        s = attach(ws, world.cycle, team.user)
        old, _p = placed_story(ws, world.cycle, team.user)
        changed = {"signifiers": [FULL_SET["signifiers"][0],
                                  {**FULL_SET["signifiers"][1], "labels": ["Alone", "Together"]},
                                  *FULL_SET["signifiers"][2:]]}  # fmt: skip
        services.signifier_set_update(workspace=ws, signifier_set=s, user=team.user,
                                      name=s.name, definition=changed)  # fmt: skip
        new, _p = placed_story(ws, world.cycle, team.user)
    html = signed_in(team).get(f"{W}cycles/{world.cycle.pk}/placements/").content.decode()
    triad = html[html.index('id="plot-helped"') : html.index('id="plot-felt"')]
    felt = html[html.index('id="plot-felt"') : html.index('id="plot-pace"')]
    assert {int(i) for i in re.findall(r'data-entry="(\d+)"', triad)} == {old.pk, new.pk}
    assert {int(i) for i in re.findall(r'data-entry="(\d+)"', felt)} == {new.pk}
    assert "1 of them was placed on an earlier version" in html


@pytest.mark.parametrize("n", [3, 12])
def test_the_placements_page_costs_the_same_whatever_the_number_of_stories(
    world, n, django_assert_num_queries
) -> None:
    ws = world.workspace
    _threshold(ws, 1)
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, world.team.user)
        for i in range(n):
            placed_story(ws, world.cycle, world.team.user, text=f"Story {i}")
    client = signed_in(world.team)
    url = f"{W}cycles/{world.cycle.pk}/placements/"
    client.get(url)
    with django_assert_num_queries(17):
        response = client.get(url)
    dots = DOT.findall(response.content.decode())
    assert len(dots) == n * 3 + n  # the triad, two strips, the scatter


def test_bad_filters_are_said_beside_the_field(world) -> None:
    ws = world.workspace
    with tenant_scope(workspace_id=ws.pk):
        attach(ws, world.cycle, world.team.user)
    client = signed_in(world.team)
    url = f"{W}cycles/{world.cycle.pk}/placements/"
    response = client.get(url, {"date_from": "2026-05-01", "date_to": "2026-01-01"})
    assert response.status_code == 400
    assert b"The period ends before it starts" in response.content
    assert client.get(url, {"date_from": "yesterday"}).status_code == 400
    assert client.get(url, {"theme": "99999"}).status_code == 400
    assert client.get(url, {"x": "nonsense"}).status_code == 400
