"""Typed text survives any failure (static/js/drafts.js, hls/client_tokens.py): a lost
connection, a server error, a closed tab, and a save whose answer never arrived. The text is
offered back, restoring it fills the form, a confirmed save forgets it, and a retry of a save
that did happen makes no second entry."""

import re

import pytest
from playwright.sync_api import Page, Route, expect

from cycles.models import Cycle, Entry
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Workspace
from tests.e2e.conftest import NewPage
from tests.e2e.test_journey_foundation import sign_in
from tests.factories import CycleFactory, SystemMemberFactory

pytestmark = pytest.mark.e2e

PAT = "pat@riverside.test"
LOG = "/w/riverside/log/"
TEXT = "Sam waited forty minutes at the front desk before anyone asked what he needed."


@pytest.fixture
def cycle(workspace: Workspace, member: Membership) -> Cycle:
    with tenant_scope(workspace_id=workspace.pk):
        made: Cycle = CycleFactory(workspace=workspace, name="Front door cycle")
        SystemMemberFactory(workspace=workspace, system=made.system, user=member.user)
    return made


def _texts(workspace: Workspace) -> list[str]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(Entry.objects.order_by("pk").values_list("text", flat=True))


def _local_drafts(page: Page) -> list[str]:
    keys: list[str] = page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('hls-draft:'))"
    )
    return keys


