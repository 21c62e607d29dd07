"""Issue 16's self-signification in Chromium, on a phone: a practitioner saves a story in a
cycle that offers signifiers, is asked where it sits, taps the triangle (a tap outside it is
refused with a message, nothing moved), places it on the slider and the question, and finds it
as a dot on the cycle's placed stories, which opens the story."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cycles.models import Placement
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Workspace
from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import PHONE, NewPage
from tests.e2e.test_journey_cycles import assert_fits_phone
from tests.e2e.test_journey_foundation import sign_in
from tests.factories import CycleFactory, CycleMemberFactory
from tests.signifiers.helpers import FULL_SET, attach

pytestmark = pytest.mark.e2e

STORY = "Mrs B said her neighbour's lifts to the clinic made the difference this month."


def tap_triangle(page: Page, x: float, y: float) -> None:
    """Tap the triangle at (x, y) of its own drawing (its viewBox), whatever its size on screen."""
    svg = page.locator(".triad svg")
    box = svg.bounding_box()
    assert box is not None
    width = float(svg.get_attribute("viewBox").split()[2])
    scale = box["width"] / width
    svg.click(position={"x": x * scale, "y": y * scale})


def test_a_practitioner_places_a_story_on_a_triad_and_sees_its_dot(
    new_page: NewPage, workspace: Workspace, member: Membership
) -> None:
    workspace.small_count_threshold = 1
    workspace.save(update_fields=["small_count_threshold"])
    with tenant_scope(workspace_id=workspace.pk):
        cycle = CycleFactory(workspace=workspace, name="Northside team cycle")
        CycleMemberFactory(workspace=workspace, cycle=cycle, user=member.user)
        attach(workspace, cycle, member.user, definition=FULL_SET)

    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto("/accounts/login/")
    sign_in(phone, member.user.email)
    phone.goto(f"/w/riverside/cycles/{cycle.pk}/timeline/")
    phone.get_by_role("link", name="+ Log a step (quick capture)").click()
    expect(phone.get_by_label("Cycle", exact=True)).to_have_value(str(cycle.pk))
    phone.get_by_label("What happened?").fill(STORY)
    phone.get_by_role("button", name="Save", exact=True).click()

    # Straight on to placing it
    expect(phone.get_by_role("heading", name="Place your story", level=1)).to_be_visible()
    expect(phone).to_have_url(re.compile(r"/w/riverside/entries/\d+/place/\?next="))
    assert_fits_phone(phone)
    check_accessibility(phone)

    # A tap outside the triangle is refused; the shares stay empty
    tap_triangle(phone, 35, 40)
    expect(phone.locator(".triad-message")).to_contain_text("outside the triangle")
    expect(phone.get_by_label("People (%)")).to_have_value("")

    # A tap near the top corner ("People") fills the three shares
    tap_triangle(phone, 160, 86)  # a fifth of the way down from the top corner
    people = float(phone.get_by_label("People (%)").input_value())
    place = float(phone.get_by_label("Place (%)").input_value())
    practical = float(phone.get_by_label("Practical help (%)").input_value())
    assert 74 < people < 80
    assert abs(people + place + practical - 100) < 0.01
    expect(phone.locator(".triad-marker")).to_be_visible()

    phone.get_by_label("How did it feel?").fill("80")
    phone.get_by_role("group", name="How fast did things move?").get_by_label(
        "Does not apply to this story"
    ).check()
    phone.get_by_role("group", name="Who was there?").get_by_label("Family").check()
    phone.get_by_role("button", name="Save where my story sits").click()
    expect(phone.get_by_text("Your story is placed.")).to_be_visible()

    with tenant_scope(workspace_id=workspace.pk):
        placed = Placement.objects.get(entry__text=STORY)
    assert placed.data["helped"]["a"] == pytest.approx(people / 100, abs=0.001)
    assert placed.data["felt"] == {"x": 0.8}
    assert placed.data["pace"] == "na"
    assert placed.data["who"] == ["Family"]

    # The dot on the cycle's placed stories opens the story
    phone.goto(f"/w/riverside/cycles/{cycle.pk}/patterns/")
    phone.get_by_role("link", name="Stories placed by their tellers").click()
    expect(phone.get_by_role("heading", name="Stories placed by their tellers")).to_be_visible()
    dot = phone.locator(f'#plot-helped ~ figure a.plot-dot[data-entry="{placed.entry_id}"]')
    expect(dot).to_have_count(1)
    assert_fits_phone(phone)
    check_accessibility(phone)
    dot.click()
    expect(phone).to_have_url(re.compile(rf"/timeline/\?.*#entry-{placed.entry_id}$"))
    expect(phone.locator(f"#entry-{placed.entry_id}")).to_contain_text("lifts to the clinic")
