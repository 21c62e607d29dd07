"""Two-step sign-in (docs/accounts.md): set up with a real code from the app's secret, sign in in
two steps, recovery codes that work once, turning it off, and the lockout counting wrong codes
as it counts wrong passwords."""

import base64
import re
import time

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hls.accounts import selectors, services
from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from tests.accounts.helpers import CODE, app_code, sign_in, turn_on_two_factor, wrong_code
from tests.conftest import signed_in

SETUP = "/accounts/two-step/set-up/"
TWO_STEP = "/accounts/two-step/"
CODES = "/accounts/two-step/recovery-codes/"
DOWNLOAD = "/accounts/two-step/recovery-codes.txt"
OFF = "/accounts/two-step/turn-off/"
REGENERATE = "/accounts/two-step/recovery-codes/new/"


def _events(workspace: Workspace, action: str) -> list[AuditEvent]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(AuditEvent.objects.filter(workspace=workspace, action=action))


def _field_error(response, field: str = "code") -> str:
    """The error shown beside `field` (templates/partials/field.html), or ""."""
    match = re.search(
        rf'<p class="error" id="id_{field}_error">(.*?)</p>', response.content.decode(), re.S
    )
    return match[1].strip() if match else ""


# Setting it up -------------------------------------------------------------------------------


def test_set_up_with_the_apps_code_turns_it_on_and_shows_ten_codes_once(
    member: Membership, member_client: Client
) -> None:
    user = member.user
    page = member_client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<svg role="img" aria-label="QR code to add HLS Learning Cycles to your app"' in html
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed  # not used for signing in until the app proves it has the key
    secret = base64.b32encode(device.bin_key).decode()
    shown = re.search(r'<p class="secret-key monospace" id="secret-key">(.*?)</p>', html)
    assert shown
    assert shown[1].replace(" ", "") == secret
    assert shown[0] in member_client.get(SETUP).content.decode()  # the same key, opened again
    assert TOTPDevice.objects.filter(user=user).count() == 1

    done = member_client.post(SETUP, {"code": app_code(user, confirmed=False)})

    assert done.status_code == 302
    assert done["Location"].startswith(CODES)
    assert selectors.two_factor_confirmed(user=user)
    codes_page = member_client.get(done["Location"])
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", codes_page.content.decode())
    assert len(codes) == 10
    assert len(set(codes)) == 10
    download = member_client.get(DOWNLOAD)
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    assert all(code in download.content.decode() for code in codes)
    # Stored as keyed hashes, never as the codes themselves.
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & ({c.replace("-", "") for c in codes} | set(codes))

    kept = member_client.post(CODES, {"next": "/accounts/profile/"})
    assert kept["Location"] == "/accounts/profile/"
    again = member_client.get(CODES)  # shown once: gone now
    assert again.status_code == 302
    assert again["Location"] == TWO_STEP
    assert member_client.get(DOWNLOAD).status_code == 404

    [event] = _events(member.workspace, "account.two_factor_enabled")
    assert event.actor_id == user.pk
    assert event.target_id == str(user.pk)
    assert event.data == {}  # no secret, no code


def test_a_wrong_code_at_set_up_is_said_beside_the_field_and_kept(
    member: Membership, member_client: Client
) -> None:
    member_client.get(SETUP)
    typed = f"{(int(app_code(member.user, confirmed=False)) + 7) % 10**6:06d}"

    response = member_client.post(SETUP, {"code": typed})

    assert response.status_code == 400
    assert "That code does not match" in _field_error(response)
    assert f'value="{typed}"' in response.content.decode()
    assert not selectors.two_factor_confirmed(user=member.user)
    assert _events(member.workspace, "account.two_factor_enabled") == []


def test_setting_it_up_again_when_on_goes_back(member: Membership, member_client: Client) -> None:
    turn_on_two_factor(member.user)
    response = member_client.get(SETUP, follow=True)
    assert b"already on" in response.content
    assert TOTPDevice.objects.filter(user=member.user).count() == 1


# Signing in ----------------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_and_signs_in_only_then(
    member: Membership, client: Client
) -> None:
    turn_on_two_factor(member.user)

    first = sign_in(client, "pat@riverside.test")

    assert first.status_code == 302
    assert first["Location"] == CODE
    assert "_auth_user_id" not in client.session  # not signed in yet
    assert client.get("/w/riverside/").status_code == 302  # still sent to sign in
    page = client.get(CODE)
    assert page.status_code == 200
    assert b"Your password was right" in page.content
    assert "no-store" in page["Cache-Control"]

    done = client.post(CODE, {"code": app_code(member.user)})

    assert done.status_code == 302
    assert done["Location"] == "/"
    assert client.session["_auth_user_id"] == str(member.user.pk)
    assert client.get("/w/riverside/").status_code == 200


def test_sign_in_goes_on_to_the_page_asked_for(member: Membership, client: Client) -> None:
    turn_on_two_factor(member.user)
    client.post(
        "/accounts/login/?next=/w/riverside/members/",
        {"username": "pat@riverside.test", "password": "a-long-test-password-42"},
    )
    done = client.post(CODE, {"code": app_code(member.user)})
    assert done["Location"] == "/w/riverside/members/"


def test_a_wrong_sign_in_code_is_refused_beside_the_field(
    member: Membership, client: Client
) -> None:
    turn_on_two_factor(member.user)
    sign_in(client, "pat@riverside.test")

    response = client.post(CODE, {"code": wrong_code(member.user)})

    assert response.status_code == 400
    assert "That code does not match" in _field_error(response)
    assert "_auth_user_id" not in client.session
    # The app slows down after a wrong code: the right one, at once, is asked to wait.
    hurried = client.post(CODE, {"code": app_code(member.user)})
    assert "Wait" in _field_error(hurried)
    assert "_auth_user_id" not in client.session
    time.sleep(1.1)  # the first back-off is one second (doubling with each wrong code)
    assert client.post(CODE, {"code": app_code(member.user)}).status_code == 302
    assert client.session["_auth_user_id"] == str(member.user.pk)


def test_a_code_works_once(member: Membership, client: Client) -> None:
    turn_on_two_factor(member.user)
    sign_in(client, "pat@riverside.test")
    code = app_code(member.user)
    client.post(CODE, {"code": code})
    assert client.session["_auth_user_id"] == str(member.user.pk)

    other = Client()
    sign_in(other, "pat@riverside.test")
    replay = other.post(CODE, {"code": code})

    assert replay.status_code == 400
    assert "_auth_user_id" not in other.session


def test_wrong_codes_count_towards_the_lockout_as_wrong_passwords_do(
    member: Membership, client: Client, settings
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the app's own back-off off, to reach the lockout fast
    turn_on_two_factor(member.user)
    sign_in(client, "pat@riverside.test", "not-the-password")  # one wrong password
    sign_in(client, "pat@riverside.test")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 2):
        assert client.post(CODE, {"code": wrong_code(member.user)}).status_code == 400

    locked = client.post(CODE, {"code": wrong_code(member.user)})  # the fifth failure

    assert locked.status_code == 429
    assert b"too many failed attempts" in locked.content
    assert "_auth_user_id" not in client.session
    # Now even the right password and code do not get in from here, until the pause ends.
    assert sign_in(client, "pat@riverside.test").status_code == 429
    assert client.post(CODE, {"code": app_code(member.user)}).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_signs_in_once(member: Membership, client: Client) -> None:
    codes = turn_on_two_factor(member.user)
    sign_in(client, "pat@riverside.test")

    done = client.post(CODE, {"code": codes[3].upper().replace("-", " ")}, follow=True)

    assert client.session["_auth_user_id"] == str(member.user.pk)
    assert b"You signed in with a recovery code" in done.content
    assert b"You have 9 left" in done.content
    [event] = _events(member.workspace, "account.recovery_code_used")
    assert event.data == {"codes_left": 9}

    again = Client()
    sign_in(again, "pat@riverside.test")
    replay = again.post(CODE, {"code": codes[3]})
    assert replay.status_code == 400
    assert "That code does not match" in _field_error(replay)
    assert "_auth_user_id" not in again.session