def _offer(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("[data-local-draft-offer]")


def _open_capture(page: Page) -> None:
    page.goto("/", timeout=60_000)  # the live server's first page can be slow on a busy machine
    sign_in(page, PAT)
    expect(page).to_have_url(re.compile(r"/w/riverside/$"))
    page.goto(LOG)
    expect(page.get_by_role("heading", name="Log a step", level=1)).to_be_visible()


def _type(page: Page) -> None:
    expect(page.get_by_label("Cycle", exact=True)).to_have_value(re.compile(r"\d+"))
    page.get_by_role("radio", name="Story").check()
    page.get_by_label("What happened?").fill(TEXT)


def test_text_sent_over_a_lost_connection_is_offered_back_and_saved_once_restored(
    page: Page, workspace: Workspace, cycle: Cycle
) -> None:
    _open_capture(page)
    # The connection is gone: every POST fails (the form, and the server-side draft autosave).
    page.route(
        "**/*",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    _type(page)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_timeout(500)
    assert _texts(workspace) == []

    page.unroute("**/*")  # back online; the person opens the form again
    page.goto(LOG)
    offer = _offer(page)
    expect(offer).to_contain_text("You typed this here and it was not saved")
    expect(offer).to_contain_text(TEXT)
    expect(page.get_by_label("What happened?")).to_have_value("")
    offer.get_by_role("button", name="Restore it").click()
    expect(page.get_by_label("What happened?")).to_have_value(TEXT)
    expect(page.get_by_text("Restored. Check it, then save.")).to_be_visible()

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Saved: your"))).to_be_visible()
    assert _texts(workspace) == [TEXT]
    assert _local_drafts(page) == []  # the server confirmed it: the draft is gone
    page.goto(LOG)
    expect(page.get_by_role("heading", name="Log a step", level=1)).to_be_visible()
    expect(_offer(page)).to_have_count(0)


def test_a_server_error_keeps_the_text_and_a_closed_tab_offers_it_back(
    new_page: NewPage, workspace: Workspace, cycle: Cycle
) -> None:
    page = new_page()
    _open_capture(page)
    page.route(
        "**/w/riverside/log/",
        lambda route: (
            route.fulfill(status=500, body="Server Error (500)", content_type="text/html")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    _type(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Server Error (500)")).to_be_visible()

    # The tab is closed; later a new one is opened on the form.
    context = page.context
    page.close()
    again = context.new_page()
    again.goto(LOG)
    offer = _offer(again)
    expect(offer).to_contain_text(TEXT)
    offer.get_by_role("button", name="Discard").click()
    expect(_offer(again)).to_have_count(0)
    assert _local_drafts(again) == []
    again.reload()
    expect(again.get_by_role("heading", name="Log a step", level=1)).to_be_visible()
    expect(_offer(again)).to_have_count(0)
    assert _texts(workspace) == []


def test_a_save_whose_answer_was_lost_is_not_made_twice(
    page: Page, workspace: Workspace, cycle: Cycle
) -> None:
    """The server saves, but the answer never reaches the browser (the connection drops on the
    way back). The draft is offered back; sending it again is answered from the first save."""
    _open_capture(page)

    def deliver_then_drop(route: Route) -> None:
        if route.request.method != "POST" or "/log/" not in route.request.url:
            route.continue_()
            return
        route.fetch(max_redirects=0)  # it reaches the server, which saves it
        # and the answer is lost, with the cookies it set (Playwright's fetch shares the
        # browser's cookie jar; the browser itself never saw this answer)
        page.context.clear_cookies(name=re.compile("^(hls_saved|messages)$"))
        route.abort("connectionreset")

    page.route("**/*", deliver_then_drop)
    _type(page)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_timeout(500)
    assert _texts(workspace) == [TEXT]
    page.unroute("**/*")

    page.goto(LOG)
    offer = _offer(page)
    expect(offer).to_contain_text(TEXT)
    offer.get_by_role("button", name="Restore it").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(
        page.get_by_text("This was already saved: it was sent twice and kept once.")
    ).to_be_visible()
    assert _texts(workspace) == [TEXT]
    assert _local_drafts(page) == []


def test_the_timelines_htmx_form_forgets_a_saved_draft_and_keeps_an_unsent_one(
    new_page: NewPage, workspace: Workspace, cycle: Cycle
) -> None:
    page = new_page()
    _open_capture(page)
    timeline = f"/w/riverside/cycles/{cycle.pk}/timeline/"
    page.goto(timeline)
    form = page.locator("#entry-create form")
    form.get_by_role("radio", name="Idea").check()
    form.get_by_label("What happened?").fill("Ask the desk about a quiet room")
    form.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#timeline-list")).to_contain_text("Ask the desk about a quiet room")
    expect(form.get_by_label("What happened?")).to_have_value("")
    assert _texts(workspace) == ["Ask the desk about a quiet room"]
    page.wait_for_timeout(600)
    assert _local_drafts(page) == []  # the answer confirmed it

    # The connection drops (the server-side draft autosave cannot reach the server either);
    # typed into the fresh form, never sent; the tab is closed.
    page.context.set_offline(True)
    form = page.locator("#entry-create form")
    form.get_by_label("What happened?").fill(TEXT)
    page.wait_for_timeout(600)  # kept in the browser a moment after typing stops
    context = page.context
    page.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto(timeline)
    offer = _offer(again)
    expect(offer).to_contain_text(TEXT)
    fresh = again.locator("#entry-create form").get_by_label("What happened?")
    expect(fresh).to_have_value("")
    offer.get_by_role("button", name="Restore it").click()
    expect(fresh).to_have_value(TEXT)


def test_every_free_text_form_takes_part_and_sign_in_does_not(
    page: Page, workspace: Workspace, cycle: Cycle
) -> None:
    page.goto("/", timeout=60_000)
    sign_in_form = page.locator("form", has=page.get_by_label("Password", exact=True))
    expect(sign_in_form.locator("input[name=client_token]")).to_have_count(0)
    sign_in(page, PAT)
    expect(page).to_have_url(re.compile(r"/w/riverside/$"))

    # An experiment's design: no server-side draft of its own, opted in by its textareas.
    page.goto(f"/w/riverside/cycles/{cycle.pk}/experiments/new/")
    design = page.locator("form[method=post]", has=page.locator("textarea")).first
    token = design.locator("input[name=client_token]")
    expect(token).to_have_value(re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"))
    first_text = design.locator("textarea").first
    first_text.fill("Open the side door at nine, with a sign")
    page.wait_for_timeout(600)
    page.reload()
    offer = _offer(page)
    expect(offer).to_contain_text("Open the side door at nine, with a sign")
    offer.get_by_role("button", name="Restore it").click()
    expect(
        page.locator("form[method=post]", has=page.locator("textarea"))
        .first.locator("textarea")
        .first
    ).to_have_value("Open the side door at nine, with a sign")
