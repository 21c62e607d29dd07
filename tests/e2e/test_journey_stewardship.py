"""Issue 5's journey, stewardship: a steward sets up a place cycle (leaving midway and resuming)
and plans a fortnightly sense-making session for it and a team cycle; time passes and the
practitioner gets the reminder on a phone and reads the agenda; the facilitator records the
meeting's outputs, which appear in the cycles; the steward writes, publishes and exports a
learning report (PDF and Markdown)."""

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from cycles.models import Cycle, Entry
from cycles.services import cycle_create, entry_create, entry_update
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from stewardship.models import Reminder
from stewardship.notifications.tasks import dispatch_due
from systems.models import Scale, ShareLevel, System
from systems.services import SystemInput, scales_ensure_defaults, system_create
from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import NewPage
from tests.e2e.test_journey_cycles import assert_fits_phone
from tests.e2e.test_journey_foundation import sign_in

pytestmark = pytest.mark.e2e

SAM = "sam@riverside.test"  # steward
PAT = "pat@riverside.test"  # practitioner (the `member` fixture)
LEE = "lee@riverside.test"  # learning partner, the facilitator
HANA = "hana@riverside.test"  # Pat's teammate
GUEST = "ola@northside-residents.test"

TEAM_CYCLE = "Northside team cycle"
PLACE_CYCLE = "Riverside Alliance"
PLACE_PURPOSE = "Organisations of Riverside learning together how people keep a home."
ORGANISATION = "Riverside Council"
CHARTER_TITLE = "How we work together in Riverside"
PRINCIPLE = "Start from what matters to people"
SIGNED_BY = "Jo Leader"
MANDATE = "Keep the alliance's learning healthy and bring what we learn to the board."
ANSWERS_TO = "The Riverside Partnership board"
PARTICIPANT = "Northside tenants' association"
ACCOUNT_TO = "Riverside Partnership board"
FORUM = "the quarterly board meeting"
CADENCE = "every three months"
SESSION = "Riverside fortnightly sense-making"
STORY = "Dee said the housing letters only made sense once a neighbour read them with her."
NOTES = "We talked about letters, and who reads them with people."
INSIGHT = "People open official post when someone they trust sits with them."
DECISION = "Member organisations will test a plain-language letter together next quarter."
REPORT = "What Riverside learnt this spring"
NARRATIVE = "We learnt that trust, not information, is what opens the post."


@dataclass(frozen=True)
class World:
    workspace: Workspace
    pat: User
    team_cycle: Cycle


@pytest.fixture
def world(
    workspace: Workspace, member: Membership, make_member: Callable[..., Membership]
) -> World:
    """Riverside (a place-scale system) with the Northside team below it. Pat and Hana work in
    the team, whose cycle Pat started; Sam is a steward and Lee a learning partner."""
    make_member(workspace, Role.STEWARD, email=SAM, full_name="Sam Steward")
    make_member(workspace, Role.LEARNING_PARTNER, email=LEE, full_name="Lee Partner")
    hana = make_member(workspace, Role.PRACTITIONER, email=HANA, full_name="Hana Housing").user
    pat = member.user
    with tenant_scope(workspace_id=workspace.pk):
        scales_ensure_defaults(workspace=workspace)  # also seeds the question bank
        scale = {s.name: s for s in Scale.objects.filter(workspace=workspace)}

        def system(
            name: str, scale_name: str, members: list[User], parent: System | None = None
        ) -> System:
            return system_create(
                workspace=workspace,
                created_by=members[0],
                data=SystemInput(
                    name=name,
                    scale=scale[scale_name],
                    purpose="Help people in Riverside keep their homes.",
                    parent=parent,
                    members=members,
                ),
            )

        riverside = system("Riverside", "Place", [pat])
        team = system("Northside team", "Team", [pat, hana], parent=riverside)
        team_cycle = cycle_create(
            workspace=workspace,
            created_by=pat,
            system=team,
            name=TEAM_CYCLE,
            purpose="Learn what helps people deal with the post they dread.",
        )
    return World(workspace, pat, team_cycle)


