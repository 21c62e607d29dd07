"""Forms for the method library, the template editor and the picker. Rules live in services
and in definition.parse; these parse input, keep what was typed, and put each of the checker's
messages beside the step or field it names.

The structured editor is a form per step (prefix `s<i>`) and per field (`s<i>-f<j>`), rendered
from a definition (JSON data) and assembled back into one from the posted data, so nothing of a
method's steps needs code: its buttons ("Add a step", "Add a field", "Remove", "Move up") are
plain posts that change the assembled definition and show the editor again, unsaved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cycles.models import Entry, Phase
from hls import jsontext
from hls.conflicts import RevisionField
from stewardship.methods.definition import EXPERIMENT_FIELDS, MAX_FIELDS, MAX_STEPS, TEXT_TYPES
from stewardship.models import MethodRun
from stewardship.questions.seed import SCALE_NAMES

SCALE_CHOICES = [(key, names[0]) for key, names in SCALE_NAMES.items()]
WHO_CHOICES = [
    ("group", _("The group, together")),
    ("each", _("Each participant")),
    ("facilitator", _("The facilitator")),
]
REVEAL_CHOICES = [
    ("answers", _("Everyone's answers, with names")),
    ("spread", _("Only the spread of values, unattributed")),
]
TYPE_CHOICES = [
    ("text", _("Short text")),
    ("long_text", _("Long text")),
    ("story", _("Story (a lived experience)")),
    ("choice", _("One choice")),
    ("multi", _("Several choices")),
    ("scale", _("Scale")),
    ("select", _("Select among earlier answers")),
    ("rank", _("Rank earlier answers")),
]
EXPERIMENT_LABELS = {
    "title": _("Experiment's title from"),
    "what_we_will_try": _("What we will try from"),
    "prediction": _("Prediction from"),
    "how_we_will_know": _("How we will know from"),
    "safe_to_fail_limits": _("Safe-to-fail limits from"),
}
WHERE = re.compile(r"^Step (\d+)(?:, field '([^']*)')?: (.*)$", re.S)


# --- Library filter -------------------------------------------------------------------------------


class LibraryFilterForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", _("Any phase")), *Phase.choices]
    )
    scale = forms.ChoiceField(
        label=_("Scale"), required=False, choices=[("", _("Any scale")), *SCALE_CHOICES]
    )


# --- A template's own fields (name, summary, source, phases, scales) ------------------------------


class TemplateMetaForm(forms.Form):
    revision = RevisionField()
    name = forms.CharField(
        label=_("Name"),
        max_length=160,
        error_messages={"required": _("Give the method a name.")},
    )
    summary = forms.CharField(
        label=_("What it is for"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    source = forms.CharField(
        label=_("Source (attribution)"),
        required=False,
        max_length=400,
        help_text=_("Where the method comes from, credited in your own words."),
    )
    phases = forms.MultipleChoiceField(
        label=_("Phases it serves"),
        choices=Phase.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the phases it serves.")},
    )
    scales = forms.MultipleChoiceField(
        label=_("Scales it fits"),
        required=False,
        choices=SCALE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: any scale."),
    )


def meta_initial(data: Mapping[str, Any]) -> dict[str, Any]:
    """The meta form's values as posted, to show again unbound (no errors) after a button."""
    getlist = getattr(data, "getlist", None)
    initial: dict[str, Any] = {
        name: data.get(name, "") for name in ("revision", "name", "summary", "source")
    }
    for name in ("phases", "scales"):
        initial[name] = getlist(name) if getlist else list(data.get(name, []))
    return initial


class JsonTemplateForm(TemplateMetaForm):
    definition = forms.CharField(
        label=_("The steps, as JSON"),
        widget=forms.Textarea(attrs={"rows": 30, "class": "monospace", "spellcheck": "false"}),
        help_text=_("Each step with its key, title, who answers, fields and what it writes."),
        error_messages={"required": _("Give the steps.")},
    )

    def clean_definition(self) -> Any:
        text = self.cleaned_data["definition"]
        try:
            return jsontext.loads(text)  # strict: no NaN, no number or nesting past reading
        except jsontext.JsonTextError as error:
            raise ValidationError(error.message) from None


