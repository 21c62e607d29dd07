"""Forms for learning reports. Rules live in services.py; the forms parse input and keep what
was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cycles.models import Cycle
from cycles.trust import Trust
from stewardship.models import ReportExport


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ReportCreateForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={
            "required": _("Give the report a title, e.g. “What we learnt this spring”.")
        },
    )
    period_start = forms.DateField(
        label=_("From"),
        widget=DateInput(),
        error_messages={
            "required": _("Say when the period starts."),
            "invalid": _("Enter a date, e.g. 2025-01-31."),
        },
    )
    period_end = forms.DateField(
        label=_("To"),
        widget=DateInput(),
        help_text=_("Today or earlier: a report tells what has happened."),
        error_messages={
            "required": _("Say when the period ends."),
            "invalid": _("Enter a date, e.g. 2025-03-31."),
        },
    )
    cycles = forms.TypedMultipleChoiceField(
        label=_("Cycles it reports on"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One or more."),
        error_messages={
            "required": _("Choose at least one cycle to report on."),
            "invalid_choice": _("Choose cycles of this workspace."),
        },
    )

    def __init__(self, *args: Any, cycles: list[Cycle], trust: Trust, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cycles"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(c.pk, f"{trust.cycle_name(c)} ({c.system.scale.name})") for c in cycles]


class SectionForm(forms.Form):
    body = forms.CharField(
        label=_("Our account"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown: **bold**, _italic_, lists with “- ”."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write your comment first.")},
    )


class ReceiverAccountForm(forms.Form):
    receiver_account = forms.CharField(
        label=_("The receiver's own account"),
        required=False,
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "What the funder, board or community receiving this report says, in their own "
            "words. Markdown."
        ),
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ReportExport.Format.choices,
        error_messages={
            "required": _("Choose HTML, PDF or Markdown."),
            "invalid_choice": _("Choose HTML, PDF or Markdown."),
        },
    )
