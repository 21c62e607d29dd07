"""Forms for measures and a person's own terms. Rules live in services.py (values are parsed
there, so the API and the CSV import say the same); forms keep what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cycles.measures.services import SCALE_TOPS
from cycles.models import Measure, WhatMattersRating
from hls.conflicts import RevisionField
from systems.models import Person, ShareLevel

DATE_ERRORS = {"invalid": _("Give a date, for example 2026-03-01.")}


def _date_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=help_text,
        error_messages=DATE_ERRORS,
    )


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return str(obj)


class MeasureForm(forms.Form):
    revision = RevisionField()
    name = forms.CharField(
        label=_("Name"),
        max_length=160,
        help_text=_("What is counted or measured, for example “Days from referral to a visit”."),
        error_messages={"required": _("Give the measure a name.")},
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=40, required=False, help_text=_("For example days, £, visits.")
    )
    learning_question = forms.CharField(
        label=_("What it is for"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The question it helps you learn about. It is compared only with its own past."
        ),
        error_messages={
            "required": _(
                "Say what it is for: the question it helps you learn about. A measure "
                "without a question becomes a number to be judged by."
            )
        },
    )
    how_collected = forms.CharField(
        label=_("How it is collected"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who records it, from where, how often."),
    )
    chart = forms.ChoiceField(
        label=_("Chart"),
        choices=Measure.Chart.choices,
        initial=Measure.Chart.RUN,
        widget=forms.RadioSelect,
        help_text=_("A run chart suits most measures; a control chart needs 20 or more points."),
    )
    visibility = forms.TypedChoiceField(
        label=_("Who sees it"),
        choices=ShareLevel.choices,
        coerce=int,
        initial=ShareLevel.TEAM,
        help_text=_(
            "Shared upward: the cycles above learn only that it shows a signal, with your "
            "note, never its values. Whole workspace: everyone sees its values."
        ),
    )
    person = PersonChoice(
        label=_("About a person"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("No one"),
        help_text=_("If it is about one person, their consent limits who sees it."),
    )

    def __init__(self, *args: Any, people: QuerySet[Person] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people  # type: ignore[attr-defined]


class PointForm(forms.Form):
    value = forms.CharField(
        label=_("Value"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Give a number, for example 12 or 12.5.")},
    )
    on = _date_field(_("Date"), help_text=_("Leave it for today."))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Anything that helps read this value later."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()


class SignalNoteForm(forms.Form):
    revision = RevisionField()
    note = forms.CharField(
        label=_("What we make of it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Your own words on what the chart shows. The cycles above see this note and the "
            "kind of signal, never the values."
        ),
    )


class WhatMattersForm(forms.Form):
    revision = RevisionField()
    words = forms.CharField(
        label=_("What matters, in their words"),
        max_length=300,
        error_messages={"required": _("Write what matters in their own words.")},
    )
    scale_max = forms.TypedChoiceField(
        label=_("Their scale runs from 0 to"),
        choices=[(n, str(n)) for n in SCALE_TOPS],
        coerce=int,
        initial=10,
    )
    low_words = forms.CharField(
        label=_("Their words for 0"), max_length=80, required=False,
        help_text=_("For example “scared all the time”."),
    )  # fmt: skip
    high_words = forms.CharField(
        label=_("Their words for the top"), max_length=80, required=False,
        help_text=_("For example “safe, like home should be”."),
    )  # fmt: skip


class RatingForm(forms.Form):
    value = forms.CharField(
        label=_("Where they are now"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Give where they place it, a whole number on their scale.")},
    )
    on = _date_field(_("Date"), help_text=_("Leave it for today."))
    rated_by = forms.ChoiceField(
        label=_("Who placed it"),
        choices=WhatMattersRating.By.choices,
        initial=WhatMattersRating.By.TOGETHER,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What they said"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, top: int = 10, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["value"].help_text = _("From 0 to %(top)d, on their own scale.") % {"top": top}
