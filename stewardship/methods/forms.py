"""Forms for running a method: one answer form built from a step's fields (stewardship/methods/
definition.py), the facilitator's moves, and a guest's code and name. Rules live in the services
(answers are checked by stewardship/methods/answers.py); these forms parse what was sent, keep
what was typed and turn it into the shapes answers.py stores, and back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hls.conflicts import RevisionField
from hls.markdown import excerpt
from stewardship.methods.answers import ANCHOR_LIMIT, TEXT_LIMITS
from stewardship.methods.definition import Field, Step
from stewardship.methods.selectors import Item

NEEDED = _("This one is needed before the step is done.")
NOT_APPLICABLE = "na"


def _item_label(item: Item) -> str:
    return f"{excerpt(item.text, 30)} ({item.by})"


class AnswerForm(forms.Form):
    """A participant's (or the group's) answer to one step. The step's own fields are added
    when the form is made; `step` names it, `revision` is the group's answer's edit counter
    (group and facilitator steps only), `consent` and `shared` appear where the step asks."""

    step = forms.CharField(widget=forms.HiddenInput, max_length=40)
    revision = RevisionField()
    consent = forms.BooleanField(
        label=_("The person the story is about (or who tells it) agreed that it is kept"),
        required=False,
    )
    shared = forms.BooleanField(
        label=_("Share my answer with the group"),
        required=False,
        help_text=_("Otherwise only you see it, until the facilitator reveals the step."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        step: Step,
        items: Mapping[str, Sequence[Item]] | None = None,
        group: bool = False,
        initial: Mapping[str, Any] | None = None,
        prefix: str | None = None,
    ) -> None:
        super().__init__(data, initial=dict(initial or {}), prefix=prefix)
        self.the_step = step
        self.items = {k: list(v) for k, v in (items or {}).items()}
        # form field name → item id, for the per-item fields of select and rank
        self.item_fields: dict[str, str] = {}
        # a service error about a field with no control of that name goes beside this one
        self.error_targets: dict[str, str] = {"step": "", "run": ""}
        kept = {name: self.fields.pop(name) for name in ("consent", "shared")}
        if not group:
            del self.fields["revision"]
        for field in step.fields:
            self._add(field)
        if step.consent:
            self.fields["consent"] = kept["consent"]
        if step.private:
            self.fields["shared"] = kept["shared"]
        self.fields["step"].initial = step.key

    def _add(self, field: Field) -> None:
        common: dict[str, Any] = {
            "label": field.label,
            "required": field.required,
            "help_text": field.help,
            "error_messages": {"required": NEEDED},
        }
        key = field.key
        if field.type in TEXT_LIMITS:
            widget: forms.Widget = forms.TextInput(attrs={"maxlength": TEXT_LIMITS[field.type]})
            if field.type != "text":
                widget = forms.Textarea(attrs={"rows": 6 if field.type == "story" else 3})
            self.fields[key] = forms.CharField(
                max_length=TEXT_LIMITS[field.type], widget=widget, **common
            )
        elif field.type == "choice":
            self.fields[key] = forms.ChoiceField(
                choices=[(c, c) for c in field.choices], widget=forms.RadioSelect, **common
            )
        elif field.type == "multi":
            self.fields[key] = forms.MultipleChoiceField(
                choices=[(c, c) for c in field.choices],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        elif field.type == "scale":
            self._add_scale(field, common)
        elif field.type == "select":
            self._add_select(field, common)
        else:
            self._add_rank(field)

    def _add_scale(self, field: Field, common: dict[str, Any]) -> None:
        points = []
        for value in range(field.min, field.max + 1):
            end = field.low if value == field.min else field.high if value == field.max else ""
            points.append((str(value), f"{value} ({end})" if end else str(value)))
        points.append((NOT_APPLICABLE, str(_("Not applicable"))))
        self.fields[field.key] = forms.ChoiceField(
            choices=points, widget=forms.RadioSelect(attrs={"class": "scale"}), **common
        )
        if field.own_anchors:
            ends = (
                ("low", _("Your words for the low end (%(n)s)") % {"n": field.min}),
                ("high", _("Your words for the high end (%(n)s)") % {"n": field.max}),
            )
            for end, words in ends:
                self.fields[f"{field.key}__{end}"] = forms.CharField(
                    label=words,
                    required=False,
                    max_length=ANCHOR_LIMIT,
                    help_text=_("What this end means to you, if you want to say."),
                )

    def _add_select(self, field: Field, common: dict[str, Any]) -> None:
        found = self.items.get(field.key, [])
        help_text = field.help or (
            _("Choose at most %(n)s.") % {"n": field.pick} if field.pick > 1 else _("Choose one.")
        )
        self.fields[field.key] = forms.MultipleChoiceField(
            choices=[(i.id, _item_label(i)) for i in found],
            widget=forms.CheckboxSelectMultiple,
            **{**common, "help_text": help_text},
        )
        if field.reasons:
            for n, item in enumerate(found):
                name = f"{field.key}__why__{n}"
                self.item_fields[name] = item.id
                self.fields[name] = forms.CharField(
                    label=_("Why “%(item)s”, if you choose it") % {"item": excerpt(item.text, 12)},
                    required=False,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )

    def _add_rank(self, field: Field) -> None:
        found = self.items.get(field.key, [])
        for n, item in enumerate(found):
            name = f"{field.key}__order__{n}"
            self.item_fields[name] = item.id
            self.fields[name] = forms.IntegerField(
                label=_("%(field)s: place of “%(item)s”")
                % {"field": field.label, "item": excerpt(item.text, 12)},
                required=False,
                min_value=1,
                max_value=len(found),
                help_text=_("1 is first.") if n == 0 else "",
            )
            if n == 0:
                self.error_targets[field.key] = name

    # --- between the form and the stored shapes (answers.py) ----------------------------------

    def answer_data(self) -> dict[str, Any]:
        """The cleaned form as answers.clean takes it."""
        data = self.cleaned_data
        found: dict[str, Any] = {}
        for field in self.the_step.fields:
            key = field.key
            if field.type == "scale":
                value = data.get(key) or ""
                found[key] = {
                    "value": None if value in ("", NOT_APPLICABLE) else value,
                    "low": data.get(f"{key}__low", ""),
                    "high": data.get(f"{key}__high", ""),
                }
            elif field.type == "select":
                reasons = {
                    self.item_fields[name]: data.get(name) or ""
                    for name in self.item_fields
                    if name.startswith(f"{key}__why__")
                }
                chosen = list(data.get(key) or [])
                found[key] = {"chosen": chosen, "reasons": {c: reasons.get(c, "") for c in chosen}}
            elif field.type == "rank":
                places = [
                    (data[name], self.item_fields[name])
                    for name in self.item_fields
                    if name.startswith(f"{key}__order__") and data.get(name) is not None
                ]
                found[key] = [item for _place, item in sorted(places)]
            else:
                found[key] = data.get(key) or ([] if field.type == "multi" else "")
        if self.the_step.consent:
            found["consent"] = bool(data.get("consent"))
        return found

    @staticmethod
    def initial_from(
        step: Step,
        stored: Mapping[str, Any] | None,
        items: Mapping[str, Sequence[Item]] | None = None,
        *,
        shared: bool = False,
    ) -> dict[str, Any]:
        """A stored answer as the form's initial values."""
        stored = stored or {}
        initial: dict[str, Any] = {"step": step.key, "shared": shared}
        if step.consent:
            initial["consent"] = bool(stored.get("consent"))
        for field in step.fields:
            value = stored.get(field.key)
            if field.type == "scale" and isinstance(value, Mapping):
                number = value.get("value")
                initial[field.key] = NOT_APPLICABLE if number is None else str(number)
                initial[f"{field.key}__low"] = value.get("low", "")
                initial[f"{field.key}__high"] = value.get("high", "")
            elif field.type == "select" and isinstance(value, Mapping):
                initial[field.key] = list(value.get("chosen", []))
                reasons = value.get("reasons", {})
                for n, item in enumerate((items or {}).get(field.key, [])):
                    initial[f"{field.key}__why__{n}"] = reasons.get(item.id, "")
            elif field.type == "rank" and isinstance(value, list):
                for n, item in enumerate((items or {}).get(field.key, [])):
                    if item.id in value:
                        initial[f"{field.key}__order__{n}"] = value.index(item.id) + 1
            elif value is not None:
                initial[field.key] = value
        return initial


class MoveForm(forms.Form):
    """The facilitator moves the group: `to` a step's index, from the step their page showed."""

    to = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    expected = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class StepForm(forms.Form):
    """Reveal a private step's answers, or go round again from the step the page showed."""

    step_key = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)
    expected = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class GuestCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code the facilitator gave you"),
        max_length=12,
        help_text=_("8 letters and numbers, for example K7QM 4XPA."),
        error_messages={"required": _("Type the code the facilitator read out or showed.")},
    )

    def clean_code(self) -> str:
        return "".join(str(self.cleaned_data["code"]).split()).upper()


class GuestJoinForm(forms.Form):
    guest_name = forms.CharField(
        label=_("Your name, as you want the group to see it"),
        max_length=80,
        help_text=_("A first name or a nickname is fine."),
        error_messages={"required": _("Say what the group may call you.")},
    )
