"""Issue 3's journey, on a phone: log a story from quick capture, run an experiment to
"Stopped: learnt", and find both again by search. Also: an unsent draft survives a reload."""

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cycles.models import Cycle
from cycles.services import cycle_create, entry_create
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Workspace
from systems.models import ShareLevel
from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import follow_nav
from tests.e2e.test_journey_foundation import sign_in
from tests.factories import PersonFactory, ScaleFactory, SystemFactory, SystemMemberFactory

pytestmark = pytest.mark.e2e

PAT = "pat@riverside.test"
CYCLE_NAME = "Getting to the food bank"
PERSON = "Maya"
STORY = "Maya said the new bus timetable means she misses the Thursday session."
EXPERIMENT = "Lift-share rota for Thursdays"
TRY = "A volunteer rota of lift-shares from the estate to the Thursday session."
PREDICTION = "Most people who asked for a lift will reach the session each week."
LEARNT = "Neighbours already gave each other lifts; the rota only added paperwork."


@pytest.fixture
def cycle(workspace: Workspace, member: Membership) -> Cycle:
    """Pat works in a team system, and in the person-scale system of Maya's own life (nested
    under it), so Maya is in Pat's person picker; Pat takes part in the team's cycle."""
    user = member.user
    with tenant_scope(workspace_id=workspace.pk):
        life_scale = ScaleFactory(
            workspace=workspace, name="A person's life", position=0, is_person_scale=True
        )
        team_scale = ScaleFactory(workspace=workspace, name="Team", position=1)
        team = SystemFactory(
            workspace=workspace, scale=team_scale, name="Northside support team", created_by=user
        )
        SystemMemberFactory(workspace=workspace, system=team, user=user)
        life = SystemFactory(
            workspace=workspace, scale=life_scale, name="Maya's life", parent=team, created_by=user
        )
        SystemMemberFactory(workspace=workspace, system=life, user=user)
        PersonFactory(workspace=workspace, system=life, alias=PERSON, consent_level=ShareLevel.TEAM)
        return cycle_create(
            workspace=workspace,
            created_by=user,
            system=team,
            name=CYCLE_NAME,
            purpose="Learn what helps people reach the support they rely on.",
        )


