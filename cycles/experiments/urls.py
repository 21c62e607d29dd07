from django.urls import URLPattern, URLResolver, include, path

from cycles.experiments import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("experiments/", views.experiment_list, name="experiment-list"),
    path("cycles/<int:cycle_id>/experiments/", views.cycle_experiments, name="cycle-experiments"),
    path(
        "cycles/<int:cycle_id>/experiments/new/",
        views.experiment_create,
        name="experiment-create",
    ),
    path("experiments/<int:experiment_id>/", views.experiment_detail, name="experiment-detail"),
    path("experiments/<int:experiment_id>/edit/", views.experiment_edit, name="experiment-edit"),
    path("experiments/<int:experiment_id>/start/", views.experiment_start, name="experiment-start"),
    path("experiments/<int:experiment_id>/end/", views.experiment_end, name="experiment-end"),
    path("", include("cycles.themes.urls")),
]
