from django.urls import URLPattern, URLResolver, path

from stewardship.methods import views

R = "runs/<int:run_id>/"

# Included under /w/<slug:workspace_slug>/ (through stewardship/urls.py). The method picker,
# the template library and the API have their own (library_urls.py, stewardship/api/).
urlpatterns: list[URLPattern | URLResolver] = [
    path("cycles/<int:cycle_id>/methods/", views.cycle_method_runs, name="cycle-method-runs"),
    path(R, views.method_run, name="method-run"),
    path(f"{R}live/", views.method_run_live, name="method-run-live"),
    path(f"{R}join/", views.method_run_join, name="method-run-join"),
    path(f"{R}answer/", views.method_run_answer, name="method-run-answer"),
    path(f"{R}move/", views.method_run_move, name="method-run-move"),
    path(f"{R}reveal/", views.method_run_reveal, name="method-run-reveal"),
    path(f"{R}again/", views.method_run_again, name="method-run-again"),
    path(f"{R}complete/", views.method_run_complete, name="method-run-complete"),
]
