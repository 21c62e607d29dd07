"""Objects for the outsider matrix (tests/outsider_objects.py): the question bank's URL keyword."""

from tests.factories import QuestionFactory


def make_bank_question(workspace, membership) -> int:
    return QuestionFactory(workspace=workspace).pk


MAKERS = {"bank_question_id": make_bank_question}
