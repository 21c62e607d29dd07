from django.urls import URLPattern, URLResolver, path

from stewardship.partners import views

C = "cycles/<int:cycle_id>/"

# Included under /w/<slug:workspace_slug>/ (through stewardship/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path("partner/", views.partner_home, name="partner-home"),
    path(f"{C}heads-up/", views.heads_ups, name="cycle-heads-ups"),
    path(
        f"{C}heads-up/<int:heads_up_id>/answer/",
        views.heads_up_answer,
        name="cycle-heads-up-answer",
    ),
]
