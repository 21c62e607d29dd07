from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hls.api.scopes import FAMILIES, IDENTITY


def _scope_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = []
    for family, label in FAMILIES.items():
        choices.append((f"{family}:read", _("%s: read") % label))
        choices.append((f"{family}:write", _("%s: read and write") % label))
    choices.append((IDENTITY, _("Identity of people served (names, contact): read")))
    return choices


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("The system that will use it, e.g. “Case management (Riverside)”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=_scope_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a key that lasts until it is revoked."),
    )
