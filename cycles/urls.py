from django.urls import URLPattern, URLResolver, include, path

from cycles import views

# Included under /w/<slug:workspace_slug>/ (hls/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path("cycles/", views.cycle_list, name="cycle-list"),
    path("cycles/new/", views.cycle_create, name="cycle-create"),
    path("cycles/<int:cycle_id>/", views.cycle_detail, name="cycle-detail"),
    path("cycles/<int:cycle_id>/edit/", views.cycle_edit, name="cycle-edit"),
    path("cycles/<int:cycle_id>/phase/", views.cycle_phase, name="cycle-phase"),
    path("cycles/<int:cycle_id>/members/", views.cycle_members, name="cycle-members"),
    path("cycles/<int:cycle_id>/members/add/", views.cycle_member_add, name="cycle-member-add"),
    path(
        "cycle-members/<int:cycle_member_id>/remove/",
        views.cycle_member_remove,
        name="cycle-member-remove",
    ),
    path("cycles/<int:cycle_id>/timeline/", views.cycle_timeline, name="cycle-timeline"),
    path("log/", views.entry_create, name="entry-create"),
    path("entries/<int:entry_id>/", views.entry_row, name="entry-row"),
    path("entries/<int:entry_id>/edit/", views.entry_edit, name="entry-edit"),
    path("entries/<int:entry_id>/delete/", views.entry_delete, name="entry-delete"),
    path("entries/<int:entry_id>/restore/", views.entry_restore, name="entry-restore"),
    path("entries/<int:entry_id>/history/", views.entry_history, name="entry-history"),
    path("drafts/save/", views.draft_save, name="draft-save"),
    path("drafts/discard/", views.draft_discard, name="draft-discard"),
    path("search/", views.search, name="search"),
    path("", include("cycles.experiments.urls")),
    path("", include("cycles.links.urls")),
    path("", include("cycles.patterns.urls")),
    path("", include("cycles.barriers.urls")),
    path("", include("cycles.signifiers.urls")),
    path("", include("cycles.measures.urls")),
]
