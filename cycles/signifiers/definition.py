"""A signifier set as data, and the checks every definition and every placement pass before they
are saved (from the browser, the API or an import). The checker never trusts its input: any
JSON gives either a clean definition (or placement) or messages, each naming the signifier.

A definition is a JSON object:

    {
      "signifiers": [                 # 1 to MAX_SIGNIFIERS
        {"key": "helped", "type": "triad", "prompt": "What helped most?",
         "labels": ["People", "Place", "Practical help"]},        # three corners
        {"key": "felt", "type": "dyad", "prompt": "How did it feel?",
         "labels": ["Done to me", "Done with me"]},               # two poles of a slider
        {"key": "who", "type": "choice", "prompt": "Who was there?",
         "choices": ["Family", "Friends", "Staff"], "multiple": true}
      ]
    }

A key is [a-z0-9_]{1,40}, unique in the set; a prompt is what the storyteller is asked.

A placement (what a storyteller answers) has one value per signifier, by key:

    triad   {"a": 0.5, "b": 0.3, "c": 0.2}: the weight of each corner, each 0 or more, summing
            to 1 (within TOLERANCE); or, as given by a click, {"x": .., "y": ..} in the
            triangle's own coordinates (TRIANGLE_HEIGHT below), turned into the weights; a
            point outside the triangle is refused, never moved inside.
    dyad    {"x": 0.7}: 0 (the first pole) to 1 (the second).
    choice  "Friends", or for a multiple choice ["Family", "Friends"] (at least one).

and "na" ("not applicable") for any signifier: the storyteller may always say a signifier does
not fit their story. Nothing is inferred: a signifier left out is refused with its own message.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

MAX_SIGNIFIERS = 12
MAX_CHOICES = 12
KEY = re.compile(r"^[a-z0-9_]{1,40}$")
TYPES = ("triad", "dyad", "choice")
NA = "na"
TOLERANCE = 0.001
# The triangle's corners, in its own coordinates (y downwards, as an SVG draws it): a at the
# top, b bottom left, c bottom right; the sides are 1 long.
TRIANGLE_HEIGHT = math.sqrt(3) / 2
CORNERS = ("a", "b", "c")


class DefinitionError(ValueError):
    """The definition is not one storytellers can answer: `messages` says where and why."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class PlacementError(ValueError):
    """The placement does not fit its signifiers: `errors` by signifier key (or "" for the
    placement as a whole)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Signifier:
    key: str
    type: str
    prompt: str
    labels: tuple[str, ...] = ()  # triad: three corners; dyad: the two poles
    choices: tuple[str, ...] = ()
    multiple: bool = False

    def as_json(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"key": self.key, "type": self.type, "prompt": self.prompt}
        if self.type == "choice":
            raw |= {"choices": list(self.choices), "multiple": self.multiple}
        else:
            raw["labels"] = list(self.labels)
        return raw


@dataclass(frozen=True)
class Definition:
    signifiers: tuple[Signifier, ...]

    def signifier(self, key: str) -> Signifier | None:
        return next((s for s in self.signifiers if s.key == key), None)

    def of_type(self, kind: str) -> tuple[Signifier, ...]:
        return tuple(s for s in self.signifiers if s.type == kind)

    def as_json(self) -> dict[str, Any]:
        """The canonical form, as stored (what parses again to the same definition)."""
        return {"signifiers": [s.as_json() for s in self.signifiers]}


def _text(value: Any, limit: int) -> str | None:
    return value.strip()[:limit] if isinstance(value, str) and value.strip() else None


def _names(raw: Any, count: tuple[int, int], limit: int) -> tuple[str, ...] | None:
    """A list of `count` (min, max) distinct non-empty texts, trimmed; None if not."""
    if not isinstance(raw, list) or not count[0] <= len(raw) <= count[1]:
        return None
    names = [_text(item, limit) for item in raw]
    if not all(names) or len({n.casefold() for n in names if n}) != len(names):
        return None
    return tuple(n for n in names if n)


def _signifier(raw: Any, n: int, seen: set[str], errors: list[str]) -> Signifier | None:
    if not isinstance(raw, dict):
        errors.append(f"Signifier {n}: a signifier must be an object.")
        return None
    key = raw.get("key")
    if not isinstance(key, str) or not KEY.match(key):
        errors.append(f"Signifier {n}: its key must be 1-40 of a-z, 0-9 and _.")
        key = f"_{n}"
    where = f"Signifier {n} ({key!r})"
    if key in seen:
        errors.append(f"{where}: another signifier already has this key.")
    seen.add(key)
    kind = raw.get("type")
    if kind not in TYPES:
        errors.append(f"{where}: its type must be one of {', '.join(TYPES)}.")
        return None
    prompt = _text(raw.get("prompt"), 300)
    if prompt is None:
        errors.append(f"{where}: give it a prompt (what the storyteller is asked).")
    if kind in ("triad", "dyad"):
        size = 3 if kind == "triad" else 2
        labels = _names(raw.get("labels"), (size, size), 80)
        if labels is None:
            what = "three corners" if kind == "triad" else "two poles"
            errors.append(f"{where}: a {kind} has {what}: give {size} different labels.")
            return None
        return Signifier(key=key, type=kind, prompt=prompt or key, labels=labels)
    choices = _names(raw.get("choices"), (2, MAX_CHOICES), 120)
    if choices is None:
        errors.append(f"{where}: give 2 to {MAX_CHOICES} different choices.")
        return None
    if choices is not None and any(c.casefold() == NA for c in choices):
        errors.append(f"{where}: {NA!r} is kept for 'not applicable': name the choice otherwise.")
        return None
    multiple = raw.get("multiple", False)
    if not isinstance(multiple, bool):
        errors.append(f"{where}: 'multiple' is true or false.")
        return None
    return Signifier(key=key, type=kind, prompt=prompt or key, choices=choices, multiple=multiple)


def parse(raw: Any) -> Definition:
    """The definition, or DefinitionError with every problem found."""
    if not isinstance(raw, dict) or not isinstance(raw.get("signifiers"), list):
        raise DefinitionError(["A signifier set is an object with a list of signifiers."])
    items = raw["signifiers"]
    if not 1 <= len(items) <= MAX_SIGNIFIERS:
        raise DefinitionError([f"A signifier set has 1 to {MAX_SIGNIFIERS} signifiers."])
    errors: list[str] = []
    seen: set[str] = set()
    found = [_signifier(item, n, seen, errors) for n, item in enumerate(items, start=1)]
    if errors:
        raise DefinitionError(errors)
    return Definition(signifiers=tuple(s for s in found if s is not None))


# Placements ------------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def triad_from_point(x: float, y: float) -> dict[str, float] | None:
    """The weights of a point of the triangle (a at the top), or None if it lies outside."""
    a = 1 - y / TRIANGLE_HEIGHT
    c = x - a / 2
    b = 1 - a - c
    if min(a, b, c) < -TOLERANCE:
        return None
    return _weights(a, b, c)


def point_of(weights: dict[str, float]) -> tuple[float, float]:
    """Where the weights sit in the triangle (its own coordinates, y downwards)."""
    a, c = weights["a"], weights["c"]
    return a / 2 + c, (1 - a) * TRIANGLE_HEIGHT


def _weights(a: float, b: float, c: float) -> dict[str, float]:
    """Tiny negatives (rounding) to 0, then scaled to sum to 1, to four places."""
    parts = [max(v, 0.0) for v in (a, b, c)]
    total = sum(parts)
    rounded = [round(v / total, 4) for v in parts]
    rounded[0] = round(1 - rounded[1] - rounded[2], 4)  # the sum is exact to four places
    return dict(zip(CORNERS, rounded, strict=True))


def _triad(value: Any, s: Signifier) -> dict[str, float] | str:
    """The weights, or the message for the storyteller."""
    if not isinstance(value, dict):
        return "Place the story in the triangle, or say it does not apply."
    if set(value) == {"x", "y"}:
        x, y = _number(value["x"]), _number(value["y"])
        point = None if x is None or y is None else triad_from_point(x, y)
        if point is None:
            return "That point is outside the triangle: place the story inside it."
        return point
    if set(value) != set(CORNERS):
        return f"Give a weight for each corner ({', '.join(s.labels)})."
    numbers = [_number(value[k]) for k in CORNERS]
    if any(n is None for n in numbers):
        return "Each corner's weight is a number."
    a, b, c = (n or 0.0 for n in numbers)
    if min(a, b, c) < 0:
        return "A weight cannot be below 0: that point is outside the triangle."
    if abs(a + b + c - 1) > TOLERANCE:
        return (
            "The three weights must add up to the whole (100%): that point is outside the triangle."
        )
    return _weights(a, b, c)


def _dyad(value: Any) -> dict[str, float] | str:
    x = _number(value.get("x")) if isinstance(value, dict) and set(value) == {"x"} else None
    if x is None:
        return "Place the story on the line between the two ends, or say it does not apply."
    if not 0 <= x <= 1:
        return "Place the story between the two ends (0 to 1)."
    return {"x": round(x, 4)}


def _choice(value: Any, s: Signifier) -> str | list[str]:
    """The choice (or choices), or raise ValueError with the message."""
    if s.multiple:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise ValueError("Choose at least one, or say it does not apply.")
        if len(set(value)) != len(value) or not set(value) <= set(s.choices):
            raise ValueError("Choose among the choices offered, each once.")
        return [c for c in s.choices if c in value]  # in the set's order
    if not isinstance(value, str) or value not in s.choices:
        raise ValueError("Choose one of the choices offered, or say it does not apply.")
    return value


def check_placement(definition: Definition, raw: Any) -> dict[str, Any]:
    """The placement as stored (every signifier's value or "na"), or PlacementError with a
    message per signifier that does not fit."""
    if not isinstance(raw, dict):
        raise PlacementError({"": "A placement is an object with a value for each signifier."})
    errors: dict[str, str] = {}
    for key in raw:
        if not isinstance(key, str) or definition.signifier(key) is None:
            errors[str(key)] = "There is no signifier of that key in this set."
    clean: dict[str, Any] = {}
    for s in definition.signifiers:
        if s.key not in raw or raw[s.key] is None:
            errors[s.key] = "Place the story here, or say it does not apply."
            continue
        value = raw[s.key]
        if value == NA:
            clean[s.key] = NA
            continue
        if s.type == "triad":
            checked = _triad(value, s)
        elif s.type == "dyad":
            checked = _dyad(value)
        else:
            try:
                clean[s.key] = _choice(value, s)
            except ValueError as error:
                errors[s.key] = str(error)
            continue
        if isinstance(checked, str):
            errors[s.key] = checked
        else:
            clean[s.key] = checked
    if errors:
        raise PlacementError(errors)
    return clean


def same_signifier(one: Signifier, other: Signifier) -> bool:
    """Whether placements on `other` (an older version's) mean the same on `one`: the
    signifier is unchanged (its type, prompt, labels and choices)."""
    return one == other
