from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dataio.kinds import FIELDS
from dataio.models import ImportRun


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportRun.Kind.choices)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 (“CSV UTF-8” in spreadsheets), at most 5 MB and 5,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class MappingForm(forms.Form):
    """One select per field of the import's kind, listing the file's columns."""

    def __init__(self, *args: Any, run: ImportRun, **kwargs: Any) -> None:
        kwargs.setdefault("initial", run.mapping)
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —"))] + [(name, name) for name in run.header]
        for spec in FIELDS[run.kind]:
            self.fields[spec.name] = forms.ChoiceField(
                label=spec.label,
                help_text=spec.help,
                choices=choices,
                required=False,  # the service says which are required, beside the field
            )
            self.fields[spec.name].required_field = spec.required  # type: ignore[attr-defined]
