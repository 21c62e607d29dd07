"""Forms for the patterns view (filters, drill-downs) and back-to-context questions. They parse
input and keep what was typed; the rules live in services.py."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cycles.models import Cycle, Entry, Theme
from cycles.patterns.selectors import MAX_MONTHS, PatternFilter, default_period, month_starts
from systems.models import Scale, System


class DateInput(forms.DateInput):
    input_type = "date"


class PatternFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": _("Enter a date such as 2025-03-01.")},
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": _("Enter a date such as 2025-05-31.")},
    )
    system = forms.ModelChoiceField(
        label=_("Child system"),
        queryset=System.objects.none(),
        required=False,
        empty_label=_("All systems below"),
        error_messages={"invalid_choice": _("Choose one of the systems below this cycle.")},
    )
    scale = forms.ModelChoiceField(
        label=_("Scale"),
        queryset=Scale.objects.none(),
        required=False,
        empty_label=_("All scales"),
        error_messages={"invalid_choice": _("Choose one of the workspace's scales.")},
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.none(),
        required=False,
        empty_label=_("All themes"),
        error_messages={"invalid_choice": _("Choose one of the workspace's themes.")},
    )

    def __init__(
        self,
        *args: Any,
        systems: QuerySet[System],
        scales: QuerySet[Scale],
        themes: QuerySet[Theme],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("system", systems), ("scale", scales), ("theme", themes)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        start, end = default_period()
        date_from = data.get("date_from") or (
            data["date_to"].replace(day=1)
            if data.get("date_to") and data["date_to"] < start
            else start
        )
        date_to = data.get("date_to") or max(end, date_from)
        if date_from > date_to:
            self.add_error(
                "date_to",
                _("The period ends before it starts: choose an end on or after %(start)s.")
                % {"start": date_from.isoformat()},
            )
        elif len(month_starts(date_from, date_to)) > MAX_MONTHS:
            self.add_error(
                "date_to",
                _("Choose a period of at most %(n)s months.") % {"n": MAX_MONTHS},
            )
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def pattern_filter(self, **extra: Any) -> PatternFilter:
        data = self.cleaned_data
        return PatternFilter(
            date_from=data["date_from"],
            date_to=data["date_to"],
            system=data.get("system"),
            scale=data.get("scale"),
            theme=data.get("theme"),
            **extra,
        )


class DrillDownForm(PatternFilterForm):
    """The filters of the patterns view, plus the month and kind a number stands for."""

    month = forms.CharField(
        label=_("Month"), required=False, widget=forms.HiddenInput, max_length=7
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Entry.Kind.choices],
        error_messages={"invalid_choice": _("Choose one of the kinds of entry.")},
    )

    def clean_month(self) -> _dt.date | None:
        value = self.cleaned_data.get("month", "")
        if not value:
            return None
        try:
            return _dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("Enter a month such as 2025-03.")) from None

    def pattern_filter(self, **extra: Any) -> PatternFilter:
        return super().pattern_filter(
            month=self.cleaned_data.get("month"), kind=self.cleaned_data.get("kind") or "", **extra
        )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Ask what the numbers cannot tell: what is behind this pattern, what it is like "
            "where you are. Don't name people served."
        ),
        error_messages={"required": _("Write the question you want to ask.")},
    )
    cycles = forms.ModelMultipleChoiceField(
        label=_("Send it to"),
        queryset=Cycle.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The cycles whose shared entries make up this pattern. Untick any to leave out."
        ),
        error_messages={
            "required": _("Choose at least one cycle to ask."),
            "invalid_choice": _("Choose from the cycles listed."),
            "invalid_pk_value": _("Choose from the cycles listed."),
        },
    )

    def __init__(self, *args: Any, cycles: QuerySet[Cycle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cycles"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = cycles
        field.label_from_instance = _cycle_label  # type: ignore[method-assign,assignment]


def _cycle_label(cycle: Cycle) -> str:
    return f"{cycle.name} ({cycle.system.name})"


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It goes back to the cycle that asked. Don't name people served."),
        error_messages={"required": _("Write your answer before sending it.")},
    )
