"""Writes for "back to context": a question sent from a pattern to the cycles it came from, and
their answers. Keyword-only, typed, atomic; ValidationError names the field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cycles.connections import cycle_ids_below
from cycles.models import (
    ContextAnswer,
    ContextQuestion,
    ContextQuestionTarget,
    Cycle,
    EntryRollup,
)
from hls.accounts.models import User
from hls.audit.services import audit_record
from hls.tenancy.models import Workspace

TEXT_MAX = 5_000


def _clean_text(text: str, *, field: str, empty: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({field: empty})
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {field: _("Keep it under %(max)s characters.") % {"max": f"{TEXT_MAX:,}"}}
        )
    return text


@transaction.atomic
def context_question_send(
    *,
    workspace: Workspace,
    asked_from: Cycle,
    asked_by: User,
    text: str,
    origin: dict[str, Any],
    cycles: Iterable[Cycle],
) -> ContextQuestion:
    """Send a question from a pattern of `asked_from` back to some of the cycles below it."""
    text = _clean_text(text, field="text", empty=_("Write the question you want to ask."))
    chosen = {cycle.pk: cycle for cycle in cycles}
    if not chosen:
        raise ValidationError({"cycles": _("Choose at least one cycle to ask.")})
    below = cycle_ids_below(workspace=workspace, cycle=asked_from)
    if asked_from.workspace_id != workspace.pk or any(
        cycle.workspace_id != workspace.pk or pk not in below for pk, cycle in chosen.items()
    ):
        raise ValidationError(
            {"cycles": _("Questions go back to cycles below this one only: choose from the list.")}
        )
    question = ContextQuestion.objects.create(
        workspace=workspace,
        asked_from=asked_from,
        asked_by=asked_by,
        text=text,
        origin=origin,
    )
    ContextQuestionTarget.objects.bulk_create(
        ContextQuestionTarget(workspace=workspace, question=question, cycle=cycle)
        for cycle in chosen.values()
    )
    audit_record(
        workspace=workspace,
        actor=asked_by,
        action="context_question.sent",
        target=question,
        cycle_ids=sorted(chosen),
    )
    return question


@transaction.atomic
def context_answer_create(
    *, workspace: Workspace, target: ContextQuestionTarget, author: User, text: str
) -> ContextAnswer:
    """Answer a question on behalf of the receiving cycle; the target counts as answered."""
    text = _clean_text(text, field="text", empty=_("Write your answer before sending it."))
    if target.workspace_id != workspace.pk:
        raise ValidationError({"text": _("This question is not in this workspace.")})
    answer = ContextAnswer.objects.create(
        workspace=workspace, target=target, author=author, text=text
    )
    if target.answered_at is None:
        target.answered_at = timezone.now()
        target.save(update_fields=["answered_at"])
    audit_record(
        workspace=workspace,
        actor=author,
        action="context_question.answered",
        target=answer,
        question_id=target.question_id,
        cycle_id=target.cycle_id,
    )
    return answer


@transaction.atomic
def rollups_rebuild(*, workspace: Workspace) -> int:
    """Count the workspace's monthly roll-ups again from its entries (the database function of
    cycles migration 0013, which the triggers use for the buckets a write touched). Returns how
    many rows it has."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cycles_entryrollup_rebuild(%s)", [workspace.pk])
    return EntryRollup.objects.filter(workspace=workspace).count()
