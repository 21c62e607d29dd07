"""Forms for the place set-up. Rules live in services.py; forms parse input and keep what was
typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cycles.models import Cycle
from hls.accounts.models import User
from hls.conflicts import RevisionField
from hls.tenancy.models import Organisation
from stewardship.models import Participation
from systems.models import Scale

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StartForm(forms.Form):
    """Choose an existing cycle, or create a new one."""

    cycle = forms.TypedChoiceField(
        label=_("An existing cycle"), coerce=int, required=False, empty_value=None
    )
    name = forms.CharField(label=_("Or a new cycle: its name"), required=False, max_length=160)
    purpose = forms.CharField(
        label=_("What is it for?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The shared purpose that brings the organisations of this place together."),
    )
    scale = forms.TypedChoiceField(label=_("Scale"), coerce=int, required=False, empty_value=None)

    def __init__(
        self, *args: Any, cycles: list[Cycle], scales: list[Scale], default_scale: Scale | None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        cycle_field = self.fields["cycle"]
        assert isinstance(cycle_field, forms.TypedChoiceField)
        cycle_field.choices = [("", _("— create a new cycle —"))] + [
            (c.pk, f"{c.name} ({c.system.scale.name})") for c in cycles
        ]
        scale_field = self.fields["scale"]
        assert isinstance(scale_field, forms.TypedChoiceField)
        scale_field.choices = [(s.pk, s.name) for s in scales]
        if default_scale is not None and not self.is_bound:
            self.initial.setdefault("scale", default_scale.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cycle") is None:
            if not (data.get("name") or "").strip():
                self.add_error("name", _("Choose a cycle above, or give the new cycle a name."))
            if not (data.get("purpose") or "").strip():
                self.add_error("purpose", _("Say what the new cycle is for: its purpose."))
        return data


class PurposeForm(forms.Form):
    revision = RevisionField()  # the cycle's (hls/conflicts.py)
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is this place cycle for? A purpose everyone can come back to."),
        error_messages={"required": _("Say what this cycle is for: its purpose.")},
    )
    learning_questions = forms.CharField(
        label=_("Learning questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What do we want to learn together? One question a line."),
    )


class OrganisationForm(forms.Form):
    organisation = forms.TypedChoiceField(
        label=_("An organisation already in the workspace"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    new_name = forms.CharField(
        label=_("Or a new organisation: its name"), required=False, max_length=160
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—")] + [(o.pk, o.name) for o in organisations]


class CharterForm(forms.Form):
    revision = RevisionField()
    title = forms.CharField(
        label=_("Title"),
        max_length=160,
        error_messages={"required": _("Give the charter a title.")},
    )
    preamble = forms.CharField(
        label=_("Why we hold these principles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PrincipleForm(forms.Form):
    title = forms.CharField(
        label=_("Principle"),
        max_length=160,
        error_messages={"required": _("Write the principle in a few words.")},
    )
    description = forms.CharField(
        label=_("What it means in practice"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Shown on the same page as the charter form, which has a "title" too: its own ids keep
        # each label pointing at its own field (the field names stay as they are).
        kwargs.setdefault("auto_id", "id_principle_%s")
        super().__init__(*args, **kwargs)


class PrincipleEditForm(PrincipleForm):
    revision = RevisionField()


class SignatureForm(forms.Form):
    organisation = forms.TypedChoiceField(
        label=_("Organisation"),
        coerce=int,
        error_messages={"required": _("Choose the organisation that signed.")},
    )
    signed_by_name = forms.CharField(
        label=_("Signed by (name)"),
        max_length=160,
        error_messages={"required": _("Say who signed, by name.")},
    )
    signed_on = forms.DateField(
        label=_("Date signed"),
        widget=DATE,
        error_messages={
            "required": _("Give the date it was signed."),
            "invalid": _("Give a date, such as 2025-03-31."),
        },
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—")] + [(o.pk, o.name) for o in organisations]


class StewardForm(forms.Form):
    holder = forms.TypedChoiceField(
        label=_("A member of the workspace"), coerce=int, required=False, empty_value=None
    )
    holder_name = forms.CharField(
        label=_("Or a person, team or organisation, by name"), required=False, max_length=160
    )
    mandate = forms.CharField(
        label=_("Mandate"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the steward is asked to do, and what they may decide."),
        error_messages={"required": _("Say what the steward is asked to do: their mandate.")},
    )
    answers_to = forms.CharField(
        label=_("Answers to"),
        max_length=200,
        error_messages={"required": _("Say to whom the steward answers.")},
    )
    review_on = forms.DateField(
        label=_("Review date"),
        widget=DATE,
        help_text=_("When the role is next looked at together. You will be reminded."),
        error_messages={
            "required": _("Choose a review date in the future."),
            "invalid": _("Give a date, such as 2026-03-31."),
        },
    )

    def __init__(self, *args: Any, members: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["holder"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—")] + [(u.pk, u.display_name) for u in members]


class ParticipationForm(forms.Form):
    name = forms.CharField(
        label=_("Who"),
        max_length=160,
        error_messages={"required": _("Say who: a person, group or organisation.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Participation.Kind.choices,
        error_messages={"invalid_choice": _("Choose one of the listed kinds.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Participation.Status.choices,
        initial=Participation.Status.INVITED,
        error_messages={"invalid_choice": _("Choose invited, taking part or heard.")},
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Participation.Status.choices,
        error_messages={"invalid_choice": _("Choose invited, taking part or heard.")},
    )


class AccountabilityForm(forms.Form):
    to_whom = forms.CharField(
        label=_("To whom"),
        max_length=200,
        error_messages={"required": _("Say to whom this cycle gives account.")},
    )
    forum = forms.CharField(
        label=_("In what forum"),
        max_length=200,
        error_messages={"required": _("Say in what forum: a meeting, a board, a gathering.")},
    )
    cadence = forms.CharField(
        label=_("How often"),
        max_length=120,
        error_messages={"required": _("Say how often, in your own words.")},
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