def share_story(world: World, author_email: str) -> None:
    """A story logged in the team cycle and widened to "This cycle" (one step at a time)."""
    with tenant_scope(workspace_id=world.workspace.pk):
        author = User.objects.get(email=author_email)
        entry = entry_create(
            workspace=world.workspace,
            author=author,
            cycle=world.team_cycle,
            kind=Entry.Kind.STORY,
            text=STORY,
            visibility=ShareLevel.TEAM,
        )
        entry_update(
            workspace=world.workspace,
            entry=entry,
            editor=author,
            kind=entry.kind,
            phase=entry.phase,
            text=entry.text,
            themes=[],
            visibility=ShareLevel.CYCLE,
        )


def audit(page: Page) -> None:
    """axe, and no two elements with the same id (a label would point at the wrong field)."""
    duplicates = page.evaluate(
        """() => {
            const seen = new Map();
            for (const el of document.querySelectorAll("[id]")) {
                seen.set(el.id, (seen.get(el.id) || 0) + 1);
            }
            return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
        }"""
    )
    assert not duplicates, f"{page.url} has duplicate ids: {duplicates}"
    check_accessibility(page)


def sign_in_as(page: Page, email: str, name: str) -> None:
    page.goto("/")
    sign_in(page, email)
    expect(page.get_by_role("heading", name=f"Today, {name}", level=1)).to_be_visible()


def open_from_nav(page: Page, name: str) -> None:
    nav = page.get_by_role("navigation", name="Workspace")
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.count():  # in one of the bar's disclosures ("More", "Workspace")
        nav.locator(".nav-bar details", has=page.get_by_text(name, exact=True)).locator(
            "summary"
        ).click()
    link.click()


def status_says(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text).first).to_be_visible()


# 2. The place cycle ---------------------------------------------------------------------------


