"""Forms for the question bank. Rules live in services.py; forms parse input and keep what was
typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cycles.models import Phase
from hls.conflicts import RevisionField
from stewardship.models import Question
from stewardship.questions.seed import SCALE_NAMES, Seed
from systems.models import Scale

TEXTAREA = forms.Textarea(attrs={"rows": 2})


class QuestionForm(forms.Form):
    revision = RevisionField()  # the version an edit started from (hls/conflicts.py)
    text = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Write the question.")},
    )
    mode = forms.ChoiceField(
        label=_("Kind"),
        choices=Question.Mode.choices,
        initial=Question.Mode.LEARNING,
        error_messages={"invalid_choice": _("Choose learning, managing or governing.")},
    )
    scale = forms.TypedChoiceField(label=_("Scale"), coerce=int, required=False, empty_value=None)
    phase = forms.ChoiceField(
        label=_("Phase"),
        choices=[("", _("Any phase")), *Phase.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose one of the four phases, or any phase.")},
    )
    how_would_we_know = forms.CharField(
        label=_("How would we know?"), required=False, widget=TEXTAREA, max_length=2000
    )
    who_discusses = forms.CharField(
        label=_("Who discusses it?"), required=False, widget=TEXTAREA, max_length=2000
    )
    what_information = forms.CharField(
        label=_("What information helps?"), required=False, widget=TEXTAREA, max_length=2000
    )
    what_space = forms.CharField(
        label=_("In what space?"), required=False, widget=TEXTAREA, max_length=2000
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=240,
        help_text=_("Where the question comes from, with its attribution."),
    )

    def __init__(self, *args: Any, scales: list[Scale], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scales = scales
        field = self.fields["scale"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Any scale"))] + [(s.pk, s.name) for s in scales]
        field.error_messages["invalid_choice"] = _("Choose one of this workspace's scales.")

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("revision", None)
        data["scale"] = next((s for s in self.scales if s.pk == data["scale"]), None)
        return data

    def shown(self) -> dict[str, Any]:
        """What was typed, with the choices in words (beside theirs in a conflict)."""
        data = dict(self.cleaned_data)
        for name in ("mode", "scale", "phase"):
            choices: Any = getattr(self.fields[name], "choices", [])
            words = {str(value): label for value, label in choices}
            value = data.get(name)
            data[name] = words.get("" if value is None else str(value), value)
        return data


class FilterForm(forms.Form):
    scale = forms.ChoiceField(label=_("Scale"), required=False)
    phase = forms.ChoiceField(
        label=_("Phase"), choices=[("", _("Any")), *Phase.choices], required=False
    )
    mode = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("", _("Any")),
            (Question.Mode.MANAGING, _("Managing")),
            (Question.Mode.GOVERNING, _("Governing")),
            (Question.Mode.LEARNING, _("Learning")),
        ],
        required=False,
    )
    inactive = forms.BooleanField(label=_("Show switched-off questions"), required=False)

    def __init__(self, *args: Any, scales: list[Scale], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scale"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Any")), ("any", _("Questions for any scale"))] + [
            (str(s.pk), s.name) for s in scales
        ]


def _starter_label(seed: Seed) -> str:
    scale = SCALE_NAMES[seed.scale][0] if seed.scale else _("Any scale")
    phase = Phase(seed.phase).label if seed.phase else _("Any phase")
    return f"{seed.text} ({Question.Mode(seed.mode).label} · {scale} · {phase})"


class StartersForm(forms.Form):
    """Which of the starter questions the bank does not have yet to add (all, at first)."""

    starters = forms.MultipleChoiceField(
        label=_("Starter questions to add"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one question to add."),
            "invalid_choice": _("The bank already has some of these questions. Choose again."),
        },
    )

    def __init__(self, *args: Any, starters: list[Seed], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["starters"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(seed.key, _starter_label(seed)) for seed in starters]
        field.initial = [seed.key for seed in starters]
