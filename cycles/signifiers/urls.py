from django.urls import URLPattern, URLResolver, path

from cycles.signifiers import views

# Included under /w/<slug:workspace_slug>/ (through cycles/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path("signifiers/", views.set_list, name="signifier-sets"),
    path("signifiers/new/", views.set_new, name="signifier-set-new"),
    path("signifiers/<int:signifier_set_id>/", views.set_detail, name="signifier-set"),
    path("signifiers/<int:signifier_set_id>/edit/", views.set_edit, name="signifier-set-edit"),
    path(
        "signifiers/<int:signifier_set_id>/archive/",
        views.set_archive,
        name="signifier-set-archive",
    ),
    path("cycles/<int:cycle_id>/signifiers/", views.cycle_signifiers, name="cycle-signifiers"),
    path("cycles/<int:cycle_id>/placements/", views.cycle_placements, name="cycle-placements"),
    path("entries/<int:entry_id>/place/", views.entry_place, name="entry-place"),
]
