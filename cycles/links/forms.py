from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cycles.links.selectors import PICKER_LIMIT
from cycles.links.services import TEXT_MAX
from cycles.models import Cycle, CycleLink, Entry, Experiment
from cycles.trust import Trust


class CycleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.system.name})"


class ExperimentChoiceField(forms.ModelChoiceField):
    trust: Trust | None = None  # names the cycles as the viewer may see them, when set

    def label_from_instance(self, obj: Any) -> str:
        cycle = self.trust.cycle_name(obj.cycle) if self.trust is not None else obj.cycle.name
        return f"{obj.title} — {cycle}"


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        text = " ".join(obj.text.split())
        short = text[:70] + ("…" if len(text) > 70 else "")
        return f"{obj.get_kind_display()} · {obj.cycle.name} · {short}"


def _limit_choices(field: forms.ModelChoiceField, queryset: QuerySet[Any]) -> None:
    """Offer the most recent PICKER_LIMIT objects; validation still checks the whole queryset
    (the service then checks the rules)."""
    field.widget.choices = [("", "---------")] + [
        (obj.pk, field.label_from_instance(obj)) for obj in queryset[:PICKER_LIMIT]
    ]


def _textarea(label: Any, required_message: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": required_message},
    )


class LinkForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("How they are linked"),
        choices=[
            (
                CycleLink.Kind.PARENT,
                _("The other cycle is also above this one (additional parent)"),
            ),
            (CycleLink.Kind.PEER, _("Peers: they learn sideways from each other")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether it is a cycle above or a peer.")},
    )
    other = CycleChoiceField(
        label=_("The other cycle"),
        queryset=Cycle.objects.none(),
        error_messages={
            "required": _("Choose the cycle to link to."),
            "invalid_choice": _("Choose a cycle in this workspace."),
        },
    )
    reason = _textarea(
        _("Why link them"),
        _("Say why these cycles should learn from each other."),
        _("For example: both teams work with families facing eviction."),
    )

    def __init__(self, *args: Any, cycles: QuerySet[Cycle], cycle: Cycle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: CycleChoiceField = self.fields["other"]  # type: ignore[assignment]
        field.queryset = cycles
        field.widget.choices = [("", "---------")] + [
            (c.pk, field.label_from_instance(c)) for c in cycles if c.pk != cycle.pk
        ]


class EndLinkForm(forms.Form):
    reason = _textarea(_("Why end this link"), _("Say why this link ends."))


class AskPeerForm(forms.Form):
    text = _textarea(
        _("Your question"),
        _("Write the question you want to ask."),
        _("It appears in their timeline; their answer comes back to you."),
    )
    entry = forms.IntegerField(required=False, widget=forms.HiddenInput)
    experiment = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CopyDesignForm(forms.Form):
    experiment = ExperimentChoiceField(
        label=_("Experiment to start from"),
        queryset=Experiment.objects.none(),
        help_text=_(
            "Its design is copied as a starting point to adapt. Its prediction is not: "
            "write your own before you start."
        ),
        error_messages={
            "required": _("Choose the experiment to start from."),
            "invalid_choice": _("Choose an experiment of another cycle in this workspace."),
        },
    )

    def __init__(
        self, *args: Any, experiments: QuerySet[Experiment], trust: Trust, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field: ExperimentChoiceField = self.fields["experiment"]  # type: ignore[assignment]
        field.trust = trust
        field.queryset = experiments
        _limit_choices(field, experiments)


class NamedCycleChoiceField(forms.ModelChoiceField):
    """Cycles named as the viewer may see them (cycles.trust)."""

    trust: Trust | None = None

    def label_from_instance(self, obj: Any) -> str:
        return self.trust.cycle_name(obj) if self.trust is not None else str(obj.name)


class AdaptForm(forms.Form):
    cycle = NamedCycleChoiceField(
        label=_("Adapt it in"),
        queryset=Cycle.objects.none(),
        help_text=_("Only the cycles you take part in or whose team you work in are listed."),
        error_messages={
            "required": _("Choose one of your cycles to adapt it in."),
            "invalid_choice": _("Choose one of the cycles you take part in."),
        },
    )

    def __init__(self, *args: Any, cycles: QuerySet[Cycle], trust: Trust, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: NamedCycleChoiceField = self.fields["cycle"]  # type: ignore[assignment]
        field.trust = trust
        field.queryset = cycles


class SourceForm(forms.Form):
    source_entry = EntryChoiceField(
        label=_("An entry it came from"),
        queryset=Entry.objects.none(),
        required=False,
        help_text=_("From this cycle or a cycle below it; only entries you can see are listed."),
        error_messages={
            "invalid_choice": _("Choose an entry you can see, from this cycle or a cycle below it.")
        },
    )
    source_experiment = ExperimentChoiceField(
        label=_("An experiment it came from"),
        queryset=Experiment.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _("Choose an experiment of this cycle or a cycle below it.")
        },
    )

    def __init__(
        self,
        *args: Any,
        entries: QuerySet[Entry],
        experiments: QuerySet[Experiment],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        entry_field: EntryChoiceField = self.fields["source_entry"]  # type: ignore[assignment]
        entry_field.queryset = entries
        _limit_choices(entry_field, entries)
        experiment_field: ExperimentChoiceField = self.fields["source_experiment"]  # type: ignore[assignment]
        experiment_field.queryset = experiments
        _limit_choices(experiment_field, experiments)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("source_entry") and not data.get("source_experiment"):
            self.add_error("source_entry", _("Choose an entry or an experiment this came from."))
        return data
