from django.urls import URLPattern, URLResolver, path

from cycles.measures import views

C = "cycles/<int:cycle_id>/"
M = "measures/<int:measure_id>/"

# Included under /w/<slug:workspace_slug>/ (through cycles/urls.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{C}measures/", views.cycle_measures, name="cycle-measures"),
    path(f"{C}measures/new/", views.measure_create, name="measure-create"),
    path(M, views.measure_detail, name="measure-detail"),
    path(f"{M}edit/", views.measure_edit, name="measure-edit"),
    path(f"{M}archive/", views.measure_archive, name="measure-archive"),
    path(f"{M}note/", views.measure_signal_note, name="measure-signal-note"),
    path(f"{M}add/", views.point_add, name="measure-point-add"),
    path("data-points/<int:data_point_id>/edit/", views.point_edit, name="data-point-edit"),
    path("data-points/<int:data_point_id>/delete/", views.point_delete, name="data-point-delete"),
    path(f"{C}what-matters/", views.own_terms, name="cycle-what-matters"),
    path(
        "what-matters/<int:what_matters_id>/edit/",
        views.what_matters_edit,
        name="what-matters-edit",
    ),
    path(
        "what-matters/<int:what_matters_id>/rate/",
        views.what_matters_rate,
        name="what-matters-rate",
    ),
]
