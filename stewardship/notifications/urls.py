from django.urls import URLPattern, URLResolver, path

from stewardship.notifications import views

# Included under /w/<slug:workspace_slug>/ (through stewardship/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/badge/", views.notification_badge, name="notification-badge"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path(
        "notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification-read",
    ),
    path(
        "notifications/<int:notification_id>/snooze/",
        views.notification_snooze,
        name="notification-snooze",
    ),
    path(
        "notifications/settings/",
        views.notification_preferences,
        name="notification-preferences",
    ),
    path("calendar-feeds/", views.calendar_feeds, name="calendar-feeds"),
    path(
        "calendar-feeds/<int:feed_id>/revoke/",
        views.calendar_feed_revoke,
        name="calendar-feed-revoke",
    ),
]
