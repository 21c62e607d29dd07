"""The personal calendar feed, outside any workspace: included at /calendar/ in hls/urls.py.
The secret token in the URL is the only credential (revocable); see views.calendar_feed."""

from django.urls import URLPattern, URLResolver, path

from stewardship.notifications import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
