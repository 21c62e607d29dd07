"""A method's steps as data, and the one check every definition passes before it is saved or
run (built-in, copied, or written in the browser). The checker never trusts its input: any JSON
gives either a clean definition or a list of messages, each naming the step and field.

A definition is a JSON object:

    {
      "steps": [                      # at least one, at most MAX_STEPS
        {
          "key": "discover",          # [a-z0-9_]{1,40}, unique in the method
          "title": "Discover",        # shown to the group
          "prompt": "...",            # Markdown, what the step asks of people (optional)
          "who": "each",              # "facilitator" | "each" (every participant) | "group"
          "private": true,            # "each" only: answers hidden until the step is revealed
          "reveal": "answers",        # private steps: revealing shows everyone's answers with
                                      # their names ("answers"), or only the spread of scale and
                                      # choice values, unattributed, beside the answers their
                                      # authors chose to share ("spread")
          "minutes": 10,              # the step's timer, 0 for none
          "consent": false,           # a story in this step needs the teller's consent first
          "fields": [ FIELD, ... ],   # at least one
          "writes": [ WRITE, ... ]    # what the step writes into the cycle when the run ends
        }
      ],
      "repeat_from": "action"         # optional: the group may go round again from this step
    }

FIELD is {"key", "label", "type", "required" (default false), "help" (optional)} and, by type:
    text, long_text, story     : nothing more (a story is long text about a lived experience)
    choice, multi              : "choices": ["...", ...] (2 to 20, distinct)
    scale                      : "min" (0 or 1), "max" (2 to 10), optional "low"/"high" anchor
                                 words; "own_anchors": true lets each person name their own ends
    select                     : "from": "step.field" (an earlier step's text or story field),
                                 "pick": how many to choose (1 to 10), "reasons": true asks why
    rank                       : "from": "step.field"; orders the items of that one field only
                                 (never people, never across groups)

WRITE is one of:
    {"as": "entry", "kind": an entry kind, "field": key}: each answer's field becomes an entry
        (a select field: each chosen item, with why it was chosen);
    {"as": "experiment", "fields": {"title": key, "what_we_will_try": key, optional
        "prediction", "how_we_will_know", "safe_to_fail_limits"}}: a planned experiment;
    {"as": "actor", "field": key, "kind": an actor kind, "participation": optional}: each line
        of a text field names someone added to the cycle's system map (a change of the map;
        names already on the map are left as they are);
    {"as": "factor", "field": key}: likewise, each line a factor on the map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cycles.models import Entry
from systems.models import Actor, Participation

MAX_STEPS = 20
MAX_FIELDS = 20
KEY = re.compile(r"^[a-z0-9_]{1,40}$")
WHO = ("facilitator", "each", "group")
TYPES = ("text", "long_text", "story", "choice", "multi", "scale", "select", "rank")
TEXT_TYPES = ("text", "long_text", "story")
EXPERIMENT_FIELDS = (
    "title",
    "what_we_will_try",
    "prediction",
    "how_we_will_know",
    "safe_to_fail_limits",
)
ENTRY_KINDS = tuple(k for k, _label in Entry.Kind.choices)
ACTOR_KINDS = tuple(Actor.Kind.values)
PARTICIPATION = tuple(Participation.values)


class DefinitionError(ValueError):
    """The definition is not one a method can run: `messages` says where and why."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    min: int = 1
    max: int = 5
    low: str = ""
    high: str = ""
    own_anchors: bool = False
    source: str = ""  # "step.field", for select and rank
    pick: int = 1
    reasons: bool = False


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    who: str
    fields: tuple[Field, ...]
    prompt: str = ""
    private: bool = False
    reveal: str = "answers"
    minutes: int = 0
    consent: bool = False
    writes: tuple[dict[str, Any], ...] = ()

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class Definition:
    steps: tuple[Step, ...]
    repeat_from: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    def index(self, key: str) -> int:
        return next(i for i, s in enumerate(self.steps) if s.key == key)


