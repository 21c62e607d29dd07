from django.urls import URLPattern, URLResolver, path

from cycles.barriers import views

# Included under /w/<slug:workspace_slug>/ (through cycles/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path("entries/<int:entry_id>/raise/", views.barrier_raise, name="barrier-raise"),
    path("cycles/<int:cycle_id>/barriers/", views.barrier_inbox, name="barrier-inbox"),
    path("barriers/<int:barrier_route_id>/", views.barrier_detail, name="barrier-detail"),
    path("barriers/<int:barrier_route_id>/answer/", views.barrier_answer, name="barrier-answer"),
    path("cycles/<int:cycle_id>/enablers/new/", views.enabler_create, name="enabler-create"),
]
