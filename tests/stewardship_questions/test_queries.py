"""The question list costs the same number of queries for 10 or 1,000 questions."""

import pytest

from hls.tenancy.context import tenant_scope
from stewardship.models import Question
from tests.factories import ScaleFactory

BUDGET = 11  # with the starter questions the bank has not taken (one query)


@pytest.mark.parametrize("n", [10, 1000])
def test_question_list_query_budget(workspace, admin_client, n, django_assert_num_queries):
    with tenant_scope(workspace_id=workspace.pk):
        scales = [ScaleFactory(workspace=workspace) for _ in range(3)]
        Question.objects.bulk_create(
            Question(workspace=workspace, text=f"Question {i}?", scale=scales[i % 4] if i % 4 < 3
                     else None, how_would_we_know="By asking")
            for i in range(n)
        )  # fmt: skip
    with django_assert_num_queries(BUDGET):
        response = admin_client.get("/w/riverside/question-bank/")
    assert response.status_code == 200
    assert response.content.count(b'class="bank-question') == n
    with django_assert_num_queries(BUDGET):
        response = admin_client.get("/w/riverside/question-bank/", {"scale": scales[0].pk})
    assert response.status_code == 200
