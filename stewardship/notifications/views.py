"""The notification centre, its unread badge, notification preferences and calendar feeds.
Thin: parse, call one service, render or redirect. Every member (any role) manages their own;
nobody sees anyone else's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hls.forms import act, submit
from hls.tenancy.context import tenant_scope
from hls.tenancy.decorators import workspace_view
from hls.tenancy.http import WorkspaceRequest, invalid_status
from stewardship.notifications import selectors, services
from stewardship.notifications.access import access_feed, access_notification
from stewardship.notifications.forms import PreferencesForm, SnoozeForm
from stewardship.notifications.ics import feed_calendar

PAGE_SIZE = 25


# The notification centre ----------------------------------------------------------------------


@workspace_view()
@require_GET
def notification_list(request: WorkspaceRequest) -> HttpResponse:
    notifications = selectors.notifications_for(workspace=request.workspace, user=request.user)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stewardship/notifications/list.html",
        {"page": page, "items": list(page.object_list)},
    )


def _back(request: WorkspaceRequest) -> HttpResponse:
    target = reverse("notification-list", args=[request.workspace.slug])
    page = request.POST.get("page", "")
    return redirect(f"{target}?page={page}" if page.isdigit() else target)


@workspace_view()
@require_POST
def notification_read(request: WorkspaceRequest, notification_id: int) -> HttpResponse:
    notification = access_notification(
        workspace=request.workspace, user=request.user, notification_id=notification_id
    )
    services.notification_mark_read(workspace=request.workspace, notification=notification)
    return _back(request)


@workspace_view()
@require_POST
def notification_read_all(request: WorkspaceRequest) -> HttpResponse:
    services.notifications_mark_all_read(workspace=request.workspace, user=request.user)
    messages.success(request, _("All marked as read."))
    return _back(request)


@workspace_view()
@require_POST
def notification_snooze(request: WorkspaceRequest, notification_id: int) -> HttpResponse:
    notification = access_notification(
        workspace=request.workspace, user=request.user, notification_id=notification_id
    )
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one hour, or tomorrow at 9:00."))
        return _back(request)
    if act(
        request,
        lambda: services.notification_snooze(
            workspace=request.workspace,
            user=request.user,
            notification=notification,
            choice=form.cleaned_data["until"],
        ),
    ):
        messages.success(request, _("We will remind you again."))
    return _back(request)


@workspace_view()
@require_GET
@never_cache
def notification_badge(request: WorkspaceRequest) -> HttpResponse:
    count = selectors.unread_count(workspace=request.workspace, user=request.user)
    return render(request, "stewardship/notifications/badge.html", {"unread": count})


# Preferences ----------------------------------------------------------------------------------


@workspace_view()
def notification_preferences(request: WorkspaceRequest) -> HttpResponse:
    workspace, user = request.workspace, request.user
    current = services.preferences_for(workspace=workspace, user=user)
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        saved = submit(
            form,
            lambda data: services.preferences_update(
                workspace=workspace,
                user=user,
                email_enabled=data["email_enabled"],
                timezone_name=data["timezone"].strip(),
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
                daily_digest=data["daily_digest"],
                digest_hour=data["digest_hour"],
                snoozed_until=data["snoozed_until"],
            ),
            fields={"timezone_name": "timezone"},
        )
        if saved is not None:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification-preferences", workspace.slug)
        status = invalid_status(request)
    else:
        paused = current.snoozed_until
        form = PreferencesForm(
            initial={
                "email_enabled": current.email_enabled,
                "timezone": current.timezone,
                "quiet_start": current.quiet_start,
                "quiet_end": current.quiet_end,
                "daily_digest": current.daily_digest,
                "digest_hour": current.digest_hour,
                "snoozed_until": paused.date() if paused else None,
            }
        )
    return render(
        request, "stewardship/notifications/preferences.html", {"form": form}, status=status
    )


# Calendar feeds -------------------------------------------------------------------------------


def feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("calendar-feed", args=[token])


@workspace_view()
def calendar_feeds(request: WorkspaceRequest) -> HttpResponse:
    workspace, user = request.workspace, request.user
    context: dict[str, Any] = {}
    if request.method == "POST":
        _feed, token = services.feed_create(workspace=workspace, user=user)
        context["new_url"] = feed_url(token)  # shown this once; only its hash is kept
    context["feeds"] = list(selectors.feeds_for(workspace=workspace, user=user))
    response = render(request, "stewardship/notifications/feeds.html", context)
    response["Cache-Control"] = "no-store"
    return response


@workspace_view()
@require_POST
def calendar_feed_revoke(request: WorkspaceRequest, feed_id: int) -> HttpResponse:
    feed = access_feed(workspace=request.workspace, user=request.user, feed_id=feed_id)
    services.feed_revoke(workspace=request.workspace, feed=feed)
    messages.success(request, _("That feed address no longer works."))
    return redirect("calendar-feeds", request.workspace.slug)


# The feed itself (outside the workspace: /calendar/<token>.ics) -------------------------------


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = selectors.feed_by_token_hash(services.feed_token_hash(token))
    if feed is None:
        raise Http404
    with tenant_scope(workspace_id=feed.workspace_id):
        body = feed_calendar(workspace=feed.workspace, user=feed.user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
