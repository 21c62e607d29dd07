"""Signing in and out, passwords, a user's own details and workspaces."""

import re
import zoneinfo
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import timezone

from hls.accounts.middleware import UserTimezoneMiddleware
from hls.accounts.models import User
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from tests.factories import PASSWORD, InvitationFactory, WorkspaceFactory

LOGIN = "/accounts/login/"


def _sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


# Signing in ----------------------------------------------------------------------------------


def test_sign_in_with_one_workspace_lands_on_it(member: Membership, client: Client) -> None:
    response = _sign_in(client, "PAT@Riverside.Test", follow=True)

    assert response.redirect_chain[-1][0] == "/w/riverside/"
    assert response.status_code == 200
    assert b"You are in Riverside Partnership as Practitioner." in response.content


def test_sign_in_with_several_workspaces_lands_on_the_list(
    member: Membership, other_workspace: Workspace, make_member, client: Client
) -> None:
    with tenant_scope(workspace_id=other_workspace.pk):
        Membership.objects.create(workspace=other_workspace, user=member.user, role=Role.VIEWER)

    response = _sign_in(client, "pat@riverside.test", follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert b"Your workspaces" in response.content
    assert b"Riverside Partnership" in response.content
    assert b"Hilltop Council" in response.content


def test_wrong_password_keeps_the_email_and_says_so(member: Membership, client: Client) -> None:
    response = _sign_in(client, "pat@riverside.test", "not-the-password")

    assert response.status_code == 200
    assert b"That email and password do not match" in response.content
    assert b'value="pat@riverside.test"' in response.content
    assert "_auth_user_id" not in client.session


def test_too_many_failures_lock_the_account_even_with_the_right_password(
    member: Membership, admin: Membership, client: Client
) -> None:
    # The email's case does not matter to throttling, as it does not to signing in.
    emails = ["pat@riverside.test", "PAT@riverside.test", "Pat@Riverside.Test"]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, emails[attempt % len(emails)], "not-the-password")

    response = _sign_in(client, "pat@riverside.test", PASSWORD)

    assert response.status_code == 429
    assert b"too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session
    # Only that account is paused: someone else signs in from the same address.
    assert _sign_in(Client(), "admin@riverside.test", PASSWORD).status_code == 302


def test_failures_below_the_limit_do_not_lock(member: Membership, client: Client) -> None:
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "pat@riverside.test", "not-the-password")

    response = _sign_in(client, "pat@riverside.test", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.user.pk)


def test_sign_out_takes_a_post_only(member_client: Client) -> None:
    assert member_client.get("/accounts/logout/").status_code == 405
    assert member_client.get("/w/riverside/").status_code == 200  # still signed in

    response = member_client.post("/accounts/logout/", follow=True)

    assert response.redirect_chain[0][0] == LOGIN
    assert b"You have signed out." in response.content
    assert member_client.get("/w/riverside/").status_code == 302


# Password reset ------------------------------------------------------------------------------