# --- The structured steps editor ------------------------------------------------------------------


class StepForm(forms.Form):
    key = forms.CharField(
        label=_("Key"), max_length=40, help_text=_("a-z, 0-9 and _; unique in the method.")
    )
    title = forms.CharField(label=_("Title"), max_length=160)
    prompt = forms.CharField(
        label=_("What the step asks"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    who = forms.ChoiceField(label=_("Who answers"), choices=WHO_CHOICES)
    private = forms.BooleanField(
        label=_("Private until revealed (each participant only)"), required=False
    )
    reveal = forms.ChoiceField(label=_("Revealing shows"), choices=REVEAL_CHOICES, required=False)
    minutes = forms.IntegerField(
        label=_("Timer, minutes"), required=False, min_value=0, help_text=_("0 for none.")
    )
    consent = forms.BooleanField(
        label=_("A story here needs the teller's consent first"), required=False
    )
    # What the step writes that this editor has no control for (map changes, a second entry
    # from one field): carried through unchanged, so a save never drops it.
    kept_writes = forms.CharField(widget=forms.HiddenInput, required=False)


class StepExperimentForm(forms.Form):
    """Which of the step's fields become an experiment when the run completes."""

    def __init__(self, *args: Any, keys: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(none)")), *((k, k) for k in keys)]
        for name in EXPERIMENT_FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=EXPERIMENT_LABELS[name], required=False, choices=choices
            )


class FieldForm(forms.Form):
    key = forms.CharField(label=_("Key"), max_length=40)
    label = forms.CharField(label=_("Label"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=TYPE_CHOICES)
    required = forms.BooleanField(label=_("An answer is needed"), required=False)
    help = forms.CharField(label=_("Hint"), required=False, max_length=400)
    entry = forms.ChoiceField(
        label=_("Write each answer into the cycle as"),
        required=False,
        choices=[("", _("(not written)")), *Entry.Kind.choices],
        help_text=_("Text, story and selection fields."),
    )
    choices = forms.CharField(
        label=_("Choices, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One choice and several choices: 2 to 20."),
    )
    min = forms.IntegerField(label=_("Scale from"), required=False, help_text=_("0 or 1."))
    max = forms.IntegerField(label=_("Scale to"), required=False, help_text=_("2 to 10."))
    low = forms.CharField(label=_("Word for the low end"), required=False, max_length=80)
    high = forms.CharField(label=_("Word for the high end"), required=False, max_length=80)
    own_anchors = forms.BooleanField(label=_("Each person may name their own ends"), required=False)
    source = forms.ChoiceField(
        label=_("Chooses among the answers to"),
        required=False,
        help_text=_("Selection and ranking: an earlier step's text or story field."),
    )
    pick = forms.IntegerField(label=_("How many to choose"), required=False)
    reasons = forms.BooleanField(label=_("Ask why each was chosen"), required=False)

    def __init__(self, *args: Any, sources: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_ = self.fields["source"]
        assert isinstance(field_, forms.ChoiceField)
        current = str(self.initial.get("source") or "")
        options = list(sources) + ([current] if current and current not in sources else [])
        field_.choices = [("", _("(not a selection)")), *((s, s) for s in options)]


class RepeatForm(forms.Form):
    repeat_from = forms.ChoiceField(
        label=_("The group may go round again from"),
        required=False,
        help_text=_("For methods that repeat (action inquiry): the step a new round starts at."),
    )

    def __init__(self, *args: Any, steps: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_ = self.fields["repeat_from"]
        assert isinstance(field_, forms.ChoiceField)
        field_.choices = [("", _("(it does not go round again)")), *steps]


@dataclass
class FieldBlock:
    index: int
    form: FieldForm
    errors: list[str] = field(default_factory=list)


@dataclass
class StepBlock:
    index: int
    form: StepForm
    experiment: StepExperimentForm
    fields: list[FieldBlock]
    errors: list[str] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass
class Editor:
    steps: list[StepBlock]
    repeat: RepeatForm
    errors: list[str] = field(default_factory=list)  # about the method as a whole
    max_steps: int = MAX_STEPS
    max_fields: int = MAX_FIELDS

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(
            len(s.errors) + sum(len(f.errors) for f in s.fields) for s in self.steps
        )


def _entry_kinds(step: Mapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for write in step.get("writes") or []:
        if isinstance(write, dict) and write.get("as") == "entry":
            found.setdefault(str(write.get("field", "")), str(write.get("kind", "")))
    return found


def _kept_writes(step: Mapping[str, Any]) -> list[Any]:
    """The step's writes other than one entry per field and one experiment."""
    kept, fields, experiment = [], set(), False
    for write in step.get("writes") or []:
        kind = write.get("as") if isinstance(write, dict) else None
        if kind == "entry" and write.get("field") not in fields:
            fields.add(write.get("field"))
        elif kind == "experiment" and not experiment:
            experiment = True
        else:
            kept.append(write)
    return kept


def _experiment(step: Mapping[str, Any]) -> dict[str, str]:
    for write in step.get("writes") or []:
        if isinstance(write, dict) and write.get("as") == "experiment":
            mapping = write.get("fields")
            return {k: str(v) for k, v in mapping.items()} if isinstance(mapping, dict) else {}
    return {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def editor(raw: Any, messages: Sequence[str] = ()) -> Editor:
    """The structured editor for a definition (as data, checked or not), with the checker's
    messages placed beside the step ("Step N") or field ("Step N, field 'key'") they name."""
    raw = raw if isinstance(raw, dict) else {}
    steps: list[StepBlock] = []
    earlier: list[str] = []  # "step.field" of earlier text fields: what a selection draws on
    step_keys: list[tuple[str, str]] = []
    for i, step in enumerate(s if isinstance(s, dict) else {} for s in _list(raw.get("steps"))):
        kinds = _entry_kinds(step)
        items = [f if isinstance(f, dict) else {} for f in _list(step.get("fields"))]
        blocks = []
        for j, item in enumerate(items):
            initial = {
                name: item.get(name)
                for name in ("key", "label", "type", "help", "min", "max", "low", "high", "pick")
            }
            initial |= {
                "required": item.get("required") is True,
                "own_anchors": item.get("own_anchors") is True,
                "reasons": item.get("reasons") is True,
                "choices": "\n".join(str(c) for c in _list(item.get("choices"))),
                "source": item.get("from") or "",
                "entry": kinds.get(str(item.get("key", "")), ""),
            }
            blocks.append(
                FieldBlock(
                    j, FieldForm(prefix=f"s{i}-f{j}", initial=initial, sources=list(earlier))
                )
            )
        step_initial = {
            name: step.get(name) for name in ("key", "title", "prompt", "who", "reveal", "minutes")
        }
        kept = _kept_writes(step)
        step_initial |= {
            "private": step.get("private") is True,
            "consent": step.get("consent") is True,
            "kept_writes": json.dumps(kept) if kept else "",
        }
        keys = [str(f.get("key", "")) for f in items if f.get("key")]
        steps.append(
            StepBlock(
                i,
                StepForm(prefix=f"s{i}", initial=step_initial),
                StepExperimentForm(prefix=f"s{i}-exp", initial=_experiment(step), keys=keys),
                blocks,
            )
        )
        key = str(step.get("key", ""))
        step_keys.append((key, str(step.get("title") or key)))
        earlier += [
            f"{key}.{f.get('key')}"
            for f in items
            if f.get("type") in (*TEXT_TYPES, "select") and f.get("key")
        ]
    repeat_from = str(raw.get("repeat_from") or "")
    if repeat_from and repeat_from not in {k for k, _t in step_keys}:
        step_keys.append((repeat_from, repeat_from))
    result = Editor(
        steps=steps,
        repeat=RepeatForm(initial={"repeat_from": repeat_from}, steps=step_keys),
    )
    for message in messages:
        _place(result, message)
    return result


def _place(result: Editor, message: str) -> None:
    match = WHERE.match(message)
    if match is None or not 1 <= int(match[1]) <= len(result.steps):
        result.errors.append(message)
        return
    step = result.steps[int(match[1]) - 1]
    named = match[2]
    if named is not None:
        for block in step.fields:
            if block.form.initial.get("key") == named:
                block.errors.append(match[3])
                return
    step.errors.append(match[3] if named is None else f"{named}: {match[3]}")


def _number(value: str | None) -> int | str | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text  # the checker says what it should be


def _indexes(data: Mapping[str, Any], pattern: str) -> list[int]:
    found = {int(m[1]) for name in data if (m := re.fullmatch(pattern, name))}
    return sorted(found)


def assemble(data: Mapping[str, Any]) -> dict[str, Any]:
    """The definition the structured editor's posted data describes (not checked yet)."""
    steps = []
    for i in _indexes(data, r"s(\d+)-key"):
        p = f"s{i}-"
        step: dict[str, Any] = {
            "key": data.get(f"{p}key", "").strip(),
            "title": data.get(f"{p}title", "").strip(),
            "who": data.get(f"{p}who", "group"),
        }
        if data.get(f"{p}prompt", "").strip():
            step["prompt"] = data[f"{p}prompt"].strip()
        minutes = _number(data.get(f"{p}minutes"))
        if minutes is not None:
            step["minutes"] = minutes
        if step["who"] == "each" and data.get(f"{p}private"):
            step["private"] = True
            step["reveal"] = "spread" if data.get(f"{p}reveal") == "spread" else "answers"
        if data.get(f"{p}consent"):
            step["consent"] = True
        fields, writes = [], []
        for j in _indexes(data, rf"s{i}-f(\d+)-key"):
            q = f"s{i}-f{j}-"
            item: dict[str, Any] = {
                "key": data.get(f"{q}key", "").strip(),
                "label": data.get(f"{q}label", "").strip(),
                "type": data.get(f"{q}type", "text"),
            }
            if data.get(f"{q}required"):
                item["required"] = True
            if data.get(f"{q}help", "").strip():
                item["help"] = data[f"{q}help"].strip()
            kind = item["type"]
            if kind in ("choice", "multi"):
                lines = data.get(f"{q}choices", "").splitlines()
                item["choices"] = [line.strip() for line in lines if line.strip()]
            if kind == "scale":
                for name in ("min", "max"):
                    number = _number(data.get(f"{q}{name}"))
                    if number is not None:
                        item[name] = number
                for name in ("low", "high"):
                    if data.get(f"{q}{name}", "").strip():
                        item[name] = data[f"{q}{name}"].strip()
                if data.get(f"{q}own_anchors"):
                    item["own_anchors"] = True
            if kind in ("select", "rank"):
                item["from"] = data.get(f"{q}source", "")
            if kind == "select":
                pick = _number(data.get(f"{q}pick"))
                if pick is not None:
                    item["pick"] = pick
                if data.get(f"{q}reasons"):
                    item["reasons"] = True
            if data.get(f"{q}entry"):
                writes.append({"as": "entry", "kind": data[f"{q}entry"], "field": item["key"]})
            fields.append(item)
        step["fields"] = fields
        mapping = {
            name: data.get(f"{p}exp-{name}", "")
            for name in EXPERIMENT_FIELDS
            if data.get(f"{p}exp-{name}", "")
        }
        if mapping:
            writes.append({"as": "experiment", "fields": mapping})
        try:
            kept = jsontext.loads(data.get(f"{p}kept_writes") or "[]")
        except jsontext.JsonTextError:
            kept = []
        writes += kept if isinstance(kept, list) else []
        if writes:
            step["writes"] = writes
        steps.append(step)
    raw: dict[str, Any] = {"steps": steps}
    if data.get("repeat_from", "").strip():
        raw["repeat_from"] = data["repeat_from"].strip()
    return raw


def _free(existing: Sequence[str], stem: str) -> str:
    n = len(existing) + 1
    while f"{stem}_{n}" in existing:
        n += 1
    return f"{stem}_{n}"


def apply(action: str, raw: dict[str, Any]) -> dict[str, Any]:
    """A button of the structured editor: add, remove or move a step or a field (unsaved)."""
    steps: list[dict[str, Any]] = raw.setdefault("steps", [])
    verb, _colon, rest = action.partition(":")
    where = [int(n) for n in rest.split(":") if n.isdigit()]
    if verb == "add-step" and len(steps) < MAX_STEPS:
        key = _free([s.get("key", "") for s in steps], "step")
        steps.append(
            {"key": key, "title": "", "who": "group",
             "fields": [{"key": "answer", "label": "", "type": "long_text"}]}
        )  # fmt: skip
    elif verb in ("remove-step", "up-step", "add-field") and where and where[0] < len(steps):
        i = where[0]
        if verb == "remove-step" and len(steps) > 1:
            steps.pop(i)
        elif verb == "up-step" and i > 0:
            steps[i - 1], steps[i] = steps[i], steps[i - 1]
        elif verb == "add-field" and len(steps[i]["fields"]) < MAX_FIELDS:
            fields = steps[i]["fields"]
            fields.append(
                {"key": _free([f.get("key", "") for f in fields], "field"), "label": "",
                 "type": "text"}
            )  # fmt: skip
    elif verb == "remove-field" and len(where) == 2 and where[0] < len(steps):
        fields = steps[where[0]]["fields"]
        if where[1] < len(fields) and len(fields) > 1:
            removed = fields.pop(where[1])
            writes = [
                w for w in steps[where[0]].get("writes", [])
                if not (isinstance(w, dict) and w.get("field") == removed.get("key"))
            ]  # fmt: skip
            steps[where[0]]["writes"] = writes
    return raw


def blank_definition() -> dict[str, Any]:
    return {
        "steps": [
            {"key": "step_1", "title": "", "who": "group",
             "fields": [{"key": "answer", "label": "", "type": "long_text"}]}
        ]
    }  # fmt: skip


def definition_messages(error: ValidationError) -> tuple[ValidationError, list[str]]:
    """A service's refusal split in two: the checker's messages about the steps, and the rest
    (for the form's own fields; an empty refusal when there is none)."""
    if not hasattr(error, "error_dict"):
        return error, []
    rest = dict(error.error_dict)
    found = rest.pop("definition", [])
    messages = [m for e in found for m in e.messages]
    return ValidationError(rest), messages


# --- The picker's start form ----------------------------------------------------------------------


class PickerStartForm(forms.Form):
    method = forms.CharField(widget=forms.HiddenInput)
    stop_doing = forms.CharField(
        label=_("What will we stop doing to make the time?"),
        required=False,
        max_length=300,
        help_text=_("If you name something, it joins the cycle's list of what it stopped doing."),
    )
    why_this_method = forms.CharField(
        label=_("Who chose this method, and why?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who decided, and what makes it fit here. It stays with the run."),
        error_messages={
            "required": _(
                "Say who chose this method and why: it helps the cycle learn how it learns."
            )
        },
    )
    title = forms.CharField(
        label=_("What this run is about"),
        required=False,
        max_length=200,
        help_text=_("For example: missed visits in March."),
    )
    guests = forms.BooleanField(
        label=_("People without an account may join with a code"),
        required=False,
        help_text=_("For people with lived experience taking part as guests."),
    )
    meeting = forms.ChoiceField(label=_("Held in a meeting"), required=False)
    draws_from = forms.MultipleChoiceField(
        label=_("Draw on what earlier runs of this method selected"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Runs in other cycles that you took part in or work in."),
    )

    def __init__(
        self,
        *args: Any,
        meetings: Sequence[tuple[str, str]] = (),
        candidates: Sequence[tuple[MethodRun, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(run.pk): run for run, _label in candidates}
        meeting = self.fields["meeting"]
        assert isinstance(meeting, forms.ChoiceField)
        meeting.choices = [("", _("Not in a meeting")), *meetings]
        draws = self.fields["draws_from"]
        assert isinstance(draws, forms.MultipleChoiceField)
        draws.choices = [(str(run.pk), label) for run, label in candidates]
        if not candidates:
            del self.fields["draws_from"]

    def clean_draws_from(self) -> list[MethodRun]:
        return [self.candidates[pk] for pk in self.cleaned_data.get("draws_from", [])]