def _text(value: Any, limit: int) -> str | None:
    return value.strip()[:limit] if isinstance(value, str) and value.strip() else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _field(raw: Any, where: str, earlier: dict[str, dict[str, Field]], errors: list[str]) -> Field:
    if not isinstance(raw, dict):
        errors.append(f"{where}: a field must be an object.")
        return Field(key="_", label="_", type="text")
    key, label, kind = raw.get("key"), _text(raw.get("label"), 200), raw.get("type")
    if not isinstance(key, str) or not KEY.match(key):
        errors.append(f"{where}: the field's key must be 1-40 of a-z, 0-9 and _.")
        key = "_"
    where = f"{where}, field {key!r}"
    if label is None:
        errors.append(f"{where}: give the field a label.")
    if kind not in TYPES:
        errors.append(f"{where}: the type must be one of {', '.join(TYPES)}.")
        kind = "text"
    extra: dict[str, Any] = {}
    if kind in ("choice", "multi"):
        choices = raw.get("choices")
        if (
            not isinstance(choices, list)
            or not 2 <= len(choices) <= 20
            or not all(_text(c, 200) for c in choices)
            or len({c.strip() for c in choices}) != len(choices)
        ):
            errors.append(f"{where}: give 2 to 20 different choices.")
            choices = ["-", "--"]
        extra["choices"] = tuple(c.strip()[:200] for c in choices)
    if kind == "scale":
        low, high = _int(raw.get("min", 1)), _int(raw.get("max", 5))
        if low not in (0, 1) or high is None or not 2 <= high <= 10:
            errors.append(f"{where}: a scale runs from 0 or 1 up to 2-10.")
            low, high = 1, 5
        extra |= {
            "min": low,
            "max": high,
            "low": _text(raw.get("low"), 80) or "",
            "high": _text(raw.get("high"), 80) or "",
            "own_anchors": raw.get("own_anchors") is True,
        }
    if kind in ("select", "rank"):
        source = raw.get("from")
        step_key, _dot, field_key = source.partition(".") if isinstance(source, str) else ("",) * 3
        target = earlier.get(step_key, {}).get(field_key)
        if target is None or target.type not in (*TEXT_TYPES, "select"):
            errors.append(f"{where}: 'from' must name an earlier step's text or story field.")
        extra["source"] = source if isinstance(source, str) else ""
        if kind == "select":
            pick = _int(raw.get("pick", 1))
            if pick is None or not 1 <= pick <= 10:
                errors.append(f"{where}: 'pick' is how many to choose, 1 to 10.")
                pick = 1
            extra |= {"pick": pick, "reasons": raw.get("reasons") is True}
    return Field(
        key=key,
        label=label or key,
        type=kind,
        required=raw.get("required") is True,
        help=_text(raw.get("help"), 400) or "",
        **extra,
    )


