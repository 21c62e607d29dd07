from django.urls import URLPattern, URLResolver, path

from stewardship.sessions import views

# Included under /w/<slug:workspace_slug>/ (through stewardship/urls.py).
M = "sessions/<int:session_id>/meetings/<str:slot>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/new/", views.session_create, name="session-create"),
    path("sessions/<int:session_id>/", views.session_detail, name="session-detail"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<int:session_id>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<int:session_id>/respond/", views.session_respond, name="session-respond"),
    path("sessions/<int:session_id>/lighten/", views.session_lighten, name="session-lighten"),
    path(M, views.meeting_detail, name="meeting-detail"),
    path(f"{M}move/", views.meeting_move, name="meeting-move"),
    path(f"{M}cancel/", views.meeting_cancel, name="meeting-cancel"),
    path(f"{M}facilitate/", views.meeting_facilitate, name="meeting-facilitate"),
    path(f"{M}outputs/add/", views.meeting_output_add, name="meeting-output-add"),
    path(f"{M}attendance/", views.meeting_attendance, name="meeting-attendance"),
    path(f"{M}heard/", views.meeting_heard, name="meeting-heard"),
    path(f"{M}done/", views.meeting_done, name="meeting-done"),
]
