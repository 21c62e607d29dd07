"""Forms for cycles, entries, the timeline filter and search. Rules live in services.py; the
forms parse input and keep what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cycles.models import Cycle, Entry, Experiment, Phase, Theme, visibility_ceiling
from cycles.trust import Trust
from hls import renderers
from hls.accounts.models import User
from hls.conflicts import RevisionField
from systems.forms import KeepNameMixin
from systems.models import Person, ShareLevel, System


class CycleForm(KeepNameMixin):
    system = forms.ModelChoiceField(
        label=_("System of interest"),
        queryset=System.objects.none(),
        help_text=_("The system whose learning this cycle follows."),
        error_messages={"required": _("Choose the system this cycle belongs to.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=160,
        error_messages={"required": _("Give the cycle a name.")},
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        help_text=_("What is this cycle for? It sets what you listen for."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what this cycle is for: its purpose.")},
    )
    learning_questions = forms.CharField(
        label=_("Learning questions"),
        required=False,
        help_text=_("What do you want to find out? One per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, systems: QuerySet[System], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["system"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = systems


class CycleCreateForm(CycleForm):
    phase = forms.ChoiceField(
        label=_("Starting phase"),
        choices=Phase.choices,
        initial=Phase.UNDERSTAND,
        help_text=_("Where the cycle mostly is now. It can move freely later."),
    )


class CycleEditForm(CycleForm):
    status = forms.ChoiceField(label=_("Status"), choices=Cycle.Status.choices)
    revision = RevisionField()


class PhaseShiftForm(forms.Form):
    to_phase = forms.ChoiceField(label=_("Move to"), choices=Phase.choices)
    reason = forms.CharField(
        label=_("Why now?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What made this the moment to move? Any direction is fine."),
        error_messages={"required": _("Say why now: what made this the moment to move?")},
    )


def _display_name(user: User) -> str:
    return str(user.display_name)


class CycleMemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Member of the workspace"),
        queryset=User.objects.none(),
        error_messages={"required": _("Choose someone to add.")},
    )

    def __init__(self, *args: Any, users: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = users
        field.label_from_instance = _display_name  # type: ignore[method-assign,assignment]


class ChipRadioSelect(renderers.ChipRadioSelect):
    """Radio buttons shown as big tap targets (see .chips in app.css)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "chip-input", **(attrs or {})})


