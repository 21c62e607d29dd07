"""What each role may do in the patterns area, written out by hand."""

import pytest

from hls.tenancy.context import tenant_scope
from hls.tenancy.models import Role
from tests.conftest import signed_in
from tests.factories import ContextQuestionFactory, ContextQuestionTargetFactory
from tests.patterns.helpers import build_tree, entry, join
from tests.workspace_urls import workspace_urls

pytestmark = pytest.mark.django_db

ROLES = ["admin", "steward", "manager", "practitioner", "learning_partner", "viewer"]

# view name, method → expected status for:
#                                       admin steward manager practitioner partner viewer
EXPECTED = {
    # the navigation's Patterns: to the patterns below the cycle the member holds (team A)
    ("patterns-home", "GET"): (302, 302, 302, 302, 302, 302),
    ("cycle-patterns", "GET"): (200, 200, 200, 200, 200, 200),
    ("cycle-pattern-entries", "GET"): (200, 200, 200, 200, 200, 200),
    ("cycle-pattern-experiments", "GET"): (200, 200, 200, 200, 200, 200),
    ("cycle-pattern-ask", "GET"): (200, 200, 200, 403, 403, 403),
    ("cycle-pattern-ask", "POST"): (302, 302, 302, 403, 403, 403),
    ("cycle-questions", "GET"): (200, 200, 200, 200, 200, 200),
    ("context-question", "GET"): (200, 200, 200, 200, 200, 200),
    # answering: entries.create, and taking part in the receiving cycle (all do, here)
    ("context-question-answer", "POST"): (302, 302, 302, 302, 302, 403),
}

CASES = [
    pytest.param(view, method, role, statuses[i], id=f"{view}-{method}-{role}")
    for (view, method), statuses in EXPECTED.items()
    for i, role in enumerate(ROLES)
]


def test_the_table_lists_every_role_and_every_patterns_view() -> None:
    assert list(Role.values) == ROLES
    assert {view for view, _m in EXPECTED} == {u.name for u in workspace_urls("cycles.patterns.")}


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_role_table(workspace, make_member, view, method, role, expected):
    membership = make_member(workspace, role)
    with tenant_scope(workspace_id=workspace.pk):
        tree = build_tree(workspace, membership)
        for _ in range(3):
            entry(workspace, tree.team_a, themes=[tree.letters])
        join(workspace, tree.team_a, membership)
        question = ContextQuestionFactory(workspace=workspace, asked_from=tree.place)
        target = ContextQuestionTargetFactory(
            workspace=workspace, question=question, cycle=tree.team_a
        )
    base = "/w/riverside/"
    url, data = {
        "patterns-home": (f"{base}patterns/", {}),
        "cycle-patterns": (f"{base}cycles/{tree.place.pk}/patterns/", {}),
        "cycle-pattern-entries": (f"{base}cycles/{tree.place.pk}/patterns/entries/", {}),
        "cycle-pattern-experiments": (f"{base}cycles/{tree.place.pk}/patterns/experiments/", {}),
        "cycle-pattern-ask": (
            f"{base}cycles/{tree.place.pk}/patterns/ask/?theme={tree.letters.pk}",
            {"text": "What is behind it?", "cycles": [tree.team_a.pk]},
        ),
        "cycle-questions": (f"{base}cycles/{tree.place.pk}/questions/", {}),
        "context-question": (f"{base}questions/{question.pk}/", {}),
        "context-question-answer": (
            f"{base}question-targets/{target.pk}/answer/",
            {f"t{target.pk}-text": "Here is what we see."},
        ),
    }[view]
    client = signed_in(membership)
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert response.status_code == expected
