"""Issue 15's live run in Chromium: a facilitator, a member and a guest on three devices (three
browser contexts) run a method together. Answers appear for the others within a few seconds
(the live region polls), typing is never wiped by an update, the facilitator's move reloads the
others' pages at the new step, and a private step's answers stay hidden until revealed. Then a
phone-sized journey through a rapid-learning reflection, from the cycle's methods to the entry
it writes into the cycle."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cycles.models import Cycle
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from stewardship.methods import services
from stewardship.methods.services import TemplateFields
from stewardship.models import MethodRun
from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import PHONE, NewPage
from tests.e2e.test_journey_cycles import assert_fits_phone
from tests.e2e.test_journey_foundation import sign_in
from tests.factories import CycleFactory, CycleMemberFactory

pytestmark = pytest.mark.e2e

ANA = "ana@riverside.test"
BEN = "ben@riverside.test"
LIVE_MS = 8_000  # polling every 3 s: an answer shows within one or two polls

STEPS = {
    "steps": [
        {
            "key": "noticed",
            "title": "What we noticed",
            "who": "each",
            "fields": [{"key": "what", "label": "What did you notice?", "type": "long_text"}],
        },
        {
            "key": "feel",
            "title": "How it felt",
            "who": "each",
            "private": True,
            "fields": [{"key": "felt", "label": "How did it feel?", "type": "long_text"}],
        },
    ]
}


@pytest.fixture
def world(workspace: Workspace, make_member: Callable[..., Membership]) -> dict[str, Any]:
    ana = make_member(workspace, Role.PRACTITIONER, email=ANA, full_name="Ana Facilitator")
    ben = make_member(workspace, Role.PRACTITIONER, email=BEN, full_name="Ben Member")
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace, name="Northside team cycle")
        for m in (ana, ben):
            CycleMemberFactory(workspace=workspace, cycle=cycle, user=m.user)
        template = services.template_create(
            workspace=workspace,
            user=ana.user,
            fields=TemplateFields("Noticing together", "", "", ["experiment"], [], STEPS),
        )
        run = services.run_start(
            workspace=workspace, user=ana.user, cycle=cycle, template=template, guests=True,
            title="Tuesday huddle",
        )  # fmt: skip
    return {"workspace": workspace, "cycle": cycle, "run": run, "ana": ana, "ben": ben}


def signed_in_page(new_page: NewPage, email: str, **options: Any) -> Page:
    page = new_page(**options)
    page.goto("/accounts/login/")
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


def live(page: Page) -> Any:
    return page.locator("#run-live")


def test_three_people_run_a_method_together_live(new_page: NewPage, world: dict[str, Any]):
    run: MethodRun = world["run"]
    run_url = f"/w/riverside/runs/{run.pk}/"

    # The facilitator opens the run; the guest code and link are there to share.
    ana = signed_in_page(new_page, ANA)
    ana.goto(run_url)
    expect(ana.get_by_role("heading", name="Tuesday huddle", level=1)).to_be_visible()
    expect(ana.locator(".guest-code")).to_have_text(run.guest_code)
    link = ana.locator(f'a[href$="/join/{run.guest_code}/"]').get_attribute("href")
    check_accessibility(ana)

    # A member joins from their own device.
    ben = signed_in_page(new_page, BEN)
    ben.goto(run_url)
    ben.get_by_role("button", name="Join").click()
    expect(ben.get_by_label("What did you notice?")).to_be_visible()

    # A guest joins by the link, with the name the group sees, and sees only the run.
    guest = new_page()
    guest.goto(link)
    guest.get_by_label("Your name, as you want the group to see it").fill("Dee")
    guest.get_by_role("button", name="Join").click()
    expect(guest.get_by_role("heading", name="Step 1: What we noticed")).to_be_visible()
    expect(guest.get_by_role("navigation", name="Workspace")).to_have_count(0)
    expect(guest.get_by_text("Northside team cycle")).to_have_count(0)
    expect(live(ana)).to_contain_text("Dee (guest)", timeout=LIVE_MS)

    # Ana starts typing; Ben's answer arrives on her page and the guest's, and her words stay.
    ana.get_by_label("What did you notice?").fill("Half-typed by Ana")
    ben.get_by_label("What did you notice?").fill("People call back when we leave a name.")
    ben.get_by_role("button", name="Save my answer").click()
    expect(ben.get_by_text("Your answer is saved.")).to_be_visible()
    for page in (ana, guest):
        expect(live(page)).to_contain_text(
            "People call back when we leave a name.", timeout=LIVE_MS
        )
    expect(ana.get_by_label("What did you notice?")).to_have_value("Half-typed by Ana")

    # The facilitator moves the group on: the others' pages follow to the private step.
    ana.get_by_label("What did you notice?").fill("")
    ana.get_by_role("button", name="Next step").click()
    expect(ana.get_by_role("heading", name="Step 2: How it felt")).to_be_visible()
    for page in (ben, guest):
        expect(page.get_by_role("heading", name="Step 2: How it felt")).to_be_visible(
            timeout=LIVE_MS
        )

    # A private answer: counted for the others, its words hidden until the reveal.
    guest.get_by_label("How did it feel?").fill("Lonely, until someone rang me back.")
    guest.get_by_role("button", name="Save my answer").click()
    expect(guest.get_by_text("Your answer is saved.")).to_be_visible()
    expect(live(ben)).to_contain_text("1 has answered.", timeout=LIVE_MS)
    expect(live(ben)).not_to_contain_text("Lonely")
    expect(live(ana)).to_contain_text("1 has answered.", timeout=LIVE_MS)
    expect(live(ana)).not_to_contain_text("Lonely")
    ana.get_by_role("button", name="Reveal answers").click()
    expect(live(ana)).to_contain_text("Lonely, until someone rang me back.")
    expect(live(ben)).to_contain_text("Lonely, until someone rang me back.", timeout=LIVE_MS)
    expect(live(ben)).to_contain_text("Dee")


def test_a_rapid_learning_reflection_on_a_phone(
    new_page: NewPage, workspace: Workspace, member: Membership
):
    with tenant_scope(workspace_id=workspace.pk):
        cycle: Cycle = CycleFactory(workspace=workspace, name="Northside team cycle")
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=member.user)
        services.run_start(
            workspace=workspace, user=member.user, cycle=cycle, builtin="rapid_learning",
            title="This week, Northside",
        )  # fmt: skip
    phone = signed_in_page(new_page, member.user.email, viewport=PHONE, is_mobile=True,
                           has_touch=True)  # fmt: skip
    phone.goto(f"/w/riverside/cycles/{cycle.pk}/")
    phone.get_by_role("link", name="Methods", exact=True).click()
    expect(phone.get_by_role("heading", name="Methods", level=1)).to_be_visible()
    assert_fits_phone(phone)
    phone.get_by_role("link", name="This week, Northside").click()
    expect(phone.get_by_role("heading", name="Step 1: This week")).to_be_visible()
    expect(phone.locator(".run-timer")).to_contain_text("minute left")
    assert_fits_phone(phone)
    check_accessibility(phone)

    phone.get_by_role("button", name="Save my answer").click()  # the one needed field empty
    expect(phone.get_by_text("This one is needed before the step is done.")).to_be_visible()
    phone.get_by_label("What did you notice this week?").fill(
        "Mrs A opened the door when we said who sent us."
    )
    phone.get_by_label("What surprised you?").fill("How quickly trust came")
    phone.get_by_role("button", name="Save my answer").click()
    expect(phone.get_by_text("Your answer is saved.")).to_be_visible()
    phone.get_by_role("button", name="Complete the run").click()
    expect(phone.get_by_role("heading", name="Written into the cycle")).to_be_visible()
    assert_fits_phone(phone)
    phone.get_by_role("link", name=re.compile("Mrs A opened the door")).click()
    expect(phone).to_have_url(re.compile(rf"/cycles/{cycle.pk}/timeline/"))
    expect(phone.get_by_text("Mrs A opened the door when we said who sent us.")).to_be_visible()
