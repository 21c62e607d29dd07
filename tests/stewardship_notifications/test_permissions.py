"""What each role may do in the notifications area, written out by hand: every member manages
their own notifications, settings and feeds, whatever their role."""

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import CalendarFeed, Notification, NotificationPreference, Reminder
from tests.conftest import signed_in
from tests.factories import CalendarFeedFactory, NotificationFactory, ReminderFactory
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]
ALL = (200, 200, 200, 200, 200, 200)
MOVED = (302, 302, 302, 302, 302, 302)

EXPECTED = {
    ("notification-list", "GET"): ALL,
    ("notification-badge", "GET"): ALL,
    ("notification-read", "POST"): MOVED,
    ("notification-read-all", "POST"): MOVED,
    ("notification-snooze", "POST"): MOVED,
    ("notification-preferences", "GET"): ALL,
    ("notification-preferences", "POST"): MOVED,
    ("calendar-feeds", "GET"): ALL,
    ("calendar-feeds", "POST"): ALL,  # shows the new secret address, once
    ("calendar-feed-revoke", "POST"): MOVED,
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_notifications_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("stewardship.notifications.")}
    assert {view for view, _method in EXPECTED} == names, (
        "a notifications view was added or renamed: add its row to EXPECTED"
    )


def _effect(workspace, user, view: str) -> bool:
    with tenant_scope(workspace_id=workspace.pk):
        return {
            "notification-read": Notification.objects.filter(read_at__isnull=False).exists(),
            "notification-read-all": Notification.objects.filter(read_at__isnull=False).exists(),
            "notification-snooze": Reminder.objects.filter(key__contains=":snooze:1").exists(),
            "notification-preferences": NotificationPreference.objects.filter(user=user).exists(),
            "calendar-feeds": CalendarFeed.objects.count() == 2,
            "calendar-feed-revoke": CalendarFeed.objects.filter(revoked_at__isnull=False).exists(),
        }[view]


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, expected, workspace, make_member):
    actor = make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        reminder = ReminderFactory(workspace=workspace, recipient=actor.user, status="sent")
        note = NotificationFactory(workspace=workspace, user=actor.user, reminder=reminder)
        feed = CalendarFeedFactory(workspace=workspace, user=actor.user)
    base = "/w/riverside/"
    url, data = {
        "notification-list": (f"{base}notifications/", {}),
        "notification-badge": (f"{base}notifications/badge/", {}),
        "notification-read": (f"{base}notifications/{note.pk}/read/", {}),
        "notification-read-all": (f"{base}notifications/read-all/", {}),
        "notification-snooze": (f"{base}notifications/{note.pk}/snooze/", {"until": "hour"}),
        "notification-preferences": (
            f"{base}notifications/settings/",
            {"email_enabled": "on", "timezone": "Europe/London", "digest_hour": "8"},
        ),
        "calendar-feeds": (f"{base}calendar-feeds/", {}),
        "calendar-feed-revoke": (f"{base}calendar-feeds/{feed.pk}/revoke/", {}),
    }[view]
    client = signed_in(actor)
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert response.status_code == expected
    if method == "POST":
        assert _effect(workspace, actor.user, view) is True


def test_another_members_notification_and_feed_are_404(workspace, member, make_member):
    other = make_member(workspace, Role.ADMIN)
    with tenant_scope(workspace_id=workspace.pk):
        note = NotificationFactory(workspace=workspace, user=other.user)
        feed = CalendarFeedFactory(workspace=workspace, user=other.user)
    client = signed_in(member)
    base = "/w/riverside/"
    assert client.post(f"{base}notifications/{note.pk}/read/").status_code == 404
    assert (
        client.post(f"{base}notifications/{note.pk}/snooze/", {"until": "hour"}).status_code == 404
    )
    assert client.post(f"{base}calendar-feeds/{feed.pk}/revoke/").status_code == 404
    with tenant_scope(workspace_id=workspace.pk):
        assert Notification.objects.get(pk=note.pk).read_at is None
        assert CalendarFeed.objects.get(pk=feed.pk).revoked_at is None
