from django.urls import URLPattern, URLResolver, path

from stewardship.burden import views

C = "cycles/<int:cycle_id>/"

# Included under /w/<slug:workspace_slug>/ (through stewardship/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{C}learning-time/", views.learning_time, name="learning-time"),
    path(f"{C}stop-doing/", views.stop_doing_add, name="stop-doing-add"),
    path(
        f"{C}stop-doing/<int:stop_doing_id>/resume/",
        views.stop_doing_resume,
        name="stop-doing-resume",
    ),
]
