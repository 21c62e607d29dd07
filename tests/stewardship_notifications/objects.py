"""Objects for the outsider matrix: the notifications area's URL keywords. Each belongs to the
member the matrix signs in as, so only the workspace scoping keeps an outsider out."""

from tests.factories import CalendarFeedFactory, NotificationFactory, ReminderFactory


def make_notification(workspace, membership) -> int:
    reminder = ReminderFactory(workspace=workspace, recipient=membership.user, status="sent")
    return NotificationFactory(workspace=workspace, user=membership.user, reminder=reminder).pk


def make_feed(workspace, membership) -> int:
    return CalendarFeedFactory(workspace=workspace, user=membership.user).pk


MAKERS = {"notification_id": make_notification, "feed_id": make_feed}
