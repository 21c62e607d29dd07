from django.urls import URLPattern, URLResolver, path

from stewardship.questions import views

Q = "question-bank/<int:bank_question_id>/"

# Included under /w/<slug:workspace_slug>/ (through stewardship/urls.py). The keyword is
# `bank_question_id`, not `question_id`, which names a cycle's context question.
urlpatterns: list[URLPattern | URLResolver] = [
    path("question-bank/", views.question_list, name="question-list"),
    path("question-bank/new/", views.question_create, name="question-create"),
    path("question-bank/starter/", views.question_seed, name="question-seed"),
    path(Q + "edit/", views.question_edit, name="question-edit"),
    path(Q + "history/", views.question_history, name="question-history"),
    path(Q + "toggle/", views.question_toggle, name="question-toggle"),
]
