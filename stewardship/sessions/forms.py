"""Forms for sessions. They parse and shape input (local date and time in the chosen zone, the
repeat picker into an RRULE); every rule is checked by the services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cycles.models import Cycle
from hls.accounts.models import User
from hls.conflicts import RevisionField
from hls.tenancy.models import Workspace
from stewardship.models import HeardAnswer, Session, SessionOutput
from stewardship.sessions import repeat as rp
from stewardship.sessions.recurrence import zone
from systems.models import ShareLevel

DEFAULT_ZONE = "Europe/London"
COMMON_ZONES = [
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
]
REMINDER_CHOICES = [
    (str(60 * 24 * 7), _("1 week before")),
    (str(60 * 24), _("1 day before")),
    (str(120), _("2 hours before")),
    (str(60), _("1 hour before")),
    (str(15), _("15 minutes before")),
]
REPEAT_CHOICES = [
    (rp.NONE, _("Does not repeat")),
    (rp.WEEKLY, _("Every week")),
    (rp.FORTNIGHTLY, _("Every 2 weeks")),
    (rp.FOUR_WEEKLY, _("Every 4 weeks")),
    (rp.MONTHLY_WEEKDAY, _("Monthly, on the same weekday (e.g. the second Tuesday)")),
    (rp.ADVANCED, _("Advanced: write the rule")),
]
END_CHOICES = [
    (rp.END_COUNT, _("After a number of meetings")),
    (rp.END_UNTIL, _("On a date")),
]


def zone_choices() -> list[tuple[str, str]]:
    others = sorted(available_timezones() - set(COMMON_ZONES))
    return [(name, name) for name in COMMON_ZONES] + [(name, name) for name in others]


class ZoneField(forms.ChoiceField):
    """A select of zones; an unknown one is named in the error (recurrence.zone's message)."""

    def valid_value(self, value: Any) -> bool:
        return True

    def validate(self, value: Any) -> None:
        super().validate(value)
        try:
            zone(value)
        except ValidationError as error:
            raise ValidationError(error.message_dict["timezone"]) from error


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class SessionForm(forms.Form):
    revision = RevisionField()  # the edit a change started from (hls/conflicts.py)
    title = forms.CharField(label=_("Title"), max_length=160)
    description = forms.CharField(
        label=_("What it is for"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cycles = forms.ModelMultipleChoiceField(
        label=_("For which cycles"),
        queryset=Cycle.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one cycle this session is for.")},
    )
    start_date = forms.DateField(label=_("First meeting: date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Time"), widget=TimeInput())
    timezone = ZoneField(label=_("Time zone"), initial=DEFAULT_ZONE)
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), initial=90, min_value=5, max_value=480
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"), choices=REPEAT_CHOICES, initial=rp.NONE, widget=forms.RadioSelect
    )
    end = forms.ChoiceField(
        label=_("The series ends"),
        choices=END_CHOICES,
        initial=rp.END_COUNT,
        required=False,
        widget=forms.RadioSelect,
    )
    count = forms.IntegerField(
        label=_("Number of meetings"), required=False, min_value=1, max_value=520, initial=10
    )
    until = forms.DateField(label=_("Last date"), required=False, widget=DateInput())
    advanced = forms.CharField(
        label=_("Repeat rule (RFC 5545 RRULE)"),
        required=False,
        max_length=400,
        help_text=_("For example FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=12"),
    )
    location = forms.CharField(label=_("Where (a room or a link)"), required=False, max_length=400)
    structured = forms.BooleanField(
        label=_("With an agenda (questions due and what happened since last time)"),
        required=False,
        initial=True,
    )
    facilitator = UserChoiceField(label=_("Facilitator"), queryset=User.objects.none())
    members = UserMultipleChoiceField(
        label=_("Members invited"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guests = forms.CharField(
        label=_("Guests by email"),
        required=False,
        help_text=_("One email address per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reminder_leads = forms.MultipleChoiceField(
        label=_("Reminders"),
        choices=REMINDER_CHOICES,
        required=False,
        initial=[str(60 * 24), str(60)],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        workspace: Workspace,
        session: Session | None = None,
        **kwargs: Any,
    ) -> None:
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(session)
        super().__init__(*args, **kwargs)
        self.fields["cycles"].queryset = (  # type: ignore[attr-defined]
            Cycle.objects.filter(workspace=workspace)
            .exclude(status=Cycle.Status.CLOSED)
            .order_by("name", "pk")
        )
        people = User.objects.filter(memberships__workspace=workspace).order_by(
            "full_name", "email"
        )
        self.fields["facilitator"].queryset = people  # type: ignore[attr-defined]
        self.fields["members"].queryset = people  # type: ignore[attr-defined]
        self.fields["timezone"].choices = zone_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("repeat")
        if choice not in (None, rp.NONE, rp.ADVANCED):
            if data.get("end") == rp.END_UNTIL and not data.get("until"):
                self.add_error("until", _("Give the last date of the series."))
            if data.get("end") != rp.END_UNTIL and not data.get("count"):
                self.add_error("count", _("Give the number of meetings."))
        if choice == rp.ADVANCED and not data.get("advanced", "").strip():
            self.add_error("advanced", _("Write the rule, or choose one of the repeats above."))
        return data

    @property
    def starts_at(self) -> dt.datetime:
        data = self.cleaned_data
        return rp.local_to_utc(data["start_date"], data["start_time"], data["timezone"])

    @property
    def rrule(self) -> str:
        data = self.cleaned_data
        return rp.build_rule(
            repeat=data["repeat"],
            local_start=data["start_date"],
            end=data.get("end") or rp.END_COUNT,
            count=data.get("count"),
            until=data.get("until"),
            advanced=data.get("advanced", ""),
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "cycles": list(data["cycles"]),
            "facilitator": data["facilitator"],
            "timezone": data["timezone"],
            "starts_at": self.starts_at,
            "duration_minutes": data["duration_minutes"],
            "rrule": self.rrule,
            "location": data["location"],
            "structured": data["structured"],
            "reminder_leads": [int(v) for v in data["reminder_leads"]],
            "members": list(data["members"]),
            "guests": data["guests"].splitlines(),
        }

    def shown(self) -> dict[str, Any]:
        """What was typed, worded as the conflict shows the saved session
        (services.conflict_values): the rule described, people by name."""
        data = self.cleaned_data
        return {
            **data,
            "cycles": sorted(c.name for c in data["cycles"]),
            "start_time": data["start_time"].strftime("%H:%M"),
            "repeats": rp.describe_rule(self.rrule),
            "facilitator": data["facilitator"].display_name if data["facilitator"] else "",
            "members": sorted(m.display_name for m in data["members"]),
        }

    def service_fields(self) -> dict[str, str]:
        """The field a service's error about one of its arguments goes beside (`fields=` of
        `hls.forms.submit`): the rule beside what was used to choose it."""
        rule_field = "advanced" if self.cleaned_data.get("repeat") == rp.ADVANCED else "repeat"
        return {"starts_at": "start_date", "rrule": rule_field}


def initial_for(session: Session) -> dict[str, Any]:
    local = session.starts_at.astimezone(zone(session.timezone))
    choice = rp.read_rule(session.rrule, local.date())
    return {
        "title": session.title,
        "description": session.description,
        "cycles": list(session.cycles.all()),
        "start_date": local.date(),
        "start_time": local.time().replace(second=0, microsecond=0),
        "timezone": session.timezone,
        "duration_minutes": session.duration_minutes,
        "repeat": choice.repeat,
        "end": choice.end,
        "count": choice.count,
        "until": choice.until,
        "advanced": choice.advanced,
        "location": session.location,
        "structured": session.structured,
        "facilitator": session.facilitator,
        "members": [
            p.user for p in session.participants.select_related("user") if p.user_id is not None
        ],
        "guests": "\n".join(
            p.email for p in session.participants.all() if p.user_id is None and p.email
        ),
        "reminder_leads": [str(lead) for lead in session.reminder_leads],
        "revision": session.revision,
    }


class MoveForm(forms.Form):
    start_date = forms.DateField(label=_("New date"), widget=DateInput())
    start_time = forms.TimeField(label=_("New time"), widget=TimeInput())

    def starts_at(self, timezone: str) -> dt.datetime:
        return rp.local_to_utc(
            self.cleaned_data["start_date"], self.cleaned_data["start_time"], timezone
        )


class RespondForm(forms.Form):
    response = forms.ChoiceField(
        choices=[("accepted", _("I'm coming")), ("declined", _("I can't come"))]
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    revision = RevisionField()
    questions = forms.TypedMultipleChoiceField(
        label=_("Questions we discussed"),
        coerce=int,
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, questions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questions"].choices = questions  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(
        label=_("Who came"),
        coerce=int,
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, participants: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = participants  # type: ignore[attr-defined]


class OutputForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it"), choices=SessionOutput.Kind.choices)
    cycle = forms.ModelChoiceField(label=_("Into which cycle"), queryset=Cycle.objects.none())
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    visibility = forms.TypedChoiceField(
        label=_("Who can see it (for entries)"),
        coerce=int,
        choices=[(level.value, level.label) for level in ShareLevel if level >= ShareLevel.TEAM],
        initial=ShareLevel.CYCLE,
        help_text=_(
            "A barrier shared upward is also raised to the cycle above. New experiments are "
            "planned in the cycle and can be shaped there."
        ),
    )

    def __init__(self, *args: Any, cycles: list[Cycle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cycle"]
        field.queryset = Cycle.objects.filter(pk__in=[c.pk for c in cycles])  # type: ignore[attr-defined]
        if len(cycles) == 1:
            field.initial = cycles[0].pk


class HeardForm(forms.Form):
    felt_heard = forms.ChoiceField(
        label=_("Did you feel heard?"),
        choices=HeardAnswer.FeltHeard.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes, partly or no.")},
    )
    comment = forms.CharField(
        label=_("Anything to add (anonymous)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
