"""Objects for the outsider matrix: the patterns area's URL keywords."""

from tests.factories import ContextQuestionFactory, ContextQuestionTargetFactory


def make_question(workspace, membership) -> int:
    return ContextQuestionFactory(workspace=workspace).pk


def make_target(workspace, membership) -> int:
    return ContextQuestionTargetFactory(workspace=workspace).pk


MAKERS = {"question_id": make_question, "target_id": make_target}