def test_the_code_page_waits_only_a_few_minutes(
    member: Membership, client: Client, settings
) -> None:
    turn_on_two_factor(member.user)
    sign_in(client, "pat@riverside.test")
    settings.TWO_FACTOR_PENDING_SECONDS = -1  # as if the minutes had passed

    response = client.post(CODE, {"code": app_code(member.user)}, follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert b"start again" in response.content
    assert "_auth_user_id" not in client.session


def test_the_code_page_needs_the_password_first(client: Client, db) -> None:
    response = client.get(CODE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_without_two_step_sign_in_the_password_is_enough(
    member: Membership, client: Client
) -> None:
    assert sign_in(client, "pat@riverside.test")["Location"] == "/"
    assert client.session["_auth_user_id"] == str(member.user.pk)


# Recovery codes and turning it off ------------------------------------------------------------


def test_new_recovery_codes_need_the_password_and_replace_the_old(
    member: Membership, member_client: Client, client: Client, settings
) -> None:
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # no back-off between the two tries below
    old = turn_on_two_factor(member.user)

    refused = member_client.post(REGENERATE, {"password": "not-it"})
    assert refused.status_code == 400
    assert "That is not your password" in _field_error(refused, "password")

    made = member_client.post(REGENERATE, {"password": "a-long-test-password-42"})
    assert made["Location"] == CODES
    new = re.findall(
        r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", member_client.get(CODES).content.decode()
    )
    assert len(new) == 10
    assert not set(new) & set(old)
    assert len(_events(member.workspace, "account.recovery_codes_regenerated")) == 1

    sign_in(client, "pat@riverside.test")
    assert client.post(CODE, {"code": old[0]}).status_code == 400
    assert client.post(CODE, {"code": new[0]}).status_code == 302


def test_turning_it_off_needs_the_password_and_a_code(
    member: Membership, member_client: Client
) -> None:
    turn_on_two_factor(member.user)
    assert member_client.get(OFF).status_code == 200

    no_password = member_client.post(OFF, {"password": "nope", "code": app_code(member.user)})
    assert no_password.status_code == 400
    assert "That is not your password" in _field_error(no_password, "password")
    no_code = member_client.post(OFF, {"password": "a-long-test-password-42", "code": "123-nope"})
    assert no_code.status_code == 400
    assert "does not match" in _field_error(no_code)
    assert selectors.two_factor_confirmed(user=member.user)

    done = member_client.post(
        OFF, {"password": "a-long-test-password-42", "code": app_code(member.user)}
    )

    assert done["Location"] == TWO_STEP
    assert not TOTPDevice.objects.filter(user=member.user).exists()
    assert not StaticToken.objects.filter(device__user=member.user).exists()
    assert len(_events(member.workspace, "account.two_factor_disabled")) == 1


def test_account_events_are_recorded_in_each_workspace_of_the_user(
    member: Membership, other_workspace: Workspace
) -> None:
    with tenant_scope(workspace_id=other_workspace.pk):
        Membership.objects.create(workspace=other_workspace, user=member.user, role=Role.VIEWER)
    turn_on_two_factor(member.user)
    assert len(_events(member.workspace, "account.two_factor_enabled")) == 1
    assert len(_events(other_workspace, "account.two_factor_enabled")) == 1


def test_pages_of_your_account_are_never_cached(member: Membership, member_client: Client) -> None:
    turn_on_two_factor(member.user)
    services.recovery_codes_regenerate(user=member.user, password="a-long-test-password-42")
    for url in (TWO_STEP, SETUP, OFF, "/accounts/sessions/", "/accounts/password/"):
        response = member_client.get(url)
        assert "no-store" in response["Cache-Control"], url


@pytest.mark.parametrize(
    "url",
    [TWO_STEP, SETUP, OFF, CODES, DOWNLOAD, REGENERATE, "/accounts/sessions/",
     "/accounts/sessions/others/end/", "/accounts/sessions/1/end/", "/accounts/password/"],
)  # fmt: skip
def test_your_account_pages_ask_a_visitor_to_sign_in(url: str, client: Client, db) -> None:
    response = client.post(url) if url.endswith(("new/", "end/")) else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_profile_says_whether_it_is_on(member: Membership, member_client: Client) -> None:
    assert (
        b'Two-step sign-in</a> <span class="muted">(off)'
        in member_client.get("/accounts/profile/").content
    )
    turn_on_two_factor(member.user)
    assert b"(on)" in member_client.get("/accounts/profile/").content


def test_the_lockout_settings_keep_codes_out_of_the_attempt_log() -> None:
    assert "code" in settings.AXES_SENSITIVE_PARAMETERS


# A workspace that requires it of admins and stewards ------------------------------------------


@pytest.fixture
def strict(workspace: Workspace) -> Workspace:
    Workspace.objects.filter(pk=workspace.pk).update(require_two_factor=True)
    workspace.refresh_from_db()
    return workspace


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STEWARD])
def test_an_admin_or_steward_is_sent_to_set_it_up_first(strict, make_member, role) -> None:
    membership = make_member(strict, role, email=f"{role}@riverside.test")
    client = signed_in(membership)

    for url in ("/w/riverside/", "/w/riverside/members/", "/w/riverside/cycles/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{SETUP}?next={url.replace('/', '%2F')}"
    page = client.get(f"{SETUP}?next=/w/riverside/members/")
    assert b"Riverside Partnership asks its admins and stewards" in page.content
    htmx = client.get("/w/riverside/", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"].startswith(SETUP)

    user = membership.user
    done = client.post(
        SETUP, {"code": app_code(user, confirmed=False), "next": "/w/riverside/members/"}
    )
    kept = client.post(done["Location"], {"next": "/w/riverside/members/"})
    assert kept["Location"] == "/w/riverside/members/"
    assert client.get("/w/riverside/members/").status_code == 200


@pytest.mark.parametrize(
    "role", [Role.MANAGER, Role.PRACTITIONER, Role.LEARNING_PARTNER, Role.VIEWER]
)
def test_other_roles_choose_for_themselves(strict, make_member, role) -> None:
    client = signed_in(make_member(strict, role))
    assert client.get("/w/riverside/").status_code == 200


def test_only_the_workspace_that_requires_it_and_never_the_api(
    strict, admin: Membership, other_workspace: Workspace
) -> None:
    from hls.api.scopes import ALL_SCOPES
    from hls.api.services import api_key_create
    from tests.api.conftest import client_for

    with tenant_scope(workspace_id=other_workspace.pk):
        Membership.objects.create(workspace=other_workspace, user=admin.user, role=Role.ADMIN)
    client = signed_in(admin)
    assert client.get("/w/riverside/").status_code == 302
    assert client.get("/w/hilltop/").status_code == 200  # Hilltop does not require it
    assert client.get("/accounts/profile/").status_code == 200
    with tenant_scope(workspace_id=strict.pk):
        _key, raw = api_key_create(
            workspace=strict, created_by=admin.user, name="Sync", scopes=ALL_SCOPES
        )
    assert client_for(raw).get("/api/v1/cycles/").status_code == 200


def test_a_member_made_steward_is_asked_too(strict, admin: Membership, member: Membership) -> None:
    client = signed_in(member)
    assert client.get("/w/riverside/").status_code == 200
    with tenant_scope(workspace_id=strict.pk):
        from hls.tenancy.services import membership_change_role

        membership_change_role(membership=member, role=Role.STEWARD, actor=admin.user)
    assert client.get("/w/riverside/")["Location"].startswith(SETUP)


def test_the_admin_switches_it_on_from_the_members_page(
    workspace: Workspace, admin: Membership, admin_client: Client, make_member
) -> None:
    make_member(workspace, Role.STEWARD, full_name="Sol Steward")
    page = admin_client.get("/w/riverside/members/")
    assert b"Admins and stewards must sign in in two steps" in page.content
    assert b"Sol Steward" in page.content.split(b'id="two-step"')[1]

    saved = admin_client.post("/w/riverside/members/two-step/", {"require_two_factor": "on"})

    assert saved["Location"] == "/w/riverside/members/#two-step"
    workspace.refresh_from_db()
    assert workspace.require_two_factor
    [event] = _events(workspace, "workspace.two_factor_required")
    assert event.data == {"required": True}
    # The admin has not set it up either: the next page asks them to.
    assert admin_client.get("/w/riverside/members/")["Location"].startswith(SETUP)


def test_only_admins_see_the_setting(member_client: Client, admin: Membership) -> None:
    assert b'id="two-step"' not in member_client.get("/w/riverside/members/").content
