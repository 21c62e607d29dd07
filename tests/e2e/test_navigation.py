"""The workspace navigation fits: on one line at 1280 px with nothing off-screen or wrapped,
and behind a menu button on a phone; patterns are one click from a manager's home."""

import re
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import DESKTOP, PHONE, NewPage
from tests.e2e.test_journey_foundation import sign_in

pytestmark = pytest.mark.e2e

# Every item of the bar: its links and its disclosures' buttons, with how its text lays out.
BAR_ITEMS = """() => [...document.querySelectorAll(
    '.workspace-nav .nav-bar > li > a, .workspace-nav .nav-bar > li > details > summary')]
  .map(el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    const box = el.getBoundingClientRect();
    return {text: el.textContent.trim(), lines: lines.size, top: Math.round(box.top),
            right: box.right, visible: box.width > 0 && box.height > 0};
  })"""


def test_the_bar_fits_a_1280_screen_on_one_line(page: Page, cast: Any) -> None:
    page.goto("/")
    sign_in(page, "admin@riverside.test")  # the admin has every item
    expect(page.get_by_role("heading", name=re.compile("^Today"), level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Workspace")
    expect(nav.locator("summary", has_text="Menu")).to_be_hidden()

    overflow = page.evaluate(
        """() => {
          const bar = document.querySelector('.workspace-nav .nav-bar');
          return {bar: bar.scrollWidth - bar.clientWidth,
                  page: document.documentElement.scrollWidth
                        - document.documentElement.clientWidth};
        }"""
    )
    assert overflow == {"bar": 0, "page": 0}, overflow
    items = page.evaluate(BAR_ITEMS)
    assert [i["text"] for i in items][:3] == ["Today", "Cycles", "Patterns"]
    assert {"More", "Workspace"} <= {i["text"] for i in items}
    for item in items:
        assert item["visible"], f"{item['text']!r} is not shown: {item}"
        assert item["lines"] == 1, f"{item['text']!r} wraps: {item}"
        assert item["right"] <= 1280, f"{item['text']!r} is off-screen: {item}"
    assert len({i["top"] for i in items}) == 1, f"the bar takes more than one line: {items}"
    check_accessibility(page)

    # The admin pages are under "Workspace": it opens without a script, and a link works.
    nav.locator(".nav-bar summary", has_text="Workspace").click()
    nav.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members", level=1)).to_be_visible()
    expect(nav.locator("summary.current")).to_have_text(re.compile("^Workspace"))
    check_accessibility(page)


def test_on_a_phone_a_menu_button_opens_the_navigation(new_page: NewPage, cast: Any) -> None:
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/")
    sign_in(page, "manager@riverside.test")
    nav = page.get_by_role("navigation", name="Workspace")
    menu = nav.locator("summary", has_text="Menu")  # a native disclosure button
    expect(menu).to_be_visible()
    expect(nav.get_by_role("link", name="Patterns")).to_be_hidden()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"

    menu.focus()
    page.keyboard.press("Enter")
    expect(nav.locator("details.nav-menu")).to_have_attribute("open", "")
    for name in ("Today", "Cycles", "Patterns", "Members"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    check_accessibility(page)
    page.keyboard.press("Escape")  # closes as a menu does, focus back on its button
    expect(nav.locator("details.nav-menu")).not_to_have_attribute("open", "")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1).click()  # a click outside closes it too
    expect(nav.locator("details.nav-menu")).not_to_have_attribute("open", "")
    page.keyboard.press("Tab")
    menu.click()

    # One tap from the menu to the patterns below the manager's cycle.
    nav.get_by_role("link", name="Patterns", exact=True).click()
    expect(page.get_by_role("heading", name="Patterns below Open Door cycle")).to_be_visible()
    check_accessibility(page)


@pytest.fixture
def patterns_world(cast: Any) -> Any:
    """Stories shared upward from the North team with one theme: three this month, four five
    months ago and one (suppressed) in between."""
    from hls.tenancy.context import tenant_scope
    from tests.factories import ThemeFactory
    from tests.patterns.helpers import entry

    now = timezone.localtime().replace(day=1, hour=12)
    with tenant_scope(workspace_id=cast.workspace.pk):
        theme = ThemeFactory(workspace=cast.workspace, name="Fear of letters", kind="problem")
        for months_ago, n in ((0, 3), (2, 1), (5, 4)):
            when = now - relativedelta(months=months_ago)
            for _ in range(n):
                entry(cast.workspace, cast.cycle, themes=[theme], when=when)
    return cast


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_patterns_open_on_the_newest_month_with_counts_on_the_chart(
    new_page: NewPage, patterns_world: Any, viewport: dict[str, int]
) -> None:
    page = new_page(viewport=viewport)
    page.goto("/")
    sign_in(page, "manager@riverside.test")
    page.goto(f"/w/riverside/cycles/{patterns_world.upper.pk}/patterns/")
    expect(page.get_by_role("heading", name="Patterns below Open Door cycle")).to_be_visible()

    table = page.locator("table.pattern-table")
    newest = table.locator("thead th").nth(1)  # after the themes' column, the newest first
    expect(newest).to_have_text(date_format(timezone.localdate(), "M Y"))
    table.scroll_into_view_if_needed()
    expect(newest).to_be_in_viewport()
    expect(table.get_by_role("rowheader", name="Fear of letters")).to_be_in_viewport()
    counts = page.locator(".trend-count").all_text_contents()
    assert counts == ["4", "<3", "3"], counts
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    check_accessibility(page)
