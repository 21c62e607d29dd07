from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from hls.conflicts import RevisionField
from hls.tenancy.models import Workspace
from systems.models import ShareLevel, System
from systems.people import services
from systems.people.selectors import person_scale_systems

# Consent uses the same names as the level list of an entry (systems.models.ShareLevel), one
# wording everywhere; recording it, each name says what it means for stories about the person.
CONSENT_MEANS = {
    ShareLevel.PRIVATE: _("only whoever logs it"),
    ShareLevel.TEAM: _("the team of whoever logs it"),
    ShareLevel.CYCLE: _("everyone in the cycle"),
    ShareLevel.SHARED_UPWARD: _("the cycles above too"),
    ShareLevel.WORKSPACE: _("everyone in the workspace"),
}


def consent_label(level: int) -> str:
    return str(ShareLevel(level).label)


class PersonForm(forms.Form):
    revision = RevisionField()  # edits of the record (hls/conflicts.py); unused when adding
    alias = forms.CharField(
        label=_("Chosen alias"),
        max_length=services.ALIAS_MAX,
        required=False,
        help_text=_(
            "A name they chose to be known by here, not their real name. Everyone gets a "
            "reference like P-7K3Q as well."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    what_matters = forms.CharField(
        label=_("What matters to them, in their own words"),
        max_length=services.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    strengths = forms.CharField(
        label=_("Strengths"),
        max_length=services.TEXT_MAX,
        required=False,
        help_text=_("What they are good at, who and what they can draw on."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    system = forms.TypedChoiceField(
        label=_("Their own life as a system"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "A system at the scale of one person's life. Only its team and the members of its "
            "cycles will see who they are."
        ),
        error_messages={
            "invalid_choice": _(
                "Choose one of the listed systems: those for one person's own life."
            )
        },
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.systems = {s.pk: s for s in person_scale_systems(workspace=workspace)}
        field: forms.TypedChoiceField = self.fields["system"]  # type: ignore[assignment]
        field.choices = [("", _("Not linked yet"))] + [
            (pk, s.name) for pk, s in self.systems.items()
        ]

    def chosen_system(self) -> System | None:
        pk = self.cleaned_data.get("system")
        return self.systems.get(pk) if pk is not None else None


class IdentityForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=services.NAME_MAX,
        help_text=_("The name they want to be known by."),
        error_messages={"required": _("Give the name they want to be known by.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("For example 1984-03-21."),
        error_messages={"invalid": _("Enter a real date, like 1984-03-21.")},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
    )
    contact = forms.CharField(
        label=_("Contact"),
        max_length=services.CONTACT_MAX,
        required=False,
        help_text=_("How they would like to be contacted: phone, address, a trusted person."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )


class ConsentForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("They agreed to share as far as"),
        coerce=int,
        choices=[
            (level.value, format_lazy("{}: {}", level.label, means))
            for level, means in CONSENT_MEANS.items()
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how far what they share may go."),
            "invalid_choice": _("Choose how far what they share may go."),
        },
    )
    note = forms.CharField(
        label=_("How it was given"),
        max_length=services.NOTE_MAX,
        help_text=_(
            "When and how they agreed, in what words, and anything they asked us not to share."
        ),
        error_messages={
            "required": _("Say how consent was given: when, how, and anything they asked for.")
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )
