"""Reads for the notification centre, preferences and calendar feeds. Always the workspace and
the member: nobody sees anyone else's notifications or feeds."""

from __future__ import annotations

from django.db.models import QuerySet

from hls.accounts.models import User
from hls.tenancy import crossing
from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Workspace
from stewardship.models import CalendarFeed, Notification, Reminder


def notifications_for(*, workspace: Workspace, user: User) -> QuerySet[Notification]:
    """Newest first."""
    return (
        Notification.objects.filter(workspace=workspace, user=user)
        .select_related("reminder")
        .order_by("-created_at", "-pk")
    )


def unread_count(*, workspace: Workspace, user: User) -> int:
    return Notification.objects.filter(workspace=workspace, user=user, read_at__isnull=True).count()


BARRIER_KINDS = (
    Reminder.Kind.BARRIER_RAISED,
    Reminder.Kind.BARRIER_ANSWERED,
    Reminder.Kind.BARRIER_PASSED_UP,
)


def unread_barrier_notifications(*, workspace: Workspace, user: User) -> QuerySet[Notification]:
    """The member's unread notifications about barriers raised, answered or passed up (those
    they must answer, or whose answers they wait for), newest first: what Today shows."""
    return Notification.objects.filter(
        workspace=workspace, user=user, read_at__isnull=True, kind__in=BARRIER_KINDS
    ).order_by("-created_at", "-pk")


def feeds_for(*, workspace: Workspace, user: User) -> QuerySet[CalendarFeed]:
    return CalendarFeed.objects.filter(workspace=workspace, user=user).order_by(
        "-created_at", "-pk"
    )


def feed_by_token_hash(token_hash: str) -> CalendarFeed | None:
    """A live feed by the hash of its secret token, in any workspace (the URL carries no
    workspace); None if unknown or revoked."""
    found = crossing.first("calendar_feed", token_hash)
    if found is None:
        return None
    workspace_id, pk = found
    with tenant_scope(workspace_id=workspace_id):
        return CalendarFeed.objects.select_related("workspace", "user").filter(pk=pk).first()