def assert_fits_phone(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px on a 390px-wide phone"


def check_page(page: Page) -> None:
    assert_fits_phone(page)
    check_accessibility(page)


def search_from_header(page: Page, words: str) -> None:
    page.get_by_role("searchbox", name="Search what you can see").fill(words)
    page.get_by_role("searchbox", name="Search what you can see").press("Enter")
    expect(page).to_have_url(re.compile(r"/w/riverside/search/\?q="))
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()


def open_quick_capture(page: Page) -> None:
    """Sign in from the front door, land on Today, and open quick capture from the header."""
    page.goto("/")
    sign_in(page, PAT)  # interaction 1 (typing and a press)
    expect(page).to_have_url(re.compile(r"/w/riverside/$"))
    expect(page.get_by_role("heading", name="Today, Pat Practitioner", level=1)).to_be_visible()
    page.get_by_role("link", name="+ Log").click()  # one tap from any workspace page
    expect(page).to_have_url(re.compile(r"/w/riverside/log/\?next="))
    expect(page.get_by_role("heading", name="Log a step", level=1)).to_be_visible()


def test_practitioner_logs_a_story_runs_an_experiment_and_finds_both(
    phone_page: Page, cycle: Cycle, live_server: Any
) -> None:
    page = phone_page
    open_quick_capture(page)
    check_page(page)

    # 2. A story about Maya, seen by the team.
    expect(page.get_by_label("Cycle", exact=True)).to_have_value(str(cycle.pk))
    page.get_by_role("radio", name="Story").check()
    page.get_by_label("What happened?").fill(STORY)
    page.get_by_text("More: person, themes, who can see it").click()
    page.get_by_label("About someone you work with").select_option(label=PERSON)
    page.get_by_label("Who can see it").select_option(label="My team")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(re.compile(r"/w/riverside/$"))  # back where the capture started
    expect(page.get_by_role("status")).to_contain_text(
        f"Saved: your story is in “{CYCLE_NAME}”, visible to: My team."
    )

    # ... and it is on the cycle's timeline, newest first.
    follow_nav(page, "Cycles")
    page.get_by_role("link", name=CYCLE_NAME).click()
    page.get_by_role("link", name="Timeline").click()
    expect(page.get_by_role("heading", name=f"Timeline: {CYCLE_NAME}", level=1)).to_be_visible()
    story = page.locator("#timeline-list").get_by_role("listitem").filter(has_text=STORY)
    expect(story).to_have_count(1)
    expect(story).to_contain_text("Story")
    expect(story).to_contain_text(f"about {PERSON}")
    expect(story).to_contain_text("Seen by: My team")
    check_page(page)

    # 3. Design an experiment in the cycle, start it, end it as "Stopped: learnt".
    page.get_by_role("link", name=CYCLE_NAME).first.click()
    page.get_by_role("link", name="Experiments", exact=True).last.click()
    expect(page.get_by_role("heading", name=f"Experiments in {CYCLE_NAME}")).to_be_visible()
    page.get_by_role("link", name="Design an experiment").click()
    expect(page.get_by_role("heading", name="Design an experiment", level=1)).to_be_visible()
    today = timezone.localdate()  # the product's date (its zone), not the machine's
    page.get_by_label("Title").fill(EXPERIMENT)
    page.get_by_label("What we will try").fill(TRY)
    page.get_by_label("What we expect to happen").fill(PREDICTION)
    page.get_by_label("Starts on").fill(today.isoformat())
    page.get_by_label("Ends on").fill((today + dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", name=EXPERIMENT, level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Experiment saved.")
    expect(page.locator(".experiment-status")).to_contain_text("Planned")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("status")).to_contain_text("Experiment started.")
    expect(page.locator(".experiment-status")).to_contain_text("Running")

    page.get_by_role("link", name="End and record what we learnt").click()
    expect(page.get_by_role("heading", name=f"End “{EXPERIMENT}”", level=1)).to_be_visible()
    expect(page.get_by_text(PREDICTION)).to_be_visible()  # the prediction, to compare with
    page.get_by_role("group", name="What happens next").get_by_label("Stopped: learnt").check()
    page.get_by_label("What we learnt").fill(LEARNT)
    page.get_by_role("button", name="End the experiment").click()

    expect(page.get_by_role("status")).to_contain_text("Experiment ended.")
    expect(page.locator(".experiment-status")).to_contain_text("Ended")
    result = page.get_by_role("region", name="What happened")
    outcome = result.locator(".outcome")
    expect(outcome).to_have_text("Stopped: learnt")
    expect(outcome).to_have_class("outcome")  # one look for every outcome, no special case
    expect(result.get_by_text(LEARNT)).to_be_visible()
    check_page(page)

    # 4. Find the experiment again from the header search, by a word of its title ...
    search_from_header(page, "rota")
    experiments = page.get_by_role("region", name="Experiments")
    found = experiments.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=EXPERIMENT)
    )
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Stopped: learnt")
    expect(found.locator("mark").first).to_have_text(re.compile(r"^rota$", re.IGNORECASE))
    check_page(page)

    # ... and by a word of what was learnt, highlighted there too.
    search_from_header(page, "paperwork")
    learnt_hit = page.get_by_role("region", name="Experiments").get_by_role("listitem")
    expect(learnt_hit.get_by_role("link", name=EXPERIMENT)).to_be_visible()
    expect(learnt_hit.locator("mark").first).to_have_text("paperwork")

    # The story is found by a word of its text, highlighted.
    search_from_header(page, "timetable")
    entries = page.get_by_role("region", name="Entries")
    hit = entries.get_by_role("listitem").filter(has_text="timetable")
    expect(hit).to_have_count(1)
    expect(hit.get_by_role("link", name=f"Story · {CYCLE_NAME}")).to_be_visible()
    expect(hit.locator("mark")).to_have_text("timetable")
    check_page(page)

    # The result leads back to the story on the timeline.
    hit.get_by_role("link", name=f"Story · {CYCLE_NAME}").click()
    expect(page).to_have_url(re.compile(rf"/cycles/{cycle.pk}/timeline/#entry-\d+$"))
    expect(page.locator("#timeline-list").get_by_text(STORY)).to_be_visible()


def test_drafts_survive_a_closed_tab(phone_page: Page, cycle: Cycle) -> None:
    page = phone_page
    open_quick_capture(page)
    draft = "Half a thought about the food bank queue, before the bus comes"
    page.get_by_label("What happened?").fill(draft)
    # Autosaved about a second after typing stops.
    expect(page.get_by_text(re.compile(r"^Draft saved at \d\d:\d\d\.$"))).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", name="Log a step", level=1)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Restored your unsent draft")).to_be_visible()
    expect(page.get_by_label("What happened?")).to_have_value(draft)
    assert_fits_phone(page)


SAM = "Sam"
DOORSTEP = "Sam showed us the letter that made him give up the allotment."
QUICK = "The lift was broken again; Maya waited an hour."
OTHER_CYCLE = "Keeping warm this winter"
KEYBOARD_PX = 336  # a phone keyboard's height: the visible part of an 844px screen shrinks


