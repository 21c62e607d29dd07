"""How a run's answers read on its page: each field's value as words (a scale with the person's
own words for its ends, a selection with its reasons, a ranking in order). Presentation only:
what a viewer may see is decided by selectors.step_views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from stewardship.methods.definition import Field, Step
from stewardship.methods.selectors import Item


@dataclass(frozen=True)
class Line:
    label: str
    text: str
    long: bool = False  # shown as a paragraph, kept as written


def _scale(field: Field, value: Mapping[str, Any]) -> str:
    number = value.get("value")
    if number is None:
        return _("Not applicable")
    low, high = value.get("low") or field.low, value.get("high") or field.high
    said = _("%(n)s of %(max)s") % {"n": number, "max": field.max}
    if low or high:
        said += f" ({field.min}: {low or '…'}; {field.max}: {high or '…'})"
    return said


def lines(step: Step, data: Mapping[str, Any], items: Mapping[str, str]) -> list[Line]:
    """The answer's fields with something in them, in the step's order. `items` maps item ids
    to their words (for selections and rankings)."""
    found: list[Line] = []
    for field in step.fields:
        value = data.get(field.key)
        if field.type in ("text", "long_text", "story"):
            if value:
                found.append(Line(field.label, str(value), field.type != "text"))
        elif field.type == "choice" and value:
            found.append(Line(field.label, str(value)))
        elif field.type == "multi" and value:
            found.append(Line(field.label, ", ".join(str(v) for v in value)))
        elif field.type == "scale" and isinstance(value, Mapping):
            found.append(Line(field.label, _scale(field, value)))
        elif field.type == "select" and isinstance(value, Mapping) and value.get("chosen"):
            reasons = value.get("reasons") or {}
            said = []
            for item_id in value["chosen"]:
                words = items.get(item_id, _("(no longer there)"))
                why = reasons.get(item_id)
                said.append(f"{words}\n{_('Why:')} {why}" if why else words)
            found.append(Line(field.label, "\n\n".join(said), True))
        elif field.type == "rank" and isinstance(value, list) and value:
            order = [f"{n}. {items.get(i, _('(no longer there)'))}" for n, i in enumerate(value, 1)]
            found.append(Line(field.label, "\n".join(order), True))
    return found


def item_words(items: Mapping[str, Sequence[Item]]) -> dict[str, str]:
    return {i.id: i.text for found in items.values() for i in found}


def minutes_left(minutes: int, elapsed_seconds: float) -> int | None:
    """Whole minutes left on a step's timer (rounded up), 0 when over, None with no timer."""
    if not minutes:
        return None
    left = minutes * 60 - elapsed_seconds
    return max(0, int(-(-left // 60)))
