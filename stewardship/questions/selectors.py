"""Reads for the question bank. Every selector takes the workspace."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hls.tenancy.models import Workspace
from stewardship.models import Question, QuestionRevision
from stewardship.questions.services import question_data

FIELD_LABELS = {
    "text": _("Question"),
    "scale": _("Scale"),
    "phase": _("Phase"),
    "mode": _("Kind"),
    "how_would_we_know": _("How would we know?"),
    "who_discusses": _("Who discusses it?"),
    "what_information": _("What information helps?"),
    "what_space": _("In what space?"),
    "source": _("Source"),
}


def questions(
    *,
    workspace: Workspace,
    scale_id: int | None = None,
    any_scale: bool = False,
    phase: str = "",
    mode: str = "",
    include_inactive: bool = False,
) -> QuerySet[Question]:
    """The bank, filtered. A scale or phase filter also shows the questions for any scale or
    any phase, since those apply everywhere."""
    qs = Question.objects.filter(workspace=workspace).select_related("scale")
    if not include_inactive:
        qs = qs.filter(active=True)
    if scale_id is not None:
        qs = qs.filter(Q(scale_id=scale_id) | Q(scale__isnull=True))
    elif any_scale:
        qs = qs.filter(scale__isnull=True)
    if phase:
        qs = qs.filter(phase__in=[phase, ""])
    if mode:
        qs = qs.filter(mode=mode)
    return qs.order_by("mode", "phase", "scale__position", "pk")


def bank_is_empty(*, workspace: Workspace) -> bool:
    return not Question.objects.filter(workspace=workspace).exists()


@dataclass
class Version:
    version: int
    data: dict[str, Any]
    edited_by: Any  # the user who replaced this version with the next, if any
    edited_at: Any
    changed: list[tuple[str, Any, Any]]  # label, before, after (against the version before)
    current: bool = False


def _shown(name: str, data: dict[str, Any]) -> Any:
    if name == "scale":
        return data.get("scale_name") or _("Any scale")
    if name == "phase":
        return data.get("phase") or _("Any phase")
    return data.get(name, "")


def history(*, workspace: Workspace, question: Question) -> list[Version]:
    """Every version, newest first, each with what changed from the one before it."""
    revisions = list(
        QuestionRevision.objects.filter(workspace=workspace, question=question)
        .select_related("edited_by")
        .order_by("version")
    )
    versions = [Version(1, {}, None, question.created_at, [])]
    for r in revisions:  # revision k was stored by whoever made version k + 1, at that time
        versions[-1].data = r.data
        versions.append(Version(r.version + 1, {}, r.edited_by, r.edited_at, []))
    versions[0].version = revisions[0].version if revisions else question.version
    versions[-1].data = question_data(question)
    versions[-1].version = question.version
    versions[-1].current = True
    for before, after in itertools.pairwise(versions):
        for name, label in FIELD_LABELS.items():
            key = "scale_name" if name == "scale" else name
            if before.data.get(key) != after.data.get(key):
                after.changed.append(
                    (str(label), _shown(name, before.data), _shown(name, after.data))
                )
    return list(reversed(versions))
