"""What each role may do in the question bank, written out by hand."""

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from stewardship.models import Question, QuestionRevision
from stewardship.questions.seed import QUESTIONS
from tests.conftest import signed_in
from tests.factories import QuestionFactory
from tests.workspace_urls import workspace_urls

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for:
#                               admin  steward manager practitioner learning_partner viewer
EXPECTED = {
    ("question-list", "GET"): (200, 200, 200, 200, 200, 200),
    ("question-create", "GET"): (200, 200, 200, 403, 200, 403),
    ("question-create", "POST"): (302, 302, 302, 403, 302, 403),
    ("question-edit", "GET"): (200, 200, 200, 403, 200, 403),
    ("question-edit", "POST"): (302, 302, 302, 403, 302, 403),
    ("question-history", "GET"): (200, 200, 200, 200, 200, 200),
    ("question-toggle", "POST"): (302, 302, 302, 403, 302, 403),
    ("question-seed", "GET"): (200, 200, 200, 403, 200, 403),
    ("question-seed", "POST"): (302, 302, 302, 403, 302, 403),
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_question_view() -> None:
    assert list(Role.values) == ROLES, "a role was added or renamed: add its column"
    names = {url.name for url in workspace_urls("stewardship.questions.")}
    assert {view for view, _method in EXPECTED} == names, (
        "a question bank view was added or renamed: add its row to EXPECTED"
    )


def _state(workspace):
    with tenant_scope(workspace_id=workspace.pk):
        return (
            list(Question.objects.values_list("pk", "text", "active", "version").order_by("pk")),
            QuestionRevision.objects.count(),
        )


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_may_or_may_not(view, method, role, expected, workspace, make_member):
    actor = make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        question = QuestionFactory(workspace=workspace, text="Before?")
    if view == "question-seed":
        with tenant_scope(workspace_id=workspace.pk):
            question.delete()
    base = "/w/riverside/question-bank/"
    url, data = {
        "question-list": (base, {}),
        "question-create": (f"{base}new/", {"text": "New?", "mode": "learning"}),
        "question-edit": (f"{base}{question.pk}/edit/", {"text": "After?", "mode": "learning"}),
        "question-history": (f"{base}{question.pk}/history/", {}),
        "question-toggle": (f"{base}{question.pk}/toggle/", {}),
        "question-seed": (f"{base}starter/", {"starters": [QUESTIONS[0].key]}),
    }[view]
    client = signed_in(actor)
    before = _state(workspace)
    response = client.get(url) if method == "GET" else client.post(url, data)

    assert response.status_code == expected
    if method == "POST":
        assert (_state(workspace) != before) is (expected == 302)