def set_up_place_cycle(page: Page) -> None:
    open_from_nav(page, "Place cycles")
    expect(page.get_by_role("heading", name="Place cycles", level=1)).to_be_visible()
    page.get_by_role("link", name="Set up a place cycle").click()
    expect(page.get_by_role("heading", name="Set up a place cycle", level=1)).to_be_visible()
    audit(page)
    page.get_by_label("Or a new cycle: its name").fill(PLACE_CYCLE)
    page.get_by_label("What is it for?").fill(PLACE_PURPOSE)
    expect(page.get_by_label("Scale").locator("option:checked")).to_have_text("Place")
    page.get_by_role("button", name="Start").click()

    # Step 1: purpose (carried over from the start), with a learning question.
    expect(page.get_by_role("heading", name=f"Setting up {PLACE_CYCLE}", level=1)).to_be_visible()
    status_says(page, "Set-up started.")
    expect(page.get_by_role("heading", name="Purpose", level=2)).to_be_visible()
    expect(page.get_by_label("Purpose", exact=True)).to_have_value(PLACE_PURPOSE)
    page.get_by_label("Learning questions").fill("What helps people open the post they dread?")
    audit(page)
    page.get_by_role("button", name="Save and continue").click()

    # Step 2: a member organisation.
    expect(page.get_by_role("heading", name="Member organisations", level=2)).to_be_visible()
    page.get_by_label("Or a new organisation: its name").fill(ORGANISATION)
    page.get_by_role("button", name="Add", exact=True).click()
    status_says(page, "Organisation added.")
    expect(page.locator("#organisation-list")).to_contain_text(ORGANISATION)
    audit(page)
    page.get_by_role("button", name="Save and continue").click()

    # Step 3: the charter, a principle and a signature.
    expect(page.get_by_role("heading", name="Shared principles", level=2)).to_be_visible()
    page.get_by_label("Principle", exact=True).fill(PRINCIPLE)
    page.get_by_label("What it means in practice").fill("We ask people before we decide.")
    page.get_by_role("button", name="Add", exact=True).click()
    status_says(page, "Principle added.")
    expect(page.locator("#principle-list")).to_contain_text(PRINCIPLE)
    page.get_by_label("Organisation", exact=True).select_option(label=ORGANISATION)
    page.get_by_label("Signed by (name)").fill(SIGNED_BY)
    page.get_by_label("Date signed").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record", exact=True).click()
    status_says(page, "Signature recorded.")
    signatures = page.get_by_role("table", name="Signatures of the charter")
    expect(signatures).to_contain_text(ORGANISATION)
    expect(signatures).to_contain_text(SIGNED_BY)
    audit(page)
    page.get_by_label("Title", exact=True).fill(CHARTER_TITLE)
    page.get_by_role("button", name="Save and continue").click()

    # Step 4: the steward leaves midway...
    expect(page.get_by_role("heading", name="Stewards", level=2)).to_be_visible()
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_role("heading", name="Place cycles", level=1)).to_be_visible()
    status_says(page, "This step is not finished yet")
    row = page.locator(".place-row").filter(has_text=PLACE_CYCLE)
    expect(row).to_contain_text("3 of 6 steps")
    audit(page)

    # ... and resumes where they left off.
    row.get_by_role("link", name=f"Resume {PLACE_CYCLE}").click()
    expect(page.get_by_role("heading", name="Stewards", level=2)).to_be_visible()
    steps = page.get_by_role("navigation", name="Set-up steps")
    expect(steps.get_by_role("link", name="4. Stewards")).to_have_attribute("aria-current", "step")
    expect(steps.get_by_role("listitem").filter(has_text="Shared principles")).to_contain_text(
        "(done)"
    )
    page.get_by_label("A member of the workspace").select_option(label="Sam Steward")
    page.get_by_label("Mandate").fill(MANDATE)
    page.get_by_label("Answers to").fill(ANSWERS_TO)
    review_on = timezone.localdate() + dt.timedelta(days=180)
    page.get_by_label("Review date").fill(review_on.isoformat())
    page.get_by_role("button", name="Add", exact=True).click()
    status_says(page, "Steward added.")
    expect(page.get_by_role("main")).to_contain_text(f"Answers to {ANSWERS_TO}")
    audit(page)
    page.get_by_role("button", name="Save and continue").click()

    # Step 5: the participation register (added with htmx), with its "who is missing" prompt.
    expect(page.get_by_role("heading", name="Who takes part", level=2)).to_be_visible()
    missing = page.get_by_role("region", name="Who might be missing?")
    expect(missing).to_contain_text("Which community groups know this place well?")
    page.get_by_label("Who", exact=True).fill(PARTICIPANT)
    page.get_by_label("Kind").select_option(label="A community group")
    page.get_by_label("Status", exact=True).select_option(label="Taking part")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#participation-list")).to_contain_text(PARTICIPANT)
    expect(missing).not_to_contain_text("Which community groups know this place well?")
    audit(page)
    page.get_by_role("button", name="Save and continue").click()

    # Step 6: accountability, then finish.
    expect(page.get_by_role("heading", name="Accountability", level=2)).to_be_visible()
    page.get_by_label("To whom").fill(ACCOUNT_TO)
    page.get_by_label("In what forum").fill(FORUM)
    page.get_by_label("How often").fill(CADENCE)
    page.get_by_role("button", name="Add", exact=True).click()
    status_says(page, "Added.")
    expect(page.get_by_role("main")).to_contain_text(f"In {FORUM}, {CADENCE}")
    audit(page)
    page.get_by_role("button", name="Save and finish").click()

    # The overview every member reads.
    expect(page.get_by_role("heading", name=PLACE_CYCLE, level=1)).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text("6 of 6 set-up steps done")
    expect(main.get_by_role("heading", name=CHARTER_TITLE, level=2)).to_be_visible()
    expect(main).to_contain_text(PRINCIPLE)
    expect(main).to_contain_text(ORGANISATION)
    expect(main).to_contain_text(MANDATE)
    expect(main.get_by_role("table", name="The participation register")).to_contain_text(
        "Taking part"
    )
    audit(page)


# 3. The fortnightly session -------------------------------------------------------------------


