from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cycles.experiments import selectors
from cycles.experiments.services import NEEDED_TO_START, TEXT_MAX, TITLE_MAX, ExperimentDesign
from cycles.models import Cycle, Experiment
from hls.accounts.models import User
from hls.conflicts import RevisionField
from hls.tenancy.models import Workspace
from systems.models import Actor, Person
from systems.selectors import people_worked_with

if TYPE_CHECKING:  # django-stubs-ext is a dev dependency: not in the production image
    from django_stubs_ext import StrOrPromise


def _text(
    label: StrOrPromise, help_text: StrOrPromise = "", required: bool = False, rows: int = 3
) -> Any:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=TEXT_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class ExperimentForm(forms.Form):
    revision = RevisionField()  # the edit counter the edit started from (hls/conflicts.py)
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_("A few words, e.g. “Call before the reminder letter”."),
        error_messages={"required": _("Give the experiment a short title.")},
    )
    what_we_will_try = forms.CharField(
        label=_("What we will try"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what you will try.")},
    )
    why = _text(_("Why"), _("What makes you think it could help?"))
    prediction = _text(
        _("What we expect to happen"),
        _("Needed before it starts: the gap between this and what happens is what we learn from."),
    )
    how_we_will_know = _text(_("How we will know"))
    safe_to_fail_limits = _text(
        _("Safe-to-fail limits"), _("What would make us stop early, and who could be affected.")
    )
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DateInput())
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DateInput(),
        help_text=_("When you will stop to decide: amplify, adapt, or stop and keep the learning."),
    )
    owner = UserChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Who keeps it going: someone who takes part in this cycle or works in its team. "
            "Left empty, it is you."
        ),
        error_messages={
            "invalid_choice": _("Choose someone who takes part in this cycle or works in its team.")
        },
    )
    people = forms.ModelMultipleChoiceField(
        label=_("People involved"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only people you work with are listed."),
        error_messages={"invalid_choice": _("Choose only people you work with.")},
    )
    actors = forms.ModelMultipleChoiceField(
        label=_("Actors involved"),
        queryset=Actor.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("From this cycle's system map."),
        error_messages={"invalid_choice": _("Choose actors from this cycle's system map.")},
    )

    def __init__(
        self,
        *args: Any,
        workspace: Workspace,
        cycle: Cycle,
        user: User,
        experiment: Experiment | None = None,
        **kwargs: Any,
    ) -> None:
        if experiment is not None and "initial" not in kwargs:
            kwargs["initial"] = _initial(workspace=workspace, user=user, experiment=experiment)
        elif "initial" not in kwargs:
            kwargs["initial"] = {"owner": user.pk}
        super().__init__(*args, **kwargs)
        for name in NEEDED_TO_START:  # may be empty while planned; never "(optional)"
            self.fields[name].needed_for = _("needed to start")  # type: ignore[attr-defined]
        owner: UserChoiceField = self.fields["owner"]  # type: ignore[assignment]
        owner.queryset = selectors.owners_inside(workspace=workspace, cycle=cycle)
        people: forms.ModelMultipleChoiceField[Person] = self.fields["people"]  # type: ignore[assignment]
        people.queryset = people_worked_with(workspace=workspace, user=user).order_by("reference")
        actors: forms.ModelMultipleChoiceField[Actor] = self.fields["actors"]  # type: ignore[assignment]
        actors.queryset = selectors.actors_of_cycle(workspace=workspace, cycle=cycle)

    def design(self) -> ExperimentDesign:
        data = self.cleaned_data
        return ExperimentDesign(
            title=data["title"],
            what_we_will_try=data["what_we_will_try"],
            why=data["why"],
            prediction=data["prediction"],
            how_we_will_know=data["how_we_will_know"],
            safe_to_fail_limits=data["safe_to_fail_limits"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            owner=data["owner"],
            people=list(data["people"]),
            actors=list(data["actors"]),
        )


def _initial(*, workspace: Workspace, user: User, experiment: Experiment) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(experiment, name)
        for name in (
            "title",
            "what_we_will_try",
            "why",
            "prediction",
            "how_we_will_know",
            "safe_to_fail_limits",
            "starts_on",
            "ends_on",
        )
    }
    initial["owner"] = experiment.owner_id
    initial["revision"] = experiment.revision
    visible, _hidden = selectors.experiment_people_visible_to(
        workspace=workspace, user=user, experiment=experiment
    )
    initial["people"] = [p.pk for p in visible]
    initial["actors"] = [
        a.pk for a in selectors.experiment_actors(workspace=workspace, experiment=experiment)
    ]
    return initial


def design_data(*, workspace: Workspace, user: User, experiment: Experiment) -> dict[str, Any]:
    """The experiment's design as form data, to show it with messages beside the fields."""
    data = _initial(workspace=workspace, user=user, experiment=experiment)
    for name in ("starts_on", "ends_on"):
        data[name] = data[name].isoformat() if data[name] else ""
    data["owner"] = data["owner"] or ""
    return data


class EndForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happens next"),
        choices=Experiment.Outcome.choices,
        widget=forms.RadioSelect,
        help_text=_("Each is a good result: stopping because we learnt is as worthwhile."),
        error_messages={
            "required": _("Choose what happens next: amplify, adapt, or stop: learnt."),
            "invalid_choice": _("Choose what happens next: amplify, adapt, or stop: learnt."),
        },
    )
    learnt = forms.CharField(
        label=_("What we learnt"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _(
                "Write what was learnt. Whatever the outcome, this is what the experiment was for."
            )
        },
    )


class PortfolioFilterForm(forms.Form):
    cycle = forms.ModelChoiceField(
        label=_("Cycle"),
        queryset=Cycle.objects.none(),
        required=False,
        empty_label=_("All cycles"),
        error_messages={"invalid_choice": _("Choose a cycle from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Experiment.Status.choices],
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Any outcome")), *Experiment.Outcome.choices],
        error_messages={"invalid_choice": _("Choose an outcome from the list.")},
    )

    def __init__(self, *args: Any, workspace: Workspace, with_cycle: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_cycle:
            cycle: forms.ModelChoiceField[Cycle] = self.fields["cycle"]  # type: ignore[assignment]
            cycle.queryset = selectors.workspace_cycles(workspace=workspace)
        else:
            del self.fields["cycle"]
