"""The foundation journey: sign in, find the members, invite someone, they join; sign out."""

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role
from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import NewPage
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

INVITEE = "sam.newcomer@riverside.test"


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def invitation_link(message: Any) -> str:
    match = re.search(r"https?://\S+/invitations/\S+/", message.body)
    assert match, f"no invitation link in the email:\n{message.body}"
    return match.group(0)


def test_admin_invites_a_colleague_who_joins(
    page: Page, new_page: NewPage, live_server: Any, settings: Any, admin: Membership
) -> None:
    settings.SITE_URL = live_server.url  # links in emails point at the live server
    mail.outbox.clear()

    # Anyone arriving is asked to sign in first.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    check_accessibility(page)

    sign_in(page, "admin@riverside.test")
    expect(page).to_have_url(re.compile(r"/w/riverside/$"))
    expect(page.get_by_role("heading", name="Today, Ada Admin", level=1)).to_be_visible()
    expect(page.get_by_text("You are in Riverside Partnership as Admin.")).to_be_visible()
    check_accessibility(page)

    workspace_nav = page.get_by_role("navigation", name="Workspace")
    workspace_nav.locator(".nav-bar summary", has_text="Workspace").click()  # the admin pages
    workspace_nav.get_by_role("link", name="Members").click()
    expect(page).to_have_url(re.compile(r"/w/riverside/members/$"))
    expect(page.get_by_role("heading", name="Members", level=1)).to_be_visible()
    workspace_nav.locator(".nav-bar summary", has_text="Workspace").click()
    expect(workspace_nav.get_by_role("link", name="Members")).to_have_attribute(
        "aria-current", "page"
    )
    page.keyboard.press("Escape")  # the menu closes, as menus do
    expect(page.get_by_role("cell", name="admin@riverside.test")).to_be_visible()
    check_accessibility(page)

    invite = page.get_by_role("region", name="Invite someone")
    invite.get_by_label("Email address").fill(INVITEE)
    invite.get_by_label("Role").select_option(label="Steward")
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {INVITEE}.")
    waiting = invite.get_by_role("list").filter(has_text=INVITEE)
    expect(waiting).to_contain_text(f"{INVITEE} · Steward")
    expect(page.get_by_role("heading", name="Waiting to be accepted")).to_be_visible()
    check_accessibility(page)

    # The invitation email went out once the request's transaction committed.
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    email = mail.outbox[0]
    assert email.to == [INVITEE]
    assert "Riverside Partnership" in email.subject
    link = invitation_link(email)
    assert link.startswith(live_server.url)

    # The invitee follows the link in their own browser: no session, so they sign up.
    invitee = new_page()
    invitee.goto(link)
    join_heading = invitee.get_by_role("heading", name="Join Riverside Partnership", level=1)
    expect(join_heading).to_be_visible()
    expect(invitee.get_by_text(f"Create your account for {INVITEE}.")).to_be_visible()
    check_accessibility(invitee)
    invitee.get_by_label("Your name").fill("Sam Newcomer")
    invitee.get_by_label("Choose a password").fill("a-fresh-sturdy-passphrase-7")
    invitee.get_by_label("Type the password again").fill("a-fresh-sturdy-passphrase-7")
    invitee.get_by_role("button", name="Create account and join").click()
    expect(invitee).to_have_url(re.compile(r"/w/riverside/$"))
    expect(invitee.get_by_role("status")).to_contain_text("Welcome to Riverside Partnership.")
    expect(invitee.get_by_role("heading", name="Today, Sam Newcomer", level=1)).to_be_visible()
    expect(invitee.get_by_text("You are in Riverside Partnership as Steward.")).to_be_visible()
    check_accessibility(invitee)

    with tenant_scope(workspace_id=admin.workspace_id):
        joined = Membership.objects.get(workspace=admin.workspace_id, user__email=INVITEE)
    assert joined.role == Role.STEWARD

    # The admin sees the newcomer among the members, and no longer waiting.
    page.reload()
    expect(page.get_by_role("cell", name=INVITEE)).to_be_visible()
    expect(page.get_by_text("No invitations are waiting.")).to_be_visible()

    page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    check_accessibility(page)


def test_wrong_password_is_explained_and_email_kept(page: Page, admin: Membership) -> None:
    page.goto("/accounts/login/")
    sign_in(page, "admin@riverside.test", "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("There is a problem")
    expect(alert).to_contain_text("That email and password do not match an account.")
    expect(page.get_by_label("Email", exact=True)).to_have_value("admin@riverside.test")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    check_accessibility(page)


def test_workspace_home_fits_a_phone_and_starts_with_a_skip_link(
    phone_page: Page, admin: Membership
) -> None:
    page = phone_page
    page.goto("/")
    sign_in(page, "admin@riverside.test")
    expect(page.get_by_role("heading", name="Today, Ada Admin", level=1)).to_be_visible()

    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a 390px-wide phone"

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    # Carrying on with Tab reaches the workspace navigation's menu button, which opens it.
    workspace_nav = page.get_by_role("navigation", name="Workspace")
    menu = workspace_nav.locator("summary", has_text="Menu")
    members = workspace_nav.get_by_role("link", name="Members")
    for target, name in ((menu, "the menu button"), (members, "the Members link")):
        for _ in range(25):
            page.keyboard.press("Tab")
            if target.evaluate("element => element === document.activeElement"):
                break
        else:
            pytest.fail(f"Tabbing from the top of the page never reached {name}")
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Members", level=1)).to_be_visible()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the members page scrolls sideways by {overflow}px on a phone"
    check_accessibility(page)

    # The skip link moves the focus past the header, to the main content.
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def test_admin_changes_a_role_in_place_with_htmx(
    page: Page, admin: Membership, member: Membership
) -> None:
    page.goto("/accounts/login/")
    sign_in(page, "admin@riverside.test")
    page.goto("/w/riverside/members/")
    page.evaluate("window.stillSamePage = true")  # lost if the browser navigates

    page.get_by_label("Role of Pat Practitioner").select_option(label="Manager")
    row = page.locator(f"#member-{member.pk}")
    row.get_by_role("button", name="Change").click()

    expect(row.get_by_role("status")).to_have_text("Pat Practitioner is now Manager.")
    assert page.evaluate("window.stillSamePage") is True  # swapped by htmx, CSRF header sent
    with tenant_scope(workspace_id=member.workspace_id):
        member.refresh_from_db()
    assert member.role == Role.MANAGER

    # The last admin cannot demote themself: the row says why and keeps the role.
    page.get_by_label("Role of Ada Admin").select_option(label="Viewer")
    admin_row = page.locator(f"#member-{admin.pk}")
    admin_row.get_by_role("button", name="Change").click()
    expect(admin_row.get_by_role("status")).to_contain_text("needs at least one admin")
    expect(page.get_by_label("Role of Ada Admin")).to_have_value(Role.ADMIN)
    check_accessibility(page)
