"""Checking one person's (or the group's) answers to one step against the step's fields.
Every message names its field, so the page shows it beside the field and keeps what was typed.

Stored shapes (RunAnswer.data), by field type:
    text, long_text, story : "the words"
    choice                 : "one of the choices"
    multi                  : ["some", "of the choices"]
    scale                  : {"value": 3 or None (not applicable), "low": "", "high": ""}
    select                 : {"chosen": [item ids], "reasons": {item id: "why"}}
    rank                   : [item ids, first to last]
    and "consent": true on a step that asks the teller's consent before a story.
Item ids are "<answer pk>.<field key>": the answer a story or an idea came from (selectors.items).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from stewardship.methods.definition import Field, Step

TEXT_LIMITS = {"text": 500, "long_text": 10_000, "story": 20_000}
ANCHOR_LIMIT = 80


def _words(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _scale(field: Field, value: Any, errors: dict[str, str]) -> dict[str, Any]:
    raw = value.get("value") if isinstance(value, Mapping) else value
    low = _words(value.get("low")) if isinstance(value, Mapping) else ""
    high = _words(value.get("high")) if isinstance(value, Mapping) else ""
    number: int | None = None
    if raw not in (None, "", "na"):
        try:
            number = int(str(raw))
        except ValueError:
            number = -1
        if not field.min <= number <= field.max:
            errors[field.key] = _("Choose a point from %(min)s to %(max)s, or not applicable.") % {
                "min": field.min,
                "max": field.max,
            }
    if len(low) > ANCHOR_LIMIT or len(high) > ANCHOR_LIMIT:
        errors[field.key] = _("Keep each end's words to %(n)s characters.") % {"n": ANCHOR_LIMIT}
    if not field.own_anchors:
        low = high = ""
    return {"value": number, "low": low[:ANCHOR_LIMIT], "high": high[:ANCHOR_LIMIT]}


def _select(
    field: Field, value: Any, items: Collection[str], errors: dict[str, str]
) -> dict[str, Any]:
    chosen_raw = value.get("chosen") if isinstance(value, Mapping) else value
    reasons_raw = value.get("reasons") if isinstance(value, Mapping) else {}
    chosen = [c for c in chosen_raw if isinstance(c, str)] if isinstance(chosen_raw, list) else []
    reasons = reasons_raw if isinstance(reasons_raw, Mapping) else {}
    if any(c not in items for c in chosen) or len(set(chosen)) != len(chosen):
        errors[field.key] = _("Choose from the items shown; one of them is no longer there.")
    elif len(chosen) > field.pick:
        errors[field.key] = _("Choose at most %(n)s.") % {"n": field.pick}
    kept = {c: _words(reasons.get(c))[:4000] for c in chosen}
    if field.reasons and chosen and not all(kept.values()) and field.key not in errors:
        errors[field.key] = _("Say why for each one you chose: the reasons travel with it.")
    return {"chosen": chosen, "reasons": kept if field.reasons else {}}


def _rank(field: Field, value: Any, items: Collection[str], errors: dict[str, str]) -> list[str]:
    order = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    if order and (sorted(order) != sorted(items) or len(set(order)) != len(order)):
        errors[field.key] = _("Put every item in order, each once.")
    return order


def clean(
    step: Step, data: Mapping[str, Any], items: Mapping[str, Collection[str]] | None = None
) -> dict[str, Any]:
    """The answer as stored, or ValidationError({field: message}). `items` gives, for each
    select or rank field, the item ids that may be chosen."""
    items = items or {}
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for field in step.fields:
        value = data.get(field.key)
        if field.type in TEXT_LIMITS:
            words = _words(value)
            if len(words) > TEXT_LIMITS[field.type]:
                errors[field.key] = _("Keep it to %(n)s characters.") % {
                    "n": TEXT_LIMITS[field.type]
                }
            cleaned[field.key] = words
        elif field.type == "choice":
            if value not in ("", None) and value not in field.choices:
                errors[field.key] = _("Choose one of the options.")
            cleaned[field.key] = value if value in field.choices else ""
        elif field.type == "multi":
            picked = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
            if any(v not in field.choices for v in picked):
                errors[field.key] = _("Choose from the options.")
            cleaned[field.key] = [c for c in field.choices if c in picked]
        elif field.type == "scale":
            cleaned[field.key] = _scale(field, value, errors)
        elif field.type == "select":
            cleaned[field.key] = _select(field, value, items.get(field.key, ()), errors)
        else:
            cleaned[field.key] = _rank(field, value, items.get(field.key, ()), errors)
        if field.required and field.key not in errors and not answered(field, cleaned[field.key]):
            errors[field.key] = _("This one is needed before the step is done.")
    if step.consent:
        told = any(f.type == "story" and cleaned.get(f.key) for f in step.fields)
        cleaned["consent"] = data.get("consent") in (True, "on", "true", "1", 1)
        if told and not cleaned["consent"]:
            errors["consent"] = _(
                "Ask first: a story is kept only when the person it is about (or who tells it) "
                "agrees. Tick to say they did, or keep the story for later."
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def answered(field: Field, value: Any) -> bool:
    if field.type == "scale":
        return isinstance(value, Mapping) and value.get("value") is not None
    if field.type == "select":
        return isinstance(value, Mapping) and bool(value.get("chosen"))
    return bool(value)


def missing(step: Step, data: Mapping[str, Any] | None) -> list[Field]:
    """The step's required fields its answer leaves empty (none given: all of them)."""
    return [f for f in step.fields if f.required and not answered(f, (data or {}).get(f.key))]
