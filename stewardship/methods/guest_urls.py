"""Guests' pages of a method run, outside any workspace: included at /join/ in hls/urls.py. The
run's code in the URL finds the run; the guest's own secret (an HttpOnly cookie scoped to
/join/<code>/) says who they are. See views.guest_run and stewardship/methods/guests.py."""

from django.urls import URLPattern, URLResolver, path

from stewardship.methods import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.guest_code, name="method-guest-code"),
    path("<str:code>/", views.guest_run, name="method-guest"),
    path("<str:code>/live/", views.guest_live, name="method-guest-live"),
    path("<str:code>/answer/", views.guest_answer, name="method-guest-answer"),
]