def plan_session(page: Page, first: dt.date) -> None:
    open_from_nav(page, "Sessions")
    expect(page.get_by_role("heading", name="Sense-making sessions", level=1)).to_be_visible()
    page.get_by_role("link", name="Plan a session").click()
    expect(page.get_by_role("heading", name="Plan a sense-making session")).to_be_visible()
    audit(page)
    page.get_by_label("Title").fill(SESSION)
    page.get_by_label("What it is for").fill("Making sense together of what the cycles saw.")
    page.get_by_role("checkbox", name=PLACE_CYCLE).check()
    page.get_by_role("checkbox", name=TEAM_CYCLE).check()
    page.get_by_label("First meeting: date").fill(first.isoformat())
    page.get_by_label("Time", exact=True).fill("10:00")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/London")
    page.get_by_role("radio", name="Every 2 weeks").check()
    page.get_by_role("radio", name="After a number of meetings").check()
    page.get_by_role("spinbutton", name="Number of meetings").fill("4")
    page.get_by_label("Where (a room or a link)").fill("Riverside library, room 2")
    page.get_by_label("Facilitator").select_option(label="Lee Partner")
    page.get_by_role("checkbox", name="Pat Practitioner").check()
    page.get_by_role("checkbox", name="Sam Steward").check()
    page.get_by_label("Guests by email").fill(GUEST)
    page.get_by_role("checkbox", name="1 day before").check()
    page.get_by_role("checkbox", name="1 hour before").uncheck()
    page.get_by_role("button", name="Plan it").click()

    expect(page.get_by_role("heading", name=SESSION, level=1)).to_be_visible()
    status_says(page, "Session planned.")
    facts = page.locator(".session-facts")
    expect(facts).to_contain_text("Facilitator")
    expect(facts).to_contain_text("Lee Partner")
    expect(facts.get_by_role("link", name=PLACE_CYCLE)).to_be_visible()
    expect(facts.get_by_role("link", name=TEAM_CYCLE)).to_be_visible()
    upcoming = page.get_by_role("region", name="Next meetings").get_by_role("listitem")
    expect(upcoming).to_have_count(4)
    invited = page.get_by_role("region", name="Invited")
    expect(invited).to_contain_text("Pat Practitioner")
    expect(invited).to_contain_text(f"{GUEST} (guest)")
    audit(page)


def time_passes(world: World) -> None:
    """The day before the first meeting: its "1 day before" reminders fall due, and the beat's
    dispatch task delivers them."""
    with tenant_scope(workspace_id=world.workspace.pk):
        due = Reminder.objects.filter(
            kind=Reminder.Kind.SESSION_REMINDER, status=Reminder.Status.PENDING
        )
        assert {r.payload["lead"] for r in due} == {60 * 24}  # only the lead time chosen
        first = due.order_by("occurrence_start").values_list("occurrence_start", flat=True)[0]
        assert due.filter(recipient=world.pat, occurrence_start=first).exists()
        due.filter(occurrence_start=first).update(due_at=timezone.now())
    assert dispatch_due() == 4  # to Pat, Sam, Lee and the guest
    assert dispatch_due() == 0  # the beat runs again: nothing is sent twice
    with tenant_scope(workspace_id=world.workspace.pk):
        assert not Reminder.objects.filter(
            kind=Reminder.Kind.SESSION_REMINDER, occurrence_start=first, status="pending"
        ).exists()


# The journey ----------------------------------------------------------------------------------


