"""Forms for erasure and retention. The rules live in services.py; forms parse input and keep
what was typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stewardship.privacy.services import DAYS_MAX, DAYS_MIN, Choice

_DAYS_ERRORS = {
    "invalid": _("Give a whole number of days, for example 365, or leave it empty to keep."),
    "min_value": _("Give at least %(limit_value)s day, or leave it empty to keep."),
    "max_value": _("Give at most %(limit_value)s days (ten years), or leave it empty to keep."),
}


class ErasureForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("The stories about them"),
        choices=Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happens to the stories about them.")},
    )
    reference = forms.CharField(
        label=_("Type their reference to confirm"),
        max_length=16,
        help_text=_("This cannot be undone."),
        error_messages={"required": _("Type their reference to confirm.")},
    )

    def __init__(self, *args: object, reference: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["reference"].help_text = _("Type %(reference)s. This cannot be undone.") % {
            "reference": reference
        }


class FindPersonForm(forms.Form):
    reference = forms.CharField(
        label=_("Their reference"),
        max_length=16,
        help_text=_("As it is on the request, for example P-7K3Q."),
        error_messages={"required": _("Type the reference of the person to erase.")},
    )


class RetentionForm(forms.Form):
    retain_identity_days = forms.IntegerField(
        label=_("Delete a person's identity this many days after their own cycles close"),
        required=False,
        min_value=DAYS_MIN,
        max_value=DAYS_MAX,
        help_text=_(
            "Counted from when the last of their own cycles closed, once all of them are "
            "closed. Their pseudonymous record and the stories stay. Empty: keep identities "
            "until someone erases them."
        ),
        error_messages=_DAYS_ERRORS,
    )
    retain_drafts_days = forms.IntegerField(
        label=_("Drop drafts this many days after they were last typed in"),
        required=False,
        min_value=DAYS_MIN,
        max_value=DAYS_MAX,
        help_text=_(
            "Drafts kept on the server as people type, never saved or discarded. Empty: keep "
            "them until they are saved or discarded."
        ),
        error_messages=_DAYS_ERRORS,
    )
