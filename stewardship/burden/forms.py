"""Forms for the burden ledger. Rules live in services.py; forms parse input and keep what was
typed."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hls.conflicts import RevisionField
from stewardship.models import LearningTime


class LearningTimeForm(forms.Form):
    revision = RevisionField()  # 0: no time was set when the page was opened
    hours = forms.DecimalField(
        label=_("Hours we give to learning together"),
        min_value=Decimal("0.5"),
        max_digits=4,
        decimal_places=1,
        help_text=_("Sessions, reflection and method runs: the time the cycle really spends."),
        error_messages={
            "required": _("Give the time in hours, for example 2 or 1.5."),
            "invalid": _("Give the time in hours, for example 2 or 1.5."),
            "min_value": _("Give at least half an hour."),
            "max_digits": _("Give the time in hours, for example 2 or 1.5."),
            "max_decimal_places": _("Give the time in hours, for example 2 or 1.5."),
        },
    )
    per = forms.ChoiceField(
        label=_("Per"),
        choices=LearningTime.Per.choices,
        initial=LearningTime.Per.WEEK,
        widget=forms.RadioSelect,
    )
    how = forms.CharField(
        label=_("How we make the time"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: the first hour of the team meeting, every fortnight."),
    )


class StopDoingForm(forms.Form):
    what = forms.CharField(
        label=_("What we stop doing"),
        max_length=300,
        error_messages={"required": _("Say what you stop doing.")},
    )
    frees = forms.CharField(
        label=_("What it frees"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The time or attention it gives back, and for what."),
    )
    since = forms.DateField(
        label=_("Since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for today."),
        error_messages={"invalid": _("Give a date, for example 2026-03-01.")},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["since"].widget.attrs["max"] = timezone.localdate().isoformat()


class ResumeForm(forms.Form):
    why = forms.CharField(
        label=_("Why it started again"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why it started again: it is worth learning from.")},
    )