def test_steward_sets_up_a_place_cycle_a_session_runs_and_a_report_is_exported(
    page: Page, phone_page: Page, new_page: NewPage, world: World, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    mail.outbox.clear()

    # 2. The steward sets up the place cycle.
    sam = page
    sign_in_as(sam, SAM, "Sam Steward")
    set_up_place_cycle(sam)

    # 3. ... and plans a fortnightly session for it and the team cycle.
    first = timezone.localdate() + dt.timedelta(days=4)
    plan_session(sam, first)
    invitations = [m for m in mail.outbox if m.subject == f"You are invited: {SESSION}"]
    assert {m.to[0] for m in invitations} == {PAT, SAM, LEE, GUEST}

    # Meanwhile Hana shares a story in the team cycle; then time passes.
    share_story(world, HANA)
    mail.outbox.clear()
    time_passes(world)

    # 4. The reminder email carries the link to the meeting.
    reminders = {m.to[0]: m for m in mail.outbox}
    assert set(reminders) == {PAT, SAM, LEE, GUEST}, [m.subject for m in mail.outbox]
    to_pat = reminders[PAT]
    assert to_pat.subject == f"{SESSION}, tomorrow"
    assert isinstance(to_pat, EmailMultiAlternatives)
    body = str(to_pat.body)
    link = re.search(r"See the agenda: (\S+)", body)
    assert link, body
    meeting_url = link.group(1)
    assert meeting_url.startswith(f"{live_server.url}/w/riverside/sessions/")
    assert "/meetings/" in meeting_url
    assert meeting_url in str(to_pat.alternatives[0][0])  # the HTML part too

    # Pat, on a phone, finds the reminder in the notification centre and follows it.
    pat = phone_page
    sign_in_as(pat, PAT, "Pat Practitioner")
    pat.get_by_role("navigation", name="Account").get_by_role("link", name="Notifications").click()
    expect(pat.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    notice = pat.locator(".notification").filter(has_text=f"{SESSION}, tomorrow")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("Unread")
    expect(notice).to_contain_text("The agenda is ready to look at beforehand.")
    assert_fits_phone(pat)
    audit(pat)
    notice.get_by_role("link", name=f"{SESSION}, tomorrow").click()

    expect(pat).to_have_url(meeting_url)
    expect(pat.get_by_role("heading", name=SESSION, level=1)).to_be_visible()
    agenda = pat.get_by_role("region", name="Agenda")
    expect(agenda.get_by_role("heading", name="Questions to think about together")).to_be_visible()
    expect(agenda.locator(".sessions-questions > li").first).to_be_visible()
    expect(agenda.get_by_role("heading", name="Stories and what people logged")).to_be_visible()
    story = agenda.locator(".exhibit").filter(has_text=STORY)
    expect(story).to_have_count(1)
    expect(story).to_contain_text(TEAM_CYCLE)
    assert_fits_phone(pat)
    audit(pat)

    # 5. Lee, the facilitator, records the meeting.
    lee = new_page()
    sign_in_as(lee, LEE, "Lee Partner")
    open_from_nav(lee, "Sessions")
    coming = lee.get_by_role("region", name="Coming up (next eight weeks)")
    coming.get_by_role("link", name=SESSION).first.click()
    expect(lee).to_have_url(meeting_url)
    lee.get_by_role("link", name="Facilitate").click()
    expect(lee.get_by_role("heading", name=f"Facilitate: {SESSION}", level=1)).to_be_visible()
    audit(lee)

    notes = lee.get_by_role("region", name="Notes")
    notes.get_by_role("textbox", name="Notes").fill(NOTES)
    notes.get_by_role("checkbox").first.check()  # a question from the agenda was discussed
    notes.get_by_role("button", name="Save notes").click()
    status_says(lee, "Notes saved.")
    expect(lee.get_by_role("textbox", name="Notes")).to_have_value(NOTES)

    came = lee.get_by_role("region", name="Who came")
    came.get_by_role("checkbox", name="Pat Practitioner").check()
    came.get_by_role("checkbox", name="Sam Steward").check()
    came.get_by_role("button", name="Save attendance").click()
    status_says(lee, "Attendance saved.")
    expect(
        lee.get_by_role("region", name="Who came").get_by_role("checkbox", name="Pat Practitioner")
    ).to_be_checked()

    for kind, cycle, text in (
        ("Insight", TEAM_CYCLE, INSIGHT),
        ("Decision", PLACE_CYCLE, DECISION),
    ):
        outputs = lee.get_by_role("region", name="Outputs", exact=True)
        outputs.get_by_label("What is it").select_option(label=kind)
        outputs.get_by_label("Into which cycle").select_option(label=cycle)
        outputs.get_by_label("Text").fill(text)
        outputs.get_by_role("button", name="Add it").click()
        status_says(lee, f"Added to {cycle}, with a link back to this session.")
    produced = lee.get_by_role("region", name="Outputs", exact=True).locator(
        ".sessions-outputs > li"
    )
    expect(produced).to_have_count(2)
    expect(produced.filter(has_text=INSIGHT)).to_contain_text(TEAM_CYCLE)
    expect(produced.filter(has_text=DECISION)).to_contain_text(PLACE_CYCLE)
    audit(lee)
    lee.get_by_role("button", name="All outputs are recorded").click()
    status_says(lee, "Outputs recorded.")
    expect(lee.get_by_role("heading", name=SESSION, level=1)).to_be_visible()
    expect(lee.get_by_role("region", name="What this meeting produced")).to_contain_text(INSIGHT)
    audit(lee)

    # The insight is in the team cycle's timeline, with a link back to the session.
    open_from_nav(lee, "Cycles")
    lee.get_by_role("link", name=TEAM_CYCLE, exact=True).click()
    expect(lee.get_by_role("heading", name=TEAM_CYCLE, level=1)).to_be_visible()
    lee.get_by_role("link", name="Timeline", exact=True).click()
    insight = lee.locator("#timeline-list .entry").filter(has_text=INSIGHT)
    expect(insight).to_have_count(1)
    expect(insight).to_contain_text("Insight")
    source = insight.get_by_role("link", name=re.compile(rf"^From the session {SESSION}, "))
    expect(source).to_be_visible()
    audit(lee)
    source.click()
    expect(lee).to_have_url(meeting_url)

    # Pat, back on the meeting page, sees what it produced for the team.
    pat.reload()
    expect(pat.get_by_role("region", name="What this meeting produced")).to_contain_text(INSIGHT)

    # 6. The steward writes the learning report for the place cycle.
    open_from_nav(sam, "Reports")
    expect(sam.get_by_role("heading", name="Learning reports", level=1)).to_be_visible()
    sam.get_by_role("link", name="Start a learning report").click()
    expect(sam.get_by_role("heading", name="Start a learning report", level=1)).to_be_visible()
    audit(sam)
    sam.get_by_label("Title").fill(REPORT)
    today = timezone.localdate()
    sam.get_by_label("From").fill((today - dt.timedelta(days=60)).isoformat())
    sam.get_by_label("To", exact=True).fill(today.isoformat())
    sam.get_by_role("group", name="Cycles it reports on").get_by_role(
        "checkbox", name=re.compile(rf"^{PLACE_CYCLE} ")
    ).check()
    sam.get_by_role("button", name="Start the draft").click()

    expect(sam.get_by_role("heading", name=REPORT, level=1)).to_be_visible()
    # The assembly runs in Celery; the page shows its progress, then the sections.
    expect(sam.locator("#report-progress progress")).to_have_count(0, timeout=20_000)
    purpose = sam.get_by_role("region", name="Purpose and principles")
    expect(purpose).to_contain_text(PRINCIPLE)
    sessions = sam.get_by_role("region", name="Sense-making sessions held")
    expect(sessions).to_contain_text(SESSION)
    audit(sam)

    learnt = sam.get_by_role("region", name="What we learnt")
    learnt.get_by_role("link", name="Write or edit What we learnt").click()
    expect(sam.get_by_role("heading", name="What we learnt", level=1)).to_be_visible()
    audit(sam)
    sam.get_by_label("Our account").fill(NARRATIVE)
    sam.get_by_role("button", name="Save").click()
    status_says(sam, "Saved. Your co-authors see it now.")
    expect(sam.get_by_role("region", name="What we learnt")).to_contain_text(NARRATIVE)

    sam.get_by_role("link", name="Publish…").click()
    expect(sam.get_by_role("heading", name=f"Publish “{REPORT}”?", level=1)).to_be_visible()
    audit(sam)
    sam.get_by_role("button", name="Yes, publish it").click()
    status_says(sam, "Published. The report is now read-only.")
    expect(
        sam.get_by_text("This report is published; start a new draft to change it.")
    ).to_be_visible()
    expect(sam.get_by_role("link", name="Write or edit What we learnt")).to_have_count(0)

    # Exports: PDF and Markdown, downloaded.
    downloads: dict[str, bytes] = {}
    for label in ("PDF", "Markdown"):
        exports = sam.get_by_role("region", name="Export", exact=True)
        exports.get_by_label("Format").select_option(label=label)
        exports.get_by_role("button", name="Export").click()
        expect(sam.get_by_role("heading", name=f"{label} export", level=1)).to_be_visible()
        button = sam.get_by_role("link", name=re.compile(r"^Download "))
        expect(button).to_be_visible(timeout=20_000)
        audit(sam)
        with sam.expect_download() as info:
            button.click()
        download = info.value
        path = download.path()
        assert path is not None
        downloads[download.suggested_filename] = path.read_bytes()
        sam.get_by_role("link", name=REPORT).click()
        expect(sam.get_by_role("heading", name=REPORT, level=1)).to_be_visible()

    names = sorted(downloads)
    assert [n.rsplit(".", 1)[1] for n in names] == ["md", "pdf"], names
    pdf = next(data for name, data in downloads.items() if name.endswith(".pdf"))
    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    assert REPORT in flat, flat[:500]
    assert "What we learnt" in flat
    assert "Purpose and principles" in flat
    assert NARRATIVE in flat
    markdown = next(data for name, data in downloads.items() if name.endswith(".md")).decode()
    assert markdown.lstrip().startswith(f"# {REPORT}")
    assert "## What we learnt" in markdown
    assert NARRATIVE in markdown