def test_password_reset_email_link_sets_a_new_password(member: Membership, client: Client) -> None:
    response = client.post("/accounts/password-reset/", {"email": "Pat@Riverside.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pat@riverside.test"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link is not None, mail.outbox[0].body

    form = client.get(link[1], follow=True)
    assert b"Choose a new password" in form.content
    new_password = "a-brand-new-password-77"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )

    assert b"Your password is changed" in done.content
    assert _sign_in(Client(), "pat@riverside.test", PASSWORD).status_code == 200  # refused
    assert _sign_in(Client(), "pat@riverside.test", new_password).status_code == 302
    # the link works once
    assert b"This link no longer works" in client.get(link[1], follow=True).content


def test_password_reset_for_an_unknown_address_sends_nothing(client: Client, db) -> None:
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302  # says the same as for a known address
    assert mail.outbox == []


def test_a_bad_reset_link_says_it_no_longer_works(member: Membership, client: Client) -> None:
    response = client.get("/accounts/reset/MQ/bad-token/", follow=True)

    assert response.status_code == 200
    assert b"This link no longer works" in response.content
    assert b"new_password1" not in response.content


# Your details and time zone ------------------------------------------------------------------


def test_profile_saves_name_and_time_zone(member: Membership, member_client: Client) -> None:
    response = member_client.post(
        "/accounts/profile/",
        {"full_name": "Patricia P", "time_zone": "America/New_York"},
        follow=True,
    )

    assert b"Your details are saved." in response.content
    member.user.refresh_from_db()
    assert member.user.full_name == "Patricia P"
    assert member.user.time_zone == "America/New_York"


def test_profile_bad_time_zone_shows_the_error_beside_it(
    member: Membership, member_client: Client
) -> None:
    response = member_client.post(
        "/accounts/profile/", {"full_name": "Patricia P", "time_zone": "Mars/Olympus"}
    )

    assert response.status_code == 400
    error = re.search(rb'<p class="error" id="id_time_zone_error">([^<]*)</p>', response.content)
    assert error is not None
    assert b"Select a valid choice" in error[1]
    assert b'value="Patricia P"' in response.content
    member.user.refresh_from_db()
    assert member.user.time_zone == "Europe/London"
    assert member.user.full_name == "Pat Practitioner"


def test_times_are_shown_in_the_users_time_zone(
    workspace: Workspace, admin: Membership, admin_client: Client
) -> None:
    """An invitation running out at 23:30 UTC on 1 January is the 2nd in New Zealand."""
    with tenant_scope(workspace_id=workspace.pk):
        InvitationFactory(
            workspace=workspace,
            email="kiwi@example.test",
            expires_at=datetime(2099, 1, 1, 23, 30, tzinfo=UTC),
        )
    assert b"until 1 Jan" in admin_client.get("/w/riverside/members/").content

    User.objects.filter(pk=admin.user.pk).update(time_zone="Pacific/Auckland")

    assert b"until 2 Jan" in admin_client.get("/w/riverside/members/").content


def test_timezone_middleware_activates_the_users_zone(member: Membership) -> None:
    seen = []
    middleware = UserTimezoneMiddleware(lambda r: seen.append(timezone.get_current_timezone()))
    request = RequestFactory().get("/")
    request.user = member.user
    member.user.time_zone = "Asia/Tokyo"
    middleware(request)
    request.user = AnonymousUser()
    middleware(request)

    assert seen == [zoneinfo.ZoneInfo("Asia/Tokyo"), zoneinfo.ZoneInfo(settings.TIME_ZONE)]


# Workspaces ----------------------------------------------------------------------------------


def test_creating_a_workspace_makes_the_creator_its_admin(
    member: Membership, member_client: Client
) -> None:
    response = member_client.post(
        "/workspaces/new/", {"name": "Seaside Trust", "slug": ""}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/w/seaside-trust/"
    assert b"Workspace created. You are its admin." in response.content
    assert b"You are in Seaside Trust as Admin." in response.content
    new = Workspace.objects.get(slug="seaside-trust")
    with tenant_scope(workspace_id=new.pk):
        assert list(Membership.objects.values_list("user_id", "role")) == [
            (member.user.pk, Role.ADMIN)
        ]


def test_a_taken_web_address_is_refused_beside_the_field(
    member: Membership, member_client: Client, other_workspace: Workspace
) -> None:
    response = member_client.post("/workspaces/new/", {"name": "My Hilltop", "slug": "hilltop"})

    assert response.status_code == 400
    error = re.search(rb'<p class="error" id="id_slug_error">([^<]*)</p>', response.content)
    assert error is not None
    assert b"That web address is taken" in error[1]
    assert b'value="My Hilltop"' in response.content
    assert Workspace.objects.filter(name="My Hilltop").count() == 0


@pytest.mark.parametrize("slug", ["not a slug!", ""])
def test_a_bad_web_address_is_refused_beside_the_field(
    member: Membership, member_client: Client, slug: str
) -> None:
    response = member_client.post("/workspaces/new/", {"name": "!!!", "slug": slug})

    assert response.status_code == 400
    assert b'id="id_slug_error"' in response.content
    assert b'value="!!!"' in response.content


def test_choosing_a_workspace_lists_mine_and_no_others(
    member: Membership, other_workspace: Workspace, member_client: Client
) -> None:
    third = WorkspaceFactory(name="Valley Charity", slug="valley")
    with tenant_scope(workspace_id=third.pk):
        Membership.objects.create(workspace=third, user=member.user, role=Role.STEWARD)

    response = member_client.get("/?choose=1")

    assert response.status_code == 200
    assert b'href="/w/riverside/"' in response.content
    assert b'href="/w/valley/"' in response.content
    assert b"Steward" in response.content
    assert b"Hilltop Council" not in response.content
    assert b"/w/hilltop/" not in response.content


def test_a_single_workspace_member_can_still_choose(member_client: Client) -> None:
    assert member_client.get("/").status_code == 302
    response = member_client.get("/?choose=1")
    assert response.status_code == 200
    assert b'href="/w/riverside/"' in response.content


def test_someone_without_a_workspace_is_offered_to_start_one(client: Client, db) -> None:
    client.force_login(User.objects.create_user("lonely@example.test", PASSWORD))
    response = client.get("/")
    assert response.status_code == 200
    assert b"You do not belong to a workspace yet" in response.content