def assert_text_box_in_view(page: Page) -> None:
    """The text field is wholly on screen and nothing (the sticky Save bar) lies over it."""
    box = page.get_by_label("What happened?").bounding_box()
    viewport = page.viewport_size
    assert box is not None
    assert viewport is not None
    assert box["y"] >= 0, box
    assert box["y"] + box["height"] <= viewport["height"], (box, viewport)
    on_top = page.evaluate(
        """() => {
          const box = document.querySelector('textarea[name=text]').getBoundingClientRect();
          const el = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
          return el && el.name;
        }"""
    )
    assert on_top == "text", f"the text field is covered by {on_top!r}"
    sticky = page.locator(".sticky-actions").bounding_box()
    assert sticky is not None
    assert box["y"] + box["height"] <= sticky["y"], (box, sticky)


def test_phone_capture_opens_for_the_cycle_you_are_in_and_shares_in_one_go(
    phone_page: Page, cycle: Cycle, workspace: Workspace, member: Membership
) -> None:
    """From a cycle's timeline, "+ Log" opens for that cycle (not the one Pat last logged in);
    the text field is in view on a 390 by 844 screen, with the keyboard open too; choosing Sam
    shows how far he agreed before saving, and the story is saved shared upward at once, on
    that cycle's timeline. Then three taps from Today log a story for the team."""
    user = member.user
    with tenant_scope(workspace_id=workspace.pk):
        other = cycle_create(
            workspace=workspace,
            created_by=user,
            system=cycle.system,
            name=OTHER_CYCLE,
            purpose="Learn what keeps people warm.",
        )
        entry_create(
            workspace=workspace, author=user, cycle=other, kind="story", text="Last logged here."
        )
        PersonFactory(
            workspace=workspace,
            system=cycle.system,
            alias=SAM,
            consent_level=ShareLevel.SHARED_UPWARD,
        )
    page = phone_page
    page.goto("/")
    sign_in(page, PAT)
    expect(page.get_by_role("heading", name="Today, Pat Practitioner", level=1)).to_be_visible()
    page.goto(f"/w/riverside/cycles/{cycle.pk}/timeline/")
    expect(page.get_by_role("heading", name=f"Timeline: {CYCLE_NAME}", level=1)).to_be_visible()

    page.get_by_role("link", name="+ Log").click()
    expect(page.get_by_role("heading", name="Log a step", level=1)).to_be_visible()
    expect(page.get_by_label("Cycle", exact=True)).to_have_value(str(cycle.pk))
    header = page.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] < 120, header
    assert_text_box_in_view(page)
    check_page(page)
    text_box = page.get_by_label("What happened?")
    text_box.tap()
    page.set_viewport_size({"width": 390, "height": 844 - KEYBOARD_PX})  # the keyboard opens
    text_box.scroll_into_view_if_needed()  # as the phone brings the focused field into view
    text_box.fill(DOORSTEP)
    assert_text_box_in_view(page)
    page.set_viewport_size({"width": 390, "height": 844})

    more = page.get_by_text("More: person, themes, who can see it")
    expect(more).to_contain_text("(My team)")  # who will see it, said before opening
    more.click()
    level = page.get_by_label("Who can see it")
    expect(level).to_have_value(str(ShareLevel.TEAM))
    page.get_by_label("About someone you work with").select_option(label=PERSON)  # agreed: team
    ceiling = page.locator("[data-ceiling-note]")
    expect(ceiling).to_have_text(
        f"{PERSON} agreed to share as far as “My team”: wider is not offered."
    )
    expect(level.locator("option", has_text="This cycle")).to_be_disabled()
    page.get_by_label("About someone you work with").select_option(label=SAM)
    expect(ceiling).to_have_text(
        f"{SAM} agreed to share as far as “Shared upward”: wider is not offered."
    )
    expect(level.locator("option", has_text="Shared upward")).to_be_enabled()
    expect(level.locator("option", has_text="Whole workspace")).to_be_disabled()
    level.select_option(label="Shared upward")
    expect(more).to_contain_text("(Shared upward)")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/cycles/{cycle.pk}/timeline/$"))  # back where it began
    expect(page.get_by_role("status").first).to_contain_text(
        f"Saved: your story is in “{CYCLE_NAME}”, visible to: Shared upward."
    )
    story = page.locator("#timeline-list").get_by_role("listitem").filter(has_text=DOORSTEP)
    expect(story).to_have_count(1)
    expect(story).to_contain_text(f"about {SAM}")
    expect(story).to_contain_text("Seen by: Shared upward")
    check_page(page)

    # Three taps from Today: "+ Log", type, Save, into the cycle Pat last logged in (this one).
    page.goto("/w/riverside/")
    expect(page.get_by_role("heading", name="Today, Pat Practitioner", level=1)).to_be_visible()
    page.get_by_role("link", name="+ Log").click()  # 1
    expect(page.get_by_label("Cycle", exact=True)).to_have_value(str(cycle.pk))
    page.get_by_label("What happened?").fill(QUICK)  # 2
    page.get_by_role("button", name="Save", exact=True).click()  # 3
    expect(page.get_by_role("status").first).to_contain_text(
        f"Saved: your story is in “{CYCLE_NAME}”, visible to: My team."
    )
