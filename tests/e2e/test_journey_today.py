"""Issue 13's journeys: each role signs in, lands on Today, and acts on an item there in one
tap (the practitioner also on a 390x844 phone). axe and the no-sideways-scroll check run on
Today and on the page each item opens. The world is Today's behaviour tests' (tests/hls)."""

# ruff: noqa: F811  (Today's `world` fixture is imported, then asked for by name)

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_journey_cycles import check_page
from tests.e2e.test_journey_foundation import sign_in
from tests.hls.test_today import OVERDUE, RUNNING, world  # noqa: F401

pytestmark = pytest.mark.e2e


def land_on_today(page: Page, membership: Any) -> Any:
    """Sign in from the front door; Today is where one lands. Returns Today's day section."""
    page.goto("/")
    sign_in(page, membership.user.email)
    expect(page).to_have_url(re.compile(r"/w/riverside/$"))
    name = membership.user.display_name
    expect(page.get_by_role("heading", name=f"Today, {name}", level=1)).to_be_visible()
    check_page(page)
    return page.get_by_role("region", name="Your day")


def test_practitioner_decides_on_an_experiment_past_its_end(page: Page, world: Any) -> None:
    day = land_on_today(page, world.pat)
    experiments = day.get_by_role("region", name="Your experiments")
    expect(experiments).to_contain_text("time to decide")
    experiments.get_by_role("link", name=f"Decide on “{OVERDUE}”").click()
    expect(page.get_by_role("heading", name=f"End “{OVERDUE}”", level=1)).to_be_visible()
    check_page(page)


def test_practitioner_checks_in_from_a_phone(phone_page: Page, world: Any) -> None:
    page = phone_page
    day = land_on_today(page, world.pat)
    day.get_by_role("link", name=f"Check in on “{RUNNING}”").click()
    expect(page.get_by_role("heading", name=f"Check in on “{RUNNING}”", level=1)).to_be_visible()
    check_page(page)


def test_manager_opens_the_patterns_below(page: Page, world: Any) -> None:
    day = land_on_today(page, world.cast.manager)
    upper = world.cast.upper.name
    expect(day.get_by_role("region", name="Barriers in your cycles")).to_contain_text(
        "Waiting for an answer from your cycles"
    )
    day.get_by_role("link", name=f"Patterns below {upper}").click()
    expect(page.get_by_role("heading", name=f"Patterns below {upper}", level=1)).to_be_visible()
    check_page(page)


def test_steward_opens_the_place_cycles_next_meeting(page: Page, world: Any) -> None:
    day = land_on_today(page, world.steward)
    expect(day.get_by_role("region", name="Who takes part in the place cycles")).to_be_visible()
    day.get_by_role("link", name="Agenda and pack for Sense-making 0").click()
    expect(page.get_by_role("heading", name="Sense-making 0", level=1)).to_be_visible()
    check_page(page)


def test_admin_opens_a_report_in_draft(page: Page, world: Any) -> None:
    day = land_on_today(page, world.cast.admin)
    day.get_by_role("region", name="Learning reports in draft").get_by_role(
        "link", name="What we learnt 0"
    ).click()
    expect(page.get_by_role("heading", name="What we learnt 0", level=1)).to_be_visible()
    check_page(page)


def test_partner_facilitates_from_today(page: Page, world: Any) -> None:
    day = land_on_today(page, world.partner)
    sessions = day.get_by_role("region", name="Coming sessions")
    expect(sessions).to_contain_text("you facilitate")
    sessions.get_by_role("link", name="Facilitate Sense-making 0").click()
    expect(page.get_by_role("heading", name="Facilitate: Sense-making 0", level=1)).to_be_visible()
    check_page(page)
