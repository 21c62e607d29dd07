from django.urls import URLPattern, URLResolver, path

from cycles.patterns import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("patterns/", views.patterns_home, name="patterns-home"),
    path("cycles/<int:cycle_id>/patterns/", views.patterns, name="cycle-patterns"),
    path(
        "cycles/<int:cycle_id>/patterns/entries/",
        views.pattern_entries,
        name="cycle-pattern-entries",
    ),
    path(
        "cycles/<int:cycle_id>/patterns/experiments/",
        views.pattern_experiments,
        name="cycle-pattern-experiments",
    ),
    path("cycles/<int:cycle_id>/patterns/ask/", views.pattern_ask, name="cycle-pattern-ask"),
    path("cycles/<int:cycle_id>/questions/", views.cycle_questions, name="cycle-questions"),
    path("questions/<int:question_id>/", views.question_detail, name="context-question"),
    path(
        "question-targets/<int:target_id>/answer/",
        views.question_answer,
        name="context-question-answer",
    ),
]
