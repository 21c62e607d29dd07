"""Writes for the question bank. Keyword-only, typed, atomic; ValidationError names the field.

Every edit first stores the question as it was (a QuestionRevision with all editable fields)
and raises its version. Questions are never deleted: they are deactivated.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cycles.models import Phase
from hls import notices
from hls.accounts.models import User
from hls.conflicts import lock_current, next_revision, require_current
from hls.tenancy.models import Workspace
from stewardship.models import Question, QuestionRevision
from stewardship.questions.seed import QUESTIONS, SCALE_NAMES, SOURCE, Seed
from systems.models import Scale

EDITABLE = (
    "scale",
    "phase",
    "mode",
    "text",
    "how_would_we_know",
    "who_discusses",
    "what_information",
    "what_space",
    "source",
)
COUNTER = "version"  # a question's edit counter (its history is kept by version)
TEXT_MAX = 2000
SOURCE_MAX = 240


def question_data(question: Question) -> dict[str, Any]:
    """The editable fields as JSON (the scale as its id and name, so history reads well even
    after the scale is renamed or removed)."""
    data: dict[str, Any] = {f: getattr(question, f) for f in EDITABLE if f != "scale"}
    data["scale"] = question.scale_id
    data["scale_name"] = question.scale.name if question.scale is not None else ""
    return data


def shown_values(question: Question) -> dict[str, str]:
    """The fields given as choices, in words (as the edit form offers them)."""
    return {
        "scale": question.scale.name if question.scale is not None else _("Any scale"),
        "phase": question.get_phase_display() if question.phase else _("Any phase"),
        "mode": question.get_mode_display(),
    }


def _clean(*, workspace: Workspace, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in ("text", "how_would_we_know", "who_discusses", "what_information", "what_space"):
        if name in fields:
            clean[name] = (fields[name] or "").strip()
            if len(clean[name]) > TEXT_MAX:
                errors[name] = _("Keep it to %(max)d characters or fewer.") % {"max": TEXT_MAX}
    if "text" in clean and not clean["text"]:
        errors["text"] = _("Write the question.")
    if "source" in fields:
        clean["source"] = (fields["source"] or "").strip()
        if len(clean["source"]) > SOURCE_MAX:
            errors["source"] = _("Keep it to %(max)d characters or fewer.") % {"max": SOURCE_MAX}
    if "phase" in fields:
        clean["phase"] = fields["phase"] or ""
        if clean["phase"] and clean["phase"] not in Phase.values:
            errors["phase"] = _("Choose one of the four phases, or any phase.")
    if "mode" in fields:
        clean["mode"] = fields["mode"]
        if clean["mode"] not in Question.Mode.values:
            errors["mode"] = _("Choose learning, managing or governing.")
    if "scale" in fields:
        scale = fields["scale"]
        if scale is not None and scale.workspace_id != workspace.pk:
            errors["scale"] = _("Choose one of this workspace's scales.")
        clean["scale"] = scale
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def question_create(
    *,
    workspace: Workspace,
    text: str,
    scale: Scale | None = None,
    phase: str = "",
    mode: str = Question.Mode.LEARNING,
    how_would_we_know: str = "",
    who_discusses: str = "",
    what_information: str = "",
    what_space: str = "",
    source: str = "",
) -> Question:
    clean = _clean(
        workspace=workspace,
        fields={
            "text": text,
            "scale": scale,
            "phase": phase,
            "mode": mode,
            "how_would_we_know": how_would_we_know,
            "who_discusses": who_discusses,
            "what_information": what_information,
            "what_space": what_space,
            "source": source,
        },
    )
    return Question.objects.create(workspace=workspace, **clean)


@transaction.atomic
def question_update(
    *,
    workspace: Workspace,
    question: Question,
    user: User | None,
    revision: int | None = None,
    **fields: Any,
) -> Question:
    """Change any of the editable fields. The question as it was is kept as a revision and the
    version goes up; an edit that changes nothing stores nothing. `revision` is the version
    the editor started from: if someone saved the question since, `EditConflict` with their
    wording, who and when (hls/conflicts.py), and nothing is written."""
    question = lock_current(
        Question, workspace=workspace, pk=question.pk, related=("scale",), of=("self",)
    )
    if revision is not None and revision != question.version:
        last = (
            QuestionRevision.objects.filter(workspace=workspace, question=question)
            .select_related("edited_by")
            .order_by("-version", "-pk")
            .first()
        )
        require_current(
            question,
            revision=revision,
            fields=(  # in the edit form's order
                "text",
                "mode",
                "scale",
                "phase",
                "how_would_we_know",
                "who_discusses",
                "what_information",
                "what_space",
                "source",
            ),
            counter=COUNTER,
            values=shown_values(question),
            saved_by=last.edited_by if last else None,
            saved_at=last.edited_at if last else None,
        )
    clean = _clean(workspace=workspace, fields=fields)
    changed = {
        name: value
        for name, value in clean.items()
        if (value.pk if name == "scale" and value is not None else value)
        != (question.scale_id if name == "scale" else getattr(question, name))
    }
    if not changed:
        return question
    QuestionRevision.objects.create(
        workspace=workspace,
        question=question,
        version=question.version,
        data=question_data(question),
        edited_by=user,
    )
    for name, value in changed.items():
        setattr(question, name, value)
    question.version = next_revision(question, COUNTER)
    question.save()
    return question


@transaction.atomic
def question_set_active(*, workspace: Workspace, question: Question, active: bool) -> Question:
    Question.objects.filter(workspace=workspace, pk=question.pk).update(active=active)
    question.active = active
    return question


def _scale_for(key: str | None, scales: list[Scale]) -> Scale | None:
    if key is None:
        return None
    names = {n.lower() for n in (key, *SCALE_NAMES.get(key, ()))}
    match = next((s for s in scales if s.name.lower() in names), None)
    if match is None and key == "person":
        match = next((s for s in scales if s.is_person_scale), None)
    return match


def starters_not_in_bank(*, workspace: Workspace) -> list[Seed]:
    """The starter questions the bank has never had (an edited or switched-off starter is still
    had). The bank takes them when a steward chooses to: nothing is pushed into it."""
    had = set(
        Question.objects.filter(workspace=workspace)
        .exclude(starter="")
        .values_list("starter", flat=True)
    )
    return [seed for seed in QUESTIONS if seed.key not in had]


@transaction.atomic
def question_bank_add_starters(*, workspace: Workspace, keys: Collection[str]) -> int:
    """Add the chosen starter questions the bank does not have yet. Scale keys are matched to
    the workspace's scales by name (case-insensitive); a key that matches none makes the
    question one for any scale. Returns how many were added."""
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()  # one adder at a time
    missing = {seed.key: seed for seed in starters_not_in_bank(workspace=workspace)}
    if not keys:
        raise ValidationError({"starters": _("Choose at least one question to add.")})
    if set(keys) - set(missing):
        raise ValidationError(
            {"starters": _("The bank already has some of these questions. Choose again.")}
        )
    scales = list(Scale.objects.filter(workspace=workspace))
    Question.objects.bulk_create(
        [
            Question(
                workspace=workspace,
                starter=seed.key,
                scale=_scale_for(seed.scale, scales),
                phase=seed.phase,
                mode=seed.mode,
                text=seed.text,
                how_would_we_know=seed.how_would_we_know,
                who_discusses=seed.who_discusses,
                what_information=seed.what_information,
                what_space=seed.what_space,
                source=SOURCE,
            )
            for seed in QUESTIONS
            if seed.key in keys
        ]
    )
    return len(set(keys))


def question_bank_seed(*, workspace: Workspace) -> int:
    """Give an empty bank every starter question, once: nothing happens if it has any
    question. Returns how many were added."""
    if Question.objects.filter(workspace=workspace).exists():
        return 0
    return question_bank_add_starters(workspace=workspace, keys=[q.key for q in QUESTIONS])


def starter_questions(notice: notices.Notice) -> int:
    """A new workspace was given its default scales (systems, `SCALES_DEFAULTS_ADDED`): give it
    the starter questions too, keyed to those scales. Subscribed in StewardshipConfig.ready."""
    return question_bank_seed(workspace=Workspace.objects.get(pk=notice.workspace_id))
