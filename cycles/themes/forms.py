from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cycles.models import Theme
from cycles.themes.services import NAME_MAX
from hls.conflicts import RevisionField
from hls.tenancy.models import Workspace


class ThemeForm(forms.Form):
    revision = RevisionField()
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX,
        help_text=_("A few words people will recognise, e.g. “Fear of letters”."),
        error_messages={"required": _("Give the theme a name.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Theme.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose problem in common or aspiration in common.")},
    )
    description = forms.CharField(
        label=_("What it means"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Theme.objects.none(),
        help_text=_(
            "Its entries move to the chosen theme; this one is kept, marked as merged, "
            "with its history."
        ),
        error_messages={
            "required": _("Choose the theme to merge into."),
            "invalid_choice": _("Choose a theme of this workspace."),
        },
    )

    def __init__(self, *args: Any, workspace: Workspace, theme: Theme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField[Theme] = self.fields["into"]  # type: ignore[assignment]
        # Any theme of the workspace is accepted, so the service can say why a merged one
        # or the theme itself cannot be chosen; only the usable ones are offered.
        field.queryset = Theme.objects.filter(workspace=workspace)
        offered = (
            Theme.objects.filter(workspace=workspace, merged_into__isnull=True)
            .exclude(pk=theme.pk)
            .order_by("name")
        )
        field.widget.choices = [("", "—")] + [(t.pk, t.name) for t in offered]
