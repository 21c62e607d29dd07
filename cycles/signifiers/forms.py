"""Forms for signifier sets, a cycle's attached set, placing a story and the placements' filters.
They parse input and keep what was typed; the rules live in definition.py and services.py."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cycles.models import SignifierSet
from cycles.patterns.forms import PatternFilterForm
from cycles.signifiers.definition import NA, Definition, Signifier
from hls import jsontext
from hls.conflicts import RevisionField

EXAMPLE = {
    "signifiers": [
        {"key": "helped", "type": "triad", "prompt": "In this story, what helped most?",
         "labels": ["People", "Place", "Practical help"]},
        {"key": "felt", "type": "dyad", "prompt": "How did it feel?",
         "labels": ["Done to me", "Done with me"]},
        {"key": "who", "type": "choice", "prompt": "Who was there?",
         "choices": ["Family", "Friends", "Staff"], "multiple": True},
    ]
}  # fmt: skip


def definition_text(definition: Any) -> str:
    return json.dumps(definition, indent=2, ensure_ascii=False)


class SignifierSetForm(forms.Form):
    revision = RevisionField()
    name = forms.CharField(label=_("Name"), max_length=160)
    description = forms.CharField(
        label=_("What it helps us see"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    definition = forms.CharField(
        label=_("Signifiers (JSON)"),
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
        help_text=_(
            'A list of 1 to 12 signifiers: a triad ("type": "triad", three "labels"), a dyad '
            '("type": "dyad", two "labels", its two ends) or a question ("type": "choice", '
            '"choices", and "multiple": true to allow several). Each has a "key" (a-z, 0-9 '
            'and _) and a "prompt". Storytellers can always say one does not apply.'
        ),
    )

    def clean_definition(self) -> Any:
        text = self.cleaned_data["definition"]
        try:
            return jsontext.loads(text)  # strict: no NaN, no number or nesting past reading
        except jsontext.JsonTextError as error:
            raise forms.ValidationError(error.message) from None


class AttachForm(forms.Form):
    signifier_set = forms.ModelChoiceField(
        label=_("Signifiers offered when a story is saved"),
        queryset=SignifierSet.objects.none(),
        required=False,
        empty_label=_("None"),
        error_messages={"invalid_choice": _("Choose one of the workspace's current sets.")},
    )

    def __init__(self, *args: Any, sets: QuerySet[SignifierSet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["signifier_set"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sets


class RangeInput(forms.NumberInput):
    input_type = "range"


def _percent() -> forms.DecimalField:
    return forms.DecimalField(
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=1,
        max_digits=4,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("Give a percentage, such as 40."),
            "min_value": _("A share cannot be below 0%%: that is outside the triangle."),
            "max_value": _("A share cannot be above 100%%: that is outside the triangle."),
        },
    )


class PlacementForm(forms.Form):
    """One group of fields per signifier (`groups()`), built from the version's definition:
    a triad's three shares in percent (the triangle's click fills them: static/js/signifiers.js),
    a dyad's slider (0-100), a question's radios or tick boxes, and "does not apply" for each.
    `cleaned_data["data"]` is the placement in the stored shape, checked again by the service."""

    revision = RevisionField()

    def __init__(self, *args: Any, definition: Definition, person: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        for s in definition.signifiers:
            na = forms.BooleanField(label=_("Does not apply to this story"), required=False)
            if s.type == "triad":
                for corner, label in zip("abc", s.labels, strict=True):
                    field = _percent()
                    field.label = _("%(corner)s (%%)") % {"corner": label}
                    self.fields[f"{s.key}__{corner}"] = field
                self.fields[f"{s.key}__na"] = na
            elif s.type == "dyad":
                self.fields[f"{s.key}__x"] = forms.IntegerField(
                    label=s.prompt,
                    required=False,
                    min_value=0,
                    max_value=100,
                    initial=50,
                    widget=RangeInput(attrs={"step": "1"}),
                    help_text=_("0: %(left)s · 100: %(right)s")
                    % {"left": s.labels[0], "right": s.labels[1]},
                )
                self.fields[f"{s.key}__na"] = na
            elif s.multiple:
                self.fields[s.key] = forms.MultipleChoiceField(
                    label=s.prompt,
                    required=False,
                    choices=[(c, c) for c in s.choices],
                    widget=forms.CheckboxSelectMultiple,
                )
                self.fields[f"{s.key}__na"] = na
            else:
                self.fields[s.key] = forms.ChoiceField(
                    label=s.prompt,
                    required=False,
                    choices=[*((c, c) for c in s.choices), (NA, _("Does not apply"))],
                    widget=forms.RadioSelect,
                )
        if person:
            self.fields["with_person"] = forms.BooleanField(
                label=_("Placed together with %(person)s") % {"person": person}, required=False
            )

    @staticmethod
    def first_field(s: Signifier) -> str:
        """The field a signifier's message goes beside (the first of its group)."""
        return {"triad": f"{s.key}__a", "dyad": f"{s.key}__x"}.get(s.type, s.key)

    def service_fields(self) -> dict[str, str]:
        return {s.key: self.first_field(s) for s in self.definition.signifiers}

    def groups(self) -> list[dict[str, Any]]:
        """Each signifier with its bound fields, for the template."""
        found = []
        for s in self.definition.signifiers:
            names = [n for n in self.fields if n == s.key or n.startswith(f"{s.key}__")]
            bound = {
                ("choice" if n == s.key else n.removeprefix(f"{s.key}__")): self[n] for n in names
            }
            found.append(
                {
                    "signifier": s,
                    "fields": bound,
                    "has_errors": any(self[n].errors for n in names),
                }
            )
        return found

    def _value(self, s: Signifier, data: dict[str, Any]) -> Any:
        if (s.type != "choice" or s.multiple) and data.get(f"{s.key}__na"):
            return NA
        if s.type == "triad":
            shares = [data.get(f"{s.key}__{c}") for c in "abc"]
            if all(v is None for v in shares):
                return None
            if any(v is None for v in shares):
                self.add_error(
                    self.first_field(s), _("Give all three shares, or click in the triangle.")
                )
                return None
            a, b, c = (Decimal(str(v)) for v in shares)
            if abs(a + b + c - 100) > Decimal("0.1"):
                self.add_error(
                    self.first_field(s),
                    _(
                        "The three shares add up to %(sum)s%%: they must make 100%%, or the "
                        "point is outside the triangle."
                    )
                    % {"sum": a + b + c},
                )
                return None
            return {"a": float(a) / 100, "b": float(b) / 100, "c": float(c) / 100}
        if s.type == "dyad":
            x = data.get(f"{s.key}__x")
            return None if x is None else {"x": x / 100}
        if s.multiple:
            chosen = data.get(s.key) or []
            return list(chosen) or None
        return data.get(s.key) or None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        placement: dict[str, Any] = {}
        for s in self.definition.signifiers:
            value = self._value(s, data)
            if value is not None:
                placement[s.key] = value
        data["data"] = placement
        data.setdefault("with_person", False)
        return data


class PlacementFilterForm(PatternFilterForm):
    """The patterns' filters (period, child system, scale, theme), and the two dyads of the
    scatter plot."""

    x = forms.ChoiceField(label=_("Across"), required=False, choices=[])
    y = forms.ChoiceField(label=_("Up"), required=False, choices=[])

    def __init__(self, *args: Any, dyads: list[Signifier], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(s.key, s.prompt) for s in dyads]
        for name in ("x", "y"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("As set")), *choices]