class PersonSelect(forms.Select):
    """The person picker: each person carries how far they agreed to share (`data-ceiling`), so
    the level list offers only that much before saving (static/js/capture.js)."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        person = getattr(option["value"], "instance", None)
        if isinstance(person, Person):
            option["attrs"]["data-ceiling"] = visibility_ceiling(person)
        return option


class LevelSelect(forms.Select):
    """Who can see it: levels past `ceiling` (the chosen person's consent) are not offered. The
    level already chosen stays, so a refused save shows what was chosen beside the error."""

    ceiling: int = ShareLevel.WORKSPACE

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        value = str(option["value"])
        if value.isdigit() and int(value) > self.ceiling and not option["selected"]:
            option["attrs"].update({"disabled": True, "hidden": True})
        return option


class EntryForm(forms.Form):
    """One form for creating (with a cycle choice) and editing an entry (with the revision
    the edit started from)."""

    revision = RevisionField()

    cycle = forms.ModelChoiceField(
        label=_("Cycle"),
        queryset=Cycle.objects.none(),
        error_messages={"required": _("Choose the cycle this belongs to.")},
    )
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=Entry.Kind.choices,
        initial=Entry.Kind.STORY,
        widget=ChipRadioSelect,
        error_messages={"required": _("Choose what kind of step this is.")},
    )
    text = forms.CharField(
        label=_("What happened?"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off"}),
        help_text=_("Markdown works: *emphasis*, lists, links."),
        error_messages={"required": _("Write something before saving: the text is empty.")},
    )
    phase = forms.ChoiceField(
        label=_("Phase"),
        choices=[("", _("Where the cycle is now")), *Phase.choices],
        required=False,
    )
    person = forms.ModelChoiceField(
        label=_("About someone you work with"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("No one in particular"),
        widget=PersonSelect,
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=renderers.ChipCheckboxSelectMultiple,
    )
    visibility = forms.TypedChoiceField(
        label=_("Who can see it"),
        choices=ShareLevel.choices,
        coerce=int,
        initial=ShareLevel.TEAM,
        widget=LevelSelect,
        help_text=_(
            "Who sees it once you save: your team unless you choose otherwise (private is one "
            "choice away). Never further than the person it is about agreed."
        ),
    )
    happened_on = forms.DateField(
        label=_("When it happened"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today, unless you say otherwise."),
    )
    signed = forms.BooleanField(
        label=_("Sign it with my name"),
        required=False,
        help_text=_(
            "Outside this cycle, people see the cycle's name, not yours. Sign it if you want "
            "your name to travel with it."
        ),
    )
    experiment = forms.ModelChoiceField(
        queryset=Experiment.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(
        self,
        *args: Any,
        cycles: QuerySet[Cycle] | None,
        people: QuerySet[Person],
        themes: QuerySet[Theme],
        experiments: QuerySet[Experiment] | None = None,
        trust: Trust | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        if cycles is None:  # editing: the entry stays in its cycle
            del fields["cycle"]
        else:
            fields["cycle"].queryset = cycles  # type: ignore[attr-defined]
            if trust is not None:  # a person's cycle by its pseudonym outside (cycles.trust)
                fields["cycle"].label_from_instance = trust.cycle_name  # type: ignore[attr-defined]
        if experiments is None:
            del fields["experiment"]
        else:
            fields["experiment"].queryset = experiments  # type: ignore[attr-defined]
        fields["person"].queryset = people  # type: ignore[attr-defined]
        fields["themes"].queryset = themes  # type: ignore[attr-defined]
        level = fields["visibility"]
        if cycles is None:
            level.help_text = _(
                "Widen one step at a time (others may have seen it already); narrow any amount. "
                "Never further than the person it is about agreed."
            )
        self.ceiling_person: Person | None = None
        if not self.is_bound:
            self._set_ceiling(self._initial_person())
            chosen = self.initial.get("visibility", level.initial)
            # A new entry starts no wider than the person agreed (an edit shows what it has).
            creating = cycles is not None
            if creating and self.ceiling_person is not None and str(chosen).isdigit():
                self.initial["visibility"] = min(int(chosen), self.ceiling)

    def _initial_person(self) -> Person | None:
        value = self.initial.get("person")
        if isinstance(value, Person) or value in (None, ""):
            return value or None
        people = self.fields["person"].queryset  # type: ignore[attr-defined]
        found: Person | None = people.filter(pk=value).first() if str(value).isdigit() else None
        return found

    def _set_ceiling(self, person: Person | None) -> None:
        self.ceiling_person = person
        widget = self.fields["visibility"].widget
        assert isinstance(widget, LevelSelect)
        widget.ceiling = visibility_ceiling(person)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        self._set_ceiling(cleaned.get("person"))
        return cleaned

    @property
    def ceiling(self) -> int:
        """The widest level offered: the chosen person's consent (`visibility_ceiling`)."""
        return visibility_ceiling(self.ceiling_person)

    @property
    def ceiling_label(self) -> str:
        return str(ShareLevel(self.ceiling).label)

    @property
    def level_label(self) -> str:
        """The level chosen now, for the "More" summary (who will see it, without opening)."""
        value = str(self["visibility"].value())
        return (
            str(ShareLevel(int(value)).label)
            if value.isdigit() and int(value) in ShareLevel.values
            else ""
        )


class TimelineFilterForm(forms.Form):
    phase = forms.ChoiceField(
        label=_("Phase"), choices=[("", _("Any phase")), *Phase.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *Entry.Kind.choices], required=False
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.none(), required=False, empty_label=_("Any")
    )
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=Person.objects.none(), required=False, empty_label=_("Anyone")
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, themes: QuerySet[Theme], people: QuerySet[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error(
                "date_to",
                _("“To” is before “From”: choose a date on or after %(start)s.")
                % {"start": start.strftime("%d %b %Y")},
            )
        return data


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
