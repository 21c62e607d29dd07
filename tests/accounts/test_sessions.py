"""Where you're signed in (docs/accounts.md): each session listed with its device, ended one by
one or everywhere else at once, and every other session ended for real (gone from the session
store) after a password change, a password reset or a removal from a workspace."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hls.accounts.middleware import SEEN_AT
from hls.accounts.models import UserSession
from hls.accounts.user_agents import describe_user_agent
from hls.audit.models import AuditEvent
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Membership, Role, Workspace
from tests.accounts.helpers import sign_in
from tests.factories import PASSWORD

SESSIONS = "/accounts/sessions/"
FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def _browser(email: str, user_agent: str, password: str = PASSWORD) -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    response = sign_in(client, email, password)
    assert response.status_code == 302, response.content[:300]
    return client


def _signed_in(client: Client) -> bool:
    return client.get("/accounts/profile/").status_code == 200


def _events(workspace: Workspace, action: str) -> list[AuditEvent]:
    with tenant_scope(workspace_id=workspace.pk):
        return list(AuditEvent.objects.filter(workspace=workspace, action=action))


def _row_ids(html: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb'action="/accounts/sessions/(\d+)/end/"', html)]


def test_each_session_is_listed_with_its_device_and_this_one_marked(member: Membership) -> None:
    phone = _browser("pat@riverside.test", FIREFOX_ANDROID)
    desk = _browser("pat@riverside.test", CHROME_WINDOWS)

    page = phone.get(SESSIONS)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Firefox on Android" in html
    assert "Chrome on Windows" in html
    first = html.index("Firefox on Android")
    assert html.index("This browser") > first  # this one comes first, and is marked
    assert html.index("This browser") < html.index("Chrome on Windows")
    assert len(_row_ids(page.content)) == 1  # no "Sign out there" for this one
    assert "Sign out everywhere else" in html
    assert html.count("last used in the last few minutes") == 2
    assert desk.get(SESSIONS).content.decode().count("This browser") == 1


def test_only_your_own_sessions_are_listed(member: Membership, admin: Membership) -> None:
    mine = _browser("pat@riverside.test", FIREFOX_ANDROID)
    _browser("admin@riverside.test", SAFARI_IPHONE)
    assert b"Safari on iPhone" not in mine.get(SESSIONS).content


def test_sign_out_there_ends_that_session_at_once(member: Membership) -> None:
    phone = _browser("pat@riverside.test", FIREFOX_ANDROID)
    desk = _browser("pat@riverside.test", CHROME_WINDOWS)
    desk_key = desk.session.session_key
    [desk_row] = _row_ids(phone.get(SESSIONS).content)

    response = phone.post(f"/accounts/sessions/{desk_row}/end/", follow=True)

    assert b"That session is signed out." in response.content
    assert not Session.objects.filter(session_key=desk_key).exists()  # gone from the store
    assert not UserSession.objects.filter(session_key=desk_key).exists()
    assert not _signed_in(desk)
    assert _signed_in(phone)
    [event] = _events(member.workspace, "account.sessions_ended")
    assert event.data == {"count": 1, "reason": "ended_one"}


def test_another_persons_session_or_this_one_cannot_be_ended_there(
    member: Membership, admin: Membership
) -> None:
    mine = _browser("pat@riverside.test", FIREFOX_ANDROID)
    theirs = _browser("admin@riverside.test", SAFARI_IPHONE)
    their_row = UserSession.objects.get(session_key=theirs.session.session_key)
    my_row = UserSession.objects.get(session_key=mine.session.session_key)

    assert mine.post(f"/accounts/sessions/{their_row.pk}/end/").status_code == 404
    refused = mine.post(f"/accounts/sessions/{my_row.pk}/end/", follow=True)

    assert b"This is the session you are using" in refused.content
    assert _signed_in(theirs)
    assert _signed_in(mine)


def test_sign_out_everywhere_else(member: Membership) -> None:
    here = _browser("pat@riverside.test", FIREFOX_ANDROID)
    others = [_browser("pat@riverside.test", ua) for ua in (CHROME_WINDOWS, SAFARI_IPHONE)]

    response = here.post("/accounts/sessions/others/end/", follow=True)

    assert b"Signed out of 2 other sessions" in response.content
    assert [_signed_in(other) for other in others] == [False, False]
    assert _signed_in(here)
    assert UserSession.objects.filter(user=member.user).count() == 1
    [event] = _events(member.workspace, "account.sessions_ended")
    assert event.data == {"count": 2, "reason": "everywhere_else"}


def test_signing_out_takes_the_session_off_the_list(member: Membership) -> None:
    phone = _browser("pat@riverside.test", FIREFOX_ANDROID)
    key = phone.session.session_key
    phone.post("/accounts/logout/")
    assert not UserSession.objects.filter(session_key=key).exists()


def test_an_expired_session_is_not_listed(member: Membership) -> None:
    phone = _browser("pat@riverside.test", FIREFOX_ANDROID)
    desk = _browser("pat@riverside.test", CHROME_WINDOWS)
    Session.objects.filter(session_key=desk.session.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    assert b"Chrome on Windows" not in phone.get(SESSIONS).content


def test_last_seen_is_written_once_in_a_few_minutes_not_on_every_request(
    member: Membership,
) -> None:
    phone = _browser("pat@riverside.test", FIREFOX_ANDROID)
    row = UserSession.objects.get(session_key=phone.session.session_key)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=row.last_seen_at - timedelta(hours=1))

    with CaptureQueriesContext(connection) as queries:
        phone.get("/accounts/profile/")
        phone.get("/w/riverside/")
    assert not [q for q in queries.captured_queries if "accounts_usersession" in q["sql"]]
    assert b"last used 1\xc2\xa0hour ago" in phone.get(SESSIONS).content

    session = phone.session  # as if the last write were longer ago than SESSION_SEEN_EVERY
    session[SEEN_AT] = int(time.time()) - 10 * 60
    session.save()
    phone.get("/accounts/profile/")
    row.refresh_from_db()
    assert timezone.now() - row.last_seen_at < timedelta(minutes=1)


def test_a_session_from_before_the_list_joins_it_when_next_seen(member: Membership) -> None:
    phone = _browser("pat@riverside.test", FIREFOX_ANDROID)
    UserSession.objects.all().delete()
    session = phone.session
    session.pop(SEEN_AT)
    session.save()
    assert b"Firefox on Android" in phone.get(SESSIONS).content


# Everything else ends ------------------------------------------------------------------------


def test_a_password_change_ends_every_other_session_and_keeps_this_one(
    member: Membership,
) -> None:
    here = _browser("pat@riverside.test", FIREFOX_ANDROID)
    there = _browser("pat@riverside.test", CHROME_WINDOWS)
    there_key = there.session.session_key
    new = "a-fresh-password-for-pat-9"

    wrong = here.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": new, "new_password2": new},
    )
    assert wrong.status_code == 400
    assert b'id="id_old_password_error"' in wrong.content
    assert _signed_in(there)

    done = here.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )

    assert b"Your password is changed. Your 1 other session was signed out." in done.content
    assert _signed_in(here)
    assert not Session.objects.filter(session_key=there_key).exists()  # deleted, not just stale
    assert not _signed_in(there)
    [row] = UserSession.objects.filter(user=member.user)
    assert row.session_key == here.session.session_key  # the new key Django gave this session
    [event] = _events(member.workspace, "account.sessions_ended")
    assert event.data == {"count": 1, "reason": "password_changed"}


def test_a_password_reset_ends_every_session(member: Membership) -> None:
    sessions = [_browser("pat@riverside.test", ua) for ua in (FIREFOX_ANDROID, CHROME_WINDOWS)]
    keys = [client.session.session_key for client in sessions]
    resetting = sessions[0]  # the person resets it from a browser that is signed in

    resetting.post("/accounts/password-reset/", {"email": "pat@riverside.test"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form = resetting.get(link[1], follow=True)
    new = "a-brand-new-password-77"
    resetting.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert [_signed_in(client) for client in sessions] == [False, False]
    assert not UserSession.objects.filter(user=member.user).exists()
    assert _browser("pat@riverside.test", SAFARI_IPHONE, new)


def test_removal_from_a_workspace_ends_every_session_of_the_removed(
    workspace: Workspace, admin: Membership, member: Membership
) -> None:
    theirs = [_browser("pat@riverside.test", ua) for ua in (FIREFOX_ANDROID, CHROME_WINDOWS)]
    keys = [client.session.session_key for client in theirs]
    remover = _browser("admin@riverside.test", SAFARI_IPHONE)

    remover.post(f"/w/riverside/members/{member.pk}/remove/")

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert [_signed_in(client) for client in theirs] == [False, False]
    assert _signed_in(remover)
    [event] = _events(workspace, "account.sessions_ended")
    assert event.actor_id == admin.user_id
    assert event.target_id == str(member.user_id)
    assert event.data == {"count": 2, "reason": "removed"}


def test_removing_yourself_keeps_the_session_you_did_it_from(
    workspace: Workspace, admin: Membership, make_member
) -> None:
    make_member(workspace, Role.ADMIN, email="second@riverside.test")
    here = _browser("admin@riverside.test", FIREFOX_ANDROID)
    there = _browser("admin@riverside.test", CHROME_WINDOWS)

    response = here.post(f"/w/riverside/members/{admin.pk}/remove/")

    assert response["Location"] == "/"
    assert _signed_in(here)
    assert not _signed_in(there)
    with tenant_scope(user_id=admin.user_id):
        assert not Membership.objects.filter(pk=admin.pk).exists()


@pytest.mark.parametrize(
    ("user_agent", "said"),
    [
        (FIREFOX_ANDROID, "Firefox on Android"),
        (CHROME_WINDOWS, "Chrome on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.1 Safari/605.1.15",
            "Safari on a Mac",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        ("", "A browser on a device"),
        ("curl/8.5.0", "A browser on a device"),
    ],
)
def test_the_device_is_named_shortly(user_agent: str, said: str) -> None:
    assert describe_user_agent(user_agent) == said
