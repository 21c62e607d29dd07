from django.urls import URLPattern, URLResolver, include, path

from systems import views

# Included under /w/<slug:workspace_slug>/ (hls/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("systems.people.urls")),
    path("scales/", views.scales, name="scales"),
    path("scales/add/", views.scale_add, name="scale-add"),
    path("scales/<int:scale_id>/rename/", views.scale_rename, name="scale-rename"),
    path("scales/<int:scale_id>/move/", views.scale_move, name="scale-move"),
    path("scales/<int:scale_id>/delete/", views.scale_delete, name="scale-delete"),
    path("systems/", views.systems, name="systems"),
    path("systems/new/", views.system_create, name="system-create"),
    path("systems/<int:system_id>/", views.system_detail, name="system-detail"),
    path("systems/<int:system_id>/edit/", views.system_edit, name="system-edit"),
    path("systems/<int:system_id>/map/", views.system_map, name="system-map"),
    path("systems/<int:system_id>/map/draw/", views.system_map_draw, name="system-map-draw"),
    path("systems/<int:system_id>/map/actors/add/", views.actor_add, name="actor-add"),
    path("systems/<int:system_id>/map/factors/add/", views.factor_add, name="factor-add"),
    path("systems/<int:system_id>/map/links/add/", views.relationship_add, name="relationship-add"),
    path("systems/<int:system_id>/map/snapshots/", views.snapshots, name="snapshots"),
    path("systems/<int:system_id>/map/snapshots/take/", views.snapshot_take, name="snapshot-take"),
    path("map/actors/<int:actor_id>/edit/", views.actor_edit, name="actor-edit"),
    path("map/actors/<int:actor_id>/delete/", views.actor_delete, name="actor-delete"),
    path("map/factors/<int:factor_id>/edit/", views.factor_edit, name="factor-edit"),
    path("map/factors/<int:factor_id>/delete/", views.factor_delete, name="factor-delete"),
    path(
        "map/links/<int:relationship_id>/edit/", views.relationship_edit, name="relationship-edit"
    ),
    path(
        "map/links/<int:relationship_id>/delete/",
        views.relationship_delete,
        name="relationship-delete",
    ),
    path(
        "map/snapshots/<int:snapshot_id>/compare/",
        views.snapshot_compare,
        name="snapshot-compare",
    ),
]
