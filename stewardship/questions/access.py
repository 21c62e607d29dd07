"""Fetch-or-404 for the question bank: another workspace's question is a 404."""

from django.shortcuts import get_object_or_404

from hls.tenancy.models import Workspace
from stewardship.models import Question


def access_question(*, workspace: Workspace, bank_question_id: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("scale"), workspace=workspace, pk=bank_question_id
    )
