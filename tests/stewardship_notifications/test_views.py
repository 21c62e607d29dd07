"""The notification centre, badge, settings and calendar feeds, as a member uses them."""

import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar

from hls.tenancy.context import tenant_scope
from stewardship.models import CalendarFeed, Notification, NotificationPreference, Reminder
from tests.factories import NotificationFactory, ReminderFactory

pytestmark = pytest.mark.django_db
BASE = "/w/riverside/"


def _notes(workspace, user, n=3, **fields):
    with tenant_scope(workspace_id=workspace.pk):
        return [
            NotificationFactory(workspace=workspace, user=user, title=f"Note {i}", **fields)
            for i in range(n)
        ]


def test_the_centre_lists_mine_newest_first_with_unread_marked(
    member_client, member, admin, workspace
):
    _notes(workspace, member.user, 2)
    _notes(workspace, admin.user, 1, url="", body="")
    with tenant_scope(workspace_id=workspace.pk):
        Notification.objects.filter(user=member.user, title="Note 0").update(read_at=timezone.now())
    page = member_client.get(f"{BASE}notifications/").content.decode()
    assert page.index("Note 1") < page.index("Note 0")
    assert page.count("Unread") == 1
    assert "Note 0" in page
    with tenant_scope(workspace_id=workspace.pk):
        assert Notification.objects.filter(user=admin.user).count() == 1


def test_mark_one_and_all_read_and_the_badge(member_client, member, workspace):
    notes = _notes(workspace, member.user, 3)
    badge = member_client.get(f"{BASE}notifications/badge/").content.decode()
    assert ">3<" in badge
    member_client.post(f"{BASE}notifications/{notes[0].pk}/read/")
    assert ">2<" in member_client.get(f"{BASE}notifications/badge/").content.decode()
    member_client.post(f"{BASE}notifications/read-all/")
    badge = member_client.get(f"{BASE}notifications/badge/").content.decode()
    assert "count" not in badge


def test_the_badge_costs_one_count(member_client, member, workspace, django_assert_num_queries):
    _notes(workspace, member.user, 5)
    member_client.get(f"{BASE}notifications/badge/")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        member_client.get(f"{BASE}notifications/badge/")
    notification_queries = [q for q in queries if "stewardship_notification" in q["sql"]]
    assert len(notification_queries) == 1
    assert "COUNT(" in notification_queries[0]["sql"]


@pytest.mark.parametrize(("choice", "hours"), [("hour", 1), ("tomorrow", None)])
def test_snooze_makes_a_new_pending_reminder(member_client, member, workspace, choice, hours):
    with tenant_scope(workspace_id=workspace.pk):
        reminder = ReminderFactory(
            workspace=workspace,
            recipient=member.user,
            status="sent",
            key="session:1:x:lead:60:user:1",
        )
        note = NotificationFactory(workspace=workspace, user=member.user, reminder=reminder)
    before = timezone.now()
    response = member_client.post(f"{BASE}notifications/{note.pk}/snooze/", {"until": choice})
    assert response.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        again = Reminder.objects.get(key="session:1:x:lead:60:user:1:snooze:1")
        reminder.refresh_from_db()
        note.refresh_from_db()
    assert again.status == Reminder.Status.PENDING
    assert reminder.snoozed_count == 1
    assert note.read_at is not None
    if hours:
        assert (
            before + dt.timedelta(hours=1) <= again.due_at <= timezone.now() + dt.timedelta(hours=1)
        )
    else:
        local = again.due_at.astimezone(dt.UTC).astimezone(
            __import__("zoneinfo").ZoneInfo("Europe/London")
        )
        assert (local.hour, local.minute) == (9, 0)
        assert local.date() > before.astimezone(local.tzinfo).date()


def test_a_plain_notification_cannot_be_snoozed(member_client, member, workspace):
    [note] = _notes(workspace, member.user, 1)
    response = member_client.post(
        f"{BASE}notifications/{note.pk}/snooze/", {"until": "hour"}, follow=True
    )
    assert "Only a reminder can be snoozed." in response.content.decode()


def test_preferences_save(member_client, member, workspace):
    response = member_client.post(
        f"{BASE}notifications/settings/",
        {
            "timezone": "Europe/Berlin",
            "quiet_start": "21:00",
            "quiet_end": "07:30",
            "daily_digest": "on",
            "digest_hour": "7",
            "snoozed_until": (timezone.now().date() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    with tenant_scope(workspace_id=workspace.pk):
        pref = NotificationPreference.objects.get(user=member.user)
    assert (pref.email_enabled, pref.timezone, pref.quiet_start, pref.quiet_end) == (
        False, "Europe/Berlin", dt.time(21, 0), dt.time(7, 30),
    )  # fmt: skip
    assert (pref.daily_digest, pref.digest_hour) == (True, 7)
    assert pref.snoozed_until is not None
    page = member_client.get(f"{BASE}notifications/settings/").content.decode()
    assert 'value="Europe/Berlin"' in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "is not a time zone we know"),
        ({"quiet_start": "22:00"}, "quiet_end", "Give both ends of your quiet hours"),
        ({"snoozed_until": "2001-01-01"}, "snoozed_until", "Choose today or a later date"),
    ],
)
def test_bad_preferences_keep_the_text_and_say_why_beside_the_field(
    member_client, data, field, message
):
    form = {"timezone": "Europe/London", "digest_hour": "8", **data}
    response = member_client.post(f"{BASE}notifications/settings/", form)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert message in page
    for value in data.values():
        assert value in page


def test_a_feed_is_shown_once_works_and_a_revoked_one_is_404(
    member_client, member, workspace, client
):
    response = member_client.post(f"{BASE}calendar-feeds/")
    page = response.content.decode()
    assert "Copy it now" in page
    url = page.split('readonly value="', 1)[1].split('"', 1)[0]
    path = url.replace("http://127.0.0.1:8000", "")
    assert path.startswith("/calendar/")
    assert path.endswith(".ics")
    # Only the hash is stored, and the list does not show the address again.
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    with tenant_scope(workspace_id=workspace.pk):
        feed = CalendarFeed.objects.get(user=member.user)
    assert token not in feed.token_hash
    assert token not in member_client.get(f"{BASE}calendar-feeds/").content.decode()

    feed_response = client.get(path)  # no sign-in: the token is the credential
    assert feed_response.status_code == 200
    assert feed_response["Content-Type"].startswith("text/calendar")
    Calendar.from_ical(feed_response.content)

    member_client.post(f"{BASE}calendar-feeds/{feed.pk}/revoke/")
    assert client.get(path).status_code == 404
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404
