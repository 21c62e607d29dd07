"""Issue 4's journeys, connected cycles: a manager reads a pattern from the teams below, opens
the stories behind its number and asks back to context, a practitioner answers from the
timeline; and a practitioner raises a barrier from a phone that the manager answers."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from cycles.models import Cycle, Entry, Theme
from cycles.services import cycle_create, entry_create, entry_update
from cycles.themes.services import theme_create
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from systems.models import Scale, ShareLevel, System
from systems.services import SystemInput, scales_ensure_defaults, system_create
from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import NewPage, follow_nav
from tests.e2e.test_journey_cycles import assert_fits_phone, check_page
from tests.e2e.test_journey_foundation import sign_in

pytestmark = pytest.mark.e2e

SAM = "sam@riverside.test"
PAT = "pat@riverside.test"
HANA = "hana@riverside.test"
ORG_CYCLE = "Riverside Council cycle"
DEBT_CYCLE = "Debt team cycle"
HOUSING_CYCLE = "Housing team cycle"
THEME = "Fear of letters"
DEBT_STORIES = [
    "She kept the bailiff letters unopened in a drawer for months.",
    "He only rang us once the final notice came in red ink.",
    "A brown envelope on the mat was enough to stop her sleeping.",
]
HOUSING_STORIES = [
    "The eviction letter used words she did not understand, so she hid it.",
    "He thought the council letter meant he had already lost the flat.",
    "They asked us to open their post with them every Monday.",
]
PRIVATE_REFLECTION = "I wonder if our own letters frighten people just as much."
QUESTION = "What is behind the letters?"
ANSWER = "People tell us the letters arrive the week their benefits are late."
BARRIER = "Reminder letters go out while we are working with people"
WHAT_CHANGED = "Reminders are paused for households we work with"


@dataclass(frozen=True)
class World:
    workspace: Workspace
    org_cycle: Cycle
    debt_cycle: Cycle
    housing_cycle: Cycle


def _share_upward(
    *, workspace: Workspace, author: User, cycle: Cycle, text: str, theme: Theme
) -> Entry:
    """A story tagged with the theme, widened one step at a time to "shared upward"."""
    entry = entry_create(
        workspace=workspace,
        author=author,
        cycle=cycle,
        kind=Entry.Kind.STORY,
        text=text,
        themes=[theme],
        visibility=ShareLevel.TEAM,
    )
    for level in (ShareLevel.CYCLE, ShareLevel.SHARED_UPWARD):
        entry = entry_update(
            workspace=workspace,
            entry=entry,
            editor=author,
            kind=entry.kind,
            phase=entry.phase,
            text=entry.text,
            themes=[theme],
            visibility=level,
        )
    return entry


@pytest.fixture
def world(
    workspace: Workspace, member: Membership, make_member: Callable[..., Membership]
) -> World:
    """Riverside Council (Sam, a manager) with two teams under it: Debt (Pat) and Housing
    (Hana). Each team's cycle shared three stories about "Fear of letters" upward; Pat also
    wrote a private reflection with the theme, which must never count."""
    sam = make_member(workspace, Role.MANAGER, email=SAM, full_name="Sam Manager").user
    pat = member.user
    hana = make_member(workspace, Role.PRACTITIONER, email=HANA, full_name="Hana Housing").user
    with tenant_scope(workspace_id=workspace.pk):
        scales_ensure_defaults(workspace=workspace)
        scale = {s.name: s for s in Scale.objects.filter(workspace=workspace)}

        def system(name: str, scale_name: str, who: User, parent: System | None = None) -> System:
            return system_create(
                workspace=workspace,
                created_by=who,
                data=SystemInput(
                    name=name,
                    scale=scale[scale_name],
                    purpose="Help people in Riverside keep their homes and their peace of mind.",
                    parent=parent,
                    members=[who],
                ),
            )

        council = system("Riverside Council", "Organisation", sam)
        debt = system("Debt team", "Team", pat, parent=council)
        housing = system("Housing team", "Team", hana, parent=council)

        def cycle(who: User, on: System, name: str) -> Cycle:
            purpose = "Learn what helps people deal with the post they dread."
            return cycle_create(
                workspace=workspace, created_by=who, system=on, name=name, purpose=purpose
            )

        org_cycle = cycle(sam, council, ORG_CYCLE)
        debt_cycle = cycle(pat, debt, DEBT_CYCLE)
        housing_cycle = cycle(hana, housing, HOUSING_CYCLE)

        theme = theme_create(
            workspace=workspace, created_by=sam, name=THEME, kind=Theme.Kind.PROBLEM
        )
        for author, on_cycle, texts in (
            (pat, debt_cycle, DEBT_STORIES),
            (hana, housing_cycle, HOUSING_STORIES),
        ):
            for text in texts:
                _share_upward(
                    workspace=workspace, author=author, cycle=on_cycle, text=text, theme=theme
                )
        entry_create(
            workspace=workspace,
            author=pat,
            cycle=debt_cycle,
            kind=Entry.Kind.REFLECTION,
            text=PRIVATE_REFLECTION,
            themes=[theme],
            visibility=ShareLevel.PRIVATE,
        )
    return World(workspace, org_cycle, debt_cycle, housing_cycle)


def sign_in_and_open_cycle(page: Page, email: str, name: str, cycle_name: str) -> None:
    page.goto("/")
    sign_in(page, email)
    expect(page.get_by_role("heading", name=f"Today, {name}", level=1)).to_be_visible()
    follow_nav(page, "Cycles")
    page.get_by_role("link", name=cycle_name, exact=True).click()
    expect(page.get_by_role("heading", name=cycle_name, level=1)).to_be_visible()


def test_manager_opens_a_theme_reads_the_stories_and_asks_back(
    page: Page, new_page: NewPage, world: World
) -> None:
    # The manager opens the organisation cycle's patterns.
    sign_in_and_open_cycle(page, SAM, "Sam Manager", ORG_CYCLE)
    page.get_by_role("link", name="Patterns from the cycles below").click()
    expect(page.get_by_role("heading", name=f"Patterns below {ORG_CYCLE}", level=1)).to_be_visible()

    # Six stories shared upward; the private reflection never counts.
    table = page.get_by_role("table", name="Entries shared upward, per theme and month")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=THEME))
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name="6", exact=True)).to_have_count(2)  # this month, all
    expect(row.get_by_role("link", name="7", exact=True)).to_have_count(0)
    in_common = page.get_by_role("region", name="In common").get_by_role("listitem")
    expect(in_common.filter(has_text=THEME)).to_contain_text("6")
    check_accessibility(page)

    # The number opens the stories behind it.
    row.get_by_role("link", name="6", exact=True).last.click()
    expect(page.get_by_role("heading", name="Entries behind this number", level=1)).to_be_visible()
    expect(page.get_by_text(f"theme “{THEME}”")).to_be_visible()
    main = page.get_by_role("main")
    for text in DEBT_STORIES + HOUSING_STORIES:
        expect(main.get_by_text(text)).to_be_visible()
    expect(main.get_by_text(PRIVATE_REFLECTION)).to_have_count(0)
    story = main.get_by_role("listitem").filter(has_text=HOUSING_STORIES[0])
    expect(story).to_contain_text(f"Story · {HOUSING_CYCLE}")
    expect(story).to_contain_text(THEME)
    check_accessibility(page)

    # ... and asks the cycles concerned what is behind it.
    page.get_by_role("link", name="Ask the cycles concerned about this").click()
    expect(page.get_by_role("heading", name="Ask back to context", level=1)).to_be_visible()
    expect(page.get_by_text(f"About the pattern: theme “{THEME}”")).to_be_visible()
    send_to = page.get_by_role("group", name="Send it to")
    expect(send_to.get_by_role("checkbox")).to_have_count(2)
    expect(send_to.get_by_role("checkbox", name=f"{DEBT_CYCLE} (Debt team)")).to_be_checked()
    expect(send_to.get_by_role("checkbox", name=f"{HOUSING_CYCLE} (Housing team)")).to_be_checked()
    page.get_by_label("Your question").fill(QUESTION)
    check_accessibility(page)
    page.get_by_role("button", name="Send the question").click()

    expect(page.get_by_role("heading", name="Question back to context", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Question sent.")
    expect(page.get_by_text("waiting for an answer")).to_have_count(2)

    # The practitioner finds it at the top of the Debt team's timeline, with its origin.
    pat = new_page()
    sign_in_and_open_cycle(pat, PAT, "Pat Practitioner", DEBT_CYCLE)
    pat.get_by_role("link", name="Timeline", exact=True).click()
    expect(pat.get_by_role("heading", name=f"Timeline: {DEBT_CYCLE}", level=1)).to_be_visible()
    asked = pat.get_by_role("region", name="Questions from the cycles above")
    expect(asked.get_by_role("listitem")).to_have_count(1)
    expect(asked).to_contain_text(QUESTION)
    expect(asked).to_contain_text(
        f"Asked by Sam Manager from the patterns of {ORG_CYCLE}: theme “{THEME}”"
    )
    question_box = asked.bounding_box()
    entries_box = pat.locator("#timeline-list").bounding_box()
    assert question_box is not None
    assert entries_box is not None
    assert question_box["y"] < entries_box["y"], "the open question is not above the entries"
    check_accessibility(pat)

    asked.get_by_label("Your answer").fill(ANSWER)
    asked.get_by_role("button", name="Send the answer").click()
    expect(pat.get_by_role("status").filter(has_text="Answer sent")).to_contain_text(
        "Answer sent to the cycle that asked."
    )
    expect(pat.get_by_role("region", name="Questions from the cycles above")).to_have_count(0)

    # Back with the manager: "questions we asked" shows the answer.
    page.get_by_role("link", name="Questions we asked").click()
    expect(page.get_by_role("heading", name="Questions we asked", level=1)).to_be_visible()
    page.reload()
    question = page.get_by_role("main").get_by_role("listitem").filter(has_text=QUESTION).first
    expect(question).to_contain_text(f"{DEBT_CYCLE}: answered")
    expect(question).to_contain_text(f"{HOUSING_CYCLE}: waiting for an answer")
    expect(question.locator("blockquote.answer")).to_contain_text(ANSWER)
    # The manager is above the team: the answer comes from the team's cycle, not from Pat.
    expect(question.locator("blockquote.answer")).to_contain_text(DEBT_CYCLE)
    expect(question.locator("blockquote.answer")).not_to_contain_text("Pat Practitioner")


def test_practitioner_raises_a_barrier_the_manager_answers(
    phone_page: Page, new_page: NewPage, world: World, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    mail.outbox.clear()

    # On a phone, Pat logs a barrier on the Debt team's timeline, seen by the team.
    pat = phone_page
    sign_in_and_open_cycle(pat, PAT, "Pat Practitioner", DEBT_CYCLE)
    pat.get_by_role("link", name="Timeline", exact=True).click()
    expect(pat.get_by_role("heading", name=f"Timeline: {DEBT_CYCLE}", level=1)).to_be_visible()
    log = pat.get_by_role("region", name="Log a step")
    log.get_by_role("radio", name="Barrier").check()
    log.get_by_label("What happened?").fill(BARRIER)
    log.get_by_text("More: person, themes, who can see it").click()
    log.get_by_label("Who can see it").select_option(label="My team")
    log.get_by_role("button", name="Save", exact=True).click()

    timeline = pat.locator("#timeline-list")
    logged = timeline.get_by_role("listitem").filter(has_text=BARRIER)
    expect(logged).to_have_count(1)
    entry_id = logged.get_attribute("id")
    assert entry_id is not None
    assert entry_id.startswith("entry-")
    row = pat.locator(f"#{entry_id}")
    expect(row).to_contain_text("Barrier")
    expect(row).to_contain_text("Seen by: My team")

    # Widened one step at a time: this cycle, then shared upward.
    for level in ("This cycle", "Shared upward"):
        row.get_by_role("link", name="Edit", exact=True).click()
        row.get_by_label("Who can see it").select_option(label=level)
        row.get_by_role("button", name="Save changes").click()
        expect(row).to_contain_text(f"Seen by: {level}")
        expect(row.get_by_role("status")).to_have_text("Saved. The earlier version is kept.")
    check_page(pat)

    # Raised to the cycle above.
    row.get_by_role("link", name="Raise to a cycle above").click()
    expect(pat.get_by_role("heading", name="Raise a barrier to a cycle above")).to_be_visible()
    expect(pat.get_by_label("Raise it to")).to_have_value(str(world.org_cycle.pk))
    check_page(pat)
    pat.get_by_role("button", name="Raise it").click()

    title = f"A barrier from {DEBT_CYCLE} to {ORG_CYCLE}"
    expect(pat.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(pat.get_by_role("status")).to_contain_text(f"Raised to {ORG_CYCLE}.")
    expect(pat.locator(".barrier-meta .state")).to_have_text("Raised")
    expect(pat.get_by_role("region", name="Answers")).to_contain_text("No answer yet.")
    barrier_url = pat.url
    check_page(pat)

    # The manager was told by email, with a link and without the barrier's text.
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    email = mail.outbox[0]
    assert email.to == [SAM]
    assert DEBT_CYCLE in email.subject
    assert barrier_url in email.body
    assert BARRIER not in email.body

    # The manager finds it waiting in the organisation cycle's inbox and answers "Changed".
    sam = new_page()
    sign_in_and_open_cycle(sam, SAM, "Sam Manager", ORG_CYCLE)
    panel = sam.get_by_role("region", name="Barriers and enablers")
    expect(panel.get_by_role("link", name="1 barrier: Raised")).to_be_visible()
    panel.get_by_role("link", name="Open the inbox").click()
    expect(sam.get_by_role("heading", name=f"Barriers raised to {ORG_CYCLE}")).to_be_visible()
    waiting = sam.get_by_role("region", name="Raised", exact=True)
    expect(waiting.get_by_role("listitem")).to_have_count(1)
    expect(waiting).to_contain_text(BARRIER)
    check_accessibility(sam)

    waiting.get_by_role("link", name=f"From {DEBT_CYCLE}").click()
    expect(sam.get_by_role("heading", name=title, level=1)).to_be_visible()
    check_accessibility(sam)
    sam.get_by_role("radio", name="Changed").check()
    sam.get_by_label("Your answer").fill(WHAT_CHANGED)
    sam.get_by_role("button", name="Save the answer").click()
    expect(sam.get_by_role("status")).to_contain_text("Answer saved.")
    answers = sam.get_by_role("region", name="Answers")
    expect(answers.get_by_role("listitem")).to_have_count(1)
    expect(answers).to_contain_text("Changed")
    expect(answers).to_contain_text(WHAT_CHANGED)
    check_accessibility(sam)
    # Pat, who waits for it, is told there is an answer (its text stays in the app).
    assert len(mail.outbox) == 2, [m.subject for m in mail.outbox]
    told = mail.outbox[1]
    assert told.to == [PAT]
    assert told.subject == f"An answer from {ORG_CYCLE} to a barrier you wait on"
    assert barrier_url in told.body
    assert WHAT_CHANGED not in told.body

    # Pat reloads the barrier's page: the answer is there.
    pat.reload()
    expect(pat.locator(".barrier-meta .state")).to_have_text("Changed")
    pat_answers = pat.get_by_role("region", name="Answers").get_by_role("listitem")
    expect(pat_answers).to_have_count(1)
    expect(pat_answers).to_contain_text("Changed")
    expect(pat_answers).to_contain_text(WHAT_CHANGED)
    # Outside the organisation cycle, its answer is the cycle's, not its manager's.
    expect(pat_answers).to_contain_text(f"from {ORG_CYCLE}")
    expect(pat_answers).not_to_contain_text("Sam Manager")
    check_page(pat)

    # ... and on the Debt team cycle's page, under "barriers we raised".
    pat.get_by_role("link", name=DEBT_CYCLE, exact=True).first.click()
    expect(pat.get_by_role("heading", name=DEBT_CYCLE, level=1)).to_be_visible()
    raised = pat.get_by_role("region", name="Barriers and enablers").locator(".barrier-list li")
    expect(raised).to_have_count(1)
    expect(raised).to_contain_text(f"To {ORG_CYCLE} · Changed")
    expect(raised).to_contain_text(f"Latest answer, from {ORG_CYCLE}: Changed · {WHAT_CHANGED}")
    assert_fits_phone(pat)
