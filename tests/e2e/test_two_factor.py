"""Browser journey: an admin whose workspace asks for two-step sign-in sets it up with the app's
code, keeps the recovery codes, then signs in again in two steps: a wrong code said beside the
field, the right one lets them in; and sees where they are signed in."""

import re
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from hls.tenancy.models import Membership, Workspace
from tests.accounts.helpers import app_code
from tests.e2e.accessibility import check_accessibility
from tests.e2e.test_journey_foundation import sign_in

pytestmark = pytest.mark.e2e


def test_admin_sets_up_two_step_sign_in_and_signs_in_with_a_code(
    page: Page, live_server: Any, admin: Membership
) -> None:
    Workspace.objects.filter(pk=admin.workspace_id).update(require_two_factor=True)
    user = get_user_model().objects.get(pk=admin.user_id)

    # The workspace asks for it: the first page after signing in is the set-up.
    page.goto("/w/riverside/members/")
    sign_in(page, "admin@riverside.test")
    expect(page).to_have_url(re.compile(r"/accounts/two-step/set-up/\?next="))
    expect(page.get_by_role("heading", name="Set up two-step sign-in", level=1)).to_be_visible()
    expect(page.get_by_text("Riverside Partnership asks its admins and stewards")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to add HLS Learning Cycles")).to_be_visible()
    key = page.locator("#secret-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    check_accessibility(page)

    page.get_by_label("The six digits your app shows now").fill(app_code(user, confirmed=False))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes", level=1)).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download them as a text file").click()
    assert download.value.suggested_filename == "hls-recovery-codes.txt"
    check_accessibility(page)
    page.get_by_role("button", name="I have kept them").click()
    expect(page).to_have_url(re.compile(r"/w/riverside/members/$"))  # back where they asked

    # Signing in again takes two steps.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "admin@riverside.test")
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    expect(page.get_by_role("heading", name="Your code", level=1)).to_be_visible()
    check_accessibility(page)
    code_box = page.get_by_label("Code", exact=True)
    code_box.fill("000000" if app_code(user) != "000000" else "111111")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#id_code_error")).to_contain_text("That code does not match")
    check_accessibility(page)

    time.sleep(1.1)  # the app's back-off after a wrong code
    page.get_by_label("Code", exact=True).fill(app_code(user))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/w/riverside/$"))
    expect(page.get_by_text("You are in Riverside Partnership as Admin.")).to_be_visible()

    # Where they are signed in: this browser, marked.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Ada Admin").click()
    page.get_by_role("link", name="Where you're signed in").click()
    expect(page.get_by_role("heading", name="Where you're signed in", level=1)).to_be_visible()
    expect(page.get_by_text("This browser")).to_be_visible()
    expect(page.get_by_text(re.compile(r" on Linux"))).to_be_visible()  # headless Chromium
    check_accessibility(page)
