"""Fetch-or-404: a member's own notifications and feeds only. Another member's, or another
workspace's, are 404 alike."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from hls.accounts.models import User
from hls.tenancy.models import Workspace
from stewardship.models import CalendarFeed, Notification


def access_notification(*, workspace: Workspace, user: User, notification_id: int) -> Notification:
    return get_object_or_404(
        Notification.objects.select_related("reminder"),
        workspace=workspace,
        user=user,
        pk=notification_id,
    )


def access_feed(*, workspace: Workspace, user: User, feed_id: int) -> CalendarFeed:
    return get_object_or_404(CalendarFeed, workspace=workspace, user=user, pk=feed_id)
