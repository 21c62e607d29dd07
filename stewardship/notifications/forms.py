"""Forms for notification preferences and snoozing. Rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stewardship.notifications.services import SNOOZE_CHOICES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class PreferencesForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("Send me email"), required=False)
    timezone = forms.CharField(
        label=_("My time zone"),
        max_length=64,
        help_text=_("For example Europe/London. Quiet hours and the digest follow it."),
    )
    quiet_start = forms.TimeField(label=_("Quiet hours from"), required=False, widget=TimeInput())
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=TimeInput(),
        help_text=_("They may run past midnight, e.g. 21:00 until 07:30."),
    )
    daily_digest = forms.BooleanField(
        label=_("One daily digest instead of single emails"),
        required=False,
        help_text=_("Session invitations and changes still come on their own, with the calendar."),
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Digest at"),
        coerce=int,
        choices=[(h, f"{h:02d}:00") for h in range(24)],
    )
    snoozed_until = forms.DateField(
        label=_("Pause email until"),
        required=False,
        widget=DateInput(),
        help_text=_("Nothing is lost: what falls due meanwhile comes when the pause ends."),
    )


class SnoozeForm(forms.Form):
    until = forms.ChoiceField(choices=[(c, c) for c in SNOOZE_CHOICES])
