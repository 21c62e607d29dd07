"""Browser journeys: Playwright (sync API) driving Debian's Chromium against pytest-django's
live_server.

The live server runs in a thread of this process, so the tests share its database (transactional:
live_server flushes between tests) and its locmem mail outbox.
"""

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

# Playwright's sync API runs an event loop in the main thread; without this Django refuses ORM
# calls from the test body ("SynchronousOnlyOperation"). Safe here: the loop only drives the
# browser and never runs Django code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000

E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser journey, even one whose module forgets pytestmark,
    so `-m "not e2e"` (the parallel unit run) never picks it up."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        message = (
            f"Debian Chromium not found at {CHROMIUM}: "
            "run `make test` as root on Debian to install it"
        )
        if _ci():
            pytest.fail(f"{message} (the browser journeys must not be skipped in CI)")
        pytest.skip(message)
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


class InFlight:
    """Requests the live server is answering. A closed page can still send one (the drafts' save
    on `pagehide`, as a beacon); it must be answered before the test's database is flushed, or
    the flush races it and the next test starts on the last one's rows."""

    def __init__(self) -> None:
        self.count = 0
        self.last_change = time.monotonic()
        self.lock = threading.Lock()
        request_started.connect(self.started, weak=False)
        request_finished.connect(self.finished, weak=False)

    def started(self, **kwargs: Any) -> None:
        with self.lock:
            self.count += 1
            self.last_change = time.monotonic()

    def finished(self, **kwargs: Any) -> None:
        with self.lock:
            self.count -= 1
            self.last_change = time.monotonic()

    def wait_quiet(self, quiet: float = 0.3, limit: float = 15.0) -> None:
        """Until nothing is in flight and nothing has started for `quiet` seconds (a beacon
        leaves the browser just after its page closes)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self.lock:
                if self.count <= 0 and time.monotonic() - self.last_change >= quiet:
                    return
            time.sleep(0.05)


@pytest.fixture(scope="session")
def in_flight() -> InFlight:
    return InFlight()


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, live_server: Any, in_flight: InFlight) -> Iterator[NewPage]:
    """Make a page in a fresh browser context (its own cookies: a separate person)."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] = DESKTOP, **options: Any) -> Page:
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="en-GB", **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    in_flight.wait_quiet()


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()


@pytest.fixture
def phone_page(new_page: NewPage) -> Page:
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True)


def follow_nav(page: Page, name: str) -> None:
    """Follow the workspace navigation's link `name` as a person would at this screen size: on a
    phone the links sit behind the "Menu" button, so it is opened first (templates/
    workspace_nav.html)."""
    nav = page.get_by_role("navigation", name="Workspace")
    menu = nav.locator("summary", has_text="Menu")
    if menu.is_visible():
        menu.click()
    nav.get_by_role("link", name=name, exact=True).click()