def _writes(raw: Any, step: Step, where: str, errors: list[str]) -> tuple[dict[str, Any], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors.append(f"{where}: 'writes' must be a list.")
        return ()
    writes: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict):
            errors.append(f"{where}: each write must be an object.")
            continue
        if item.get("as") == "entry":
            target = step.field(item.get("field", ""))
            if target is None or target.type not in (*TEXT_TYPES, "select"):
                named = item.get("field")
                errors.append(
                    f"{where}, field {named if isinstance(named, str) else ''!r}: an entry is "
                    "written from one of the step's text fields."
                )
            elif item.get("kind") not in ENTRY_KINDS:
                errors.append(f"{where}: the entry's kind must be one of {', '.join(ENTRY_KINDS)}.")
            else:
                writes.append({"as": "entry", "kind": item["kind"], "field": target.key})
        elif item.get("as") == "experiment":
            mapping = item.get("fields")
            if (
                not isinstance(mapping, dict)
                or not {"title", "what_we_will_try"} <= mapping.keys()
                or not mapping.keys() <= set(EXPERIMENT_FIELDS)
                or not all(isinstance(v, str) and step.field(v) for v in mapping.values())
            ):
                errors.append(
                    f"{where}: an experiment needs its title and what we will try from the step's "
                    "fields."
                )
            else:
                writes.append({"as": "experiment", "fields": dict(mapping)})
        elif item.get("as") in ("actor", "factor"):
            target = step.field(item.get("field", ""))
            kind = item.get("kind", "group") if item["as"] == "actor" else ""
            participation = item.get("participation", "not_yet")
            if target is None or target.type not in ("text", "long_text"):
                errors.append(
                    f"{where}: a map change is written from one of the step's text fields."
                )
            elif item["as"] == "actor" and kind not in ACTOR_KINDS:
                errors.append(f"{where}: the actor's kind must be one of {', '.join(ACTOR_KINDS)}.")
            elif item["as"] == "actor" and participation not in PARTICIPATION:
                errors.append(
                    f"{where}: the actor's involvement must be one of {', '.join(PARTICIPATION)}."
                )
            else:
                write = {"as": item["as"], "field": target.key}
                if item["as"] == "actor":
                    write |= {"kind": kind, "participation": participation}
                writes.append(write)
        else:
            errors.append(f"{where}: a step writes an entry, an experiment, an actor or a factor.")
    return tuple(writes)


def parse(raw: Any) -> Definition:
    """The definition, or DefinitionError with every problem found."""
    errors: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("steps"), list):
        raise DefinitionError(["A method is an object with a list of steps."])
    if not 1 <= len(raw["steps"]) <= MAX_STEPS:
        raise DefinitionError([f"A method has 1 to {MAX_STEPS} steps."])
    steps: list[Step] = []
    earlier: dict[str, dict[str, Field]] = {}
    for n, item in enumerate(raw["steps"], start=1):
        where = f"Step {n}"
        if not isinstance(item, dict):
            errors.append(f"{where}: a step must be an object.")
            continue
        key = item.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            errors.append(f"{where}: the step's key must be 1-40 of a-z, 0-9 and _.")
            key = f"_{n}"
        elif key in earlier:
            errors.append(f"{where}: another step already has the key {key!r}.")
        title = _text(item.get("title"), 160)
        if title is None:
            errors.append(f"{where}: give the step a title.")
        who = item.get("who", "group")
        if who not in WHO:
            errors.append(f"{where}: who answers is one of {', '.join(WHO)}.")
            who = "group"
        minutes = _int(item.get("minutes", 0))
        if minutes is None or not 0 <= minutes <= 240:
            errors.append(f"{where}: the timer is 0 to 240 minutes.")
            minutes = 0
        raw_fields = item.get("fields")
        if not isinstance(raw_fields, list) or not 1 <= len(raw_fields) <= MAX_FIELDS:
            errors.append(f"{where}: a step has 1 to {MAX_FIELDS} fields.")
            raw_fields = []
        fields = tuple(_field(f, where, earlier, errors) for f in raw_fields)
        seen: set[str] = set()
        for f in fields:
            if f.key in seen:
                errors.append(f"{where}, field {f.key!r}: another field already has this key.")
            seen.add(f.key)
        step = Step(
            key=key,
            title=title or key,
            who=who,
            fields=fields,
            prompt=_text(item.get("prompt"), 4000) or "",
            private=who == "each" and item.get("private") is True,
            reveal="spread" if item.get("reveal") == "spread" else "answers",
            minutes=minutes,
            consent=item.get("consent") is True,
        )
        step = Step(**{**step.__dict__, "writes": _writes(item.get("writes"), step, where, errors)})
        steps.append(step)
        earlier[key] = {f.key: f for f in fields}
    repeat_from = raw.get("repeat_from") or ""
    if repeat_from and (not isinstance(repeat_from, str) or repeat_from not in earlier):
        errors.append("'repeat_from' must name one of the steps.")
    if errors:
        raise DefinitionError(errors)
    return Definition(steps=tuple(steps), repeat_from=repeat_from, raw=raw)
