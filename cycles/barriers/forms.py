"""Forms for raising and answering barriers and for enablers. Rules live in services.py; the
forms parse input and keep what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cycles.models import BarrierRoute, Cycle, Enabler
from hls.conflicts import RevisionField


def _cycle_label(cycle: Cycle) -> str:
    return f"{cycle.name} ({cycle.system.scale.name})"


class RaiseForm(forms.Form):
    to_cycle = forms.TypedChoiceField(
        label=_("Raise it to"),
        coerce=int,
        help_text=_("The cycle directly above is first; you may choose one further up."),
        error_messages={
            "required": _("Choose the cycle to raise it to."),
            "invalid_choice": _("Choose one of the cycles above."),
        },
    )

    def __init__(
        self, *args: Any, direct: list[Cycle], further: list[Cycle], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = []
        if direct:
            choices.append((_("Directly above"), [(c.pk, _cycle_label(c)) for c in direct]))
        if further:
            choices.append((_("Further up"), [(c.pk, _cycle_label(c)) for c in further]))
        field = self.fields["to_cycle"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = choices
        if direct and not self.is_bound:
            self.initial.setdefault("to_cycle", direct[0].pk)


class AnswerForm(forms.Form):
    revision = RevisionField()  # the barrier as the answer form was opened (hls/conflicts.py)
    state = forms.ChoiceField(
        label=_("What is happening with it"),
        choices=[c for c in BarrierRoute.State.choices if c[0] != BarrierRoute.State.RAISED],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what is happening with this barrier."),
            "invalid_choice": _("Choose what is happening with this barrier."),
        },
    )
    text = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=5000,
        help_text=_("Required for “Changed” (what changed) and “Cannot change here” (why)."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    pass_to = forms.TypedChoiceField(
        label=_("Pass it further up to"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only when it cannot change here: it lands in that cycle's inbox too."),
        error_messages={"invalid_choice": _("Choose one of the cycles above.")},
    )

    def __init__(self, *args: Any, above: list[Cycle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["pass_to"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("No, not passed further up"))] + [
            (c.pk, _cycle_label(c)) for c in above
        ]


class EnablerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Enabler.Kind.choices,
        error_messages={"required": _("Choose what kind of enabler it is.")},
    )
    text = forms.CharField(
        label=_("What we are doing"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what you are doing to enable them.")},
    )
    barrier_route = forms.TypedChoiceField(
        label=_("It answers the barrier"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a barrier raised to this cycle.")},
    )
    for_cycles = forms.TypedMultipleChoiceField(
        label=_("For the cycles below"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose cycles below this one.")},
    )

    def __init__(
        self,
        *args: Any,
        routes: list[BarrierRoute],
        below: list[Cycle],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        route_field = self.fields["barrier_route"]
        assert isinstance(route_field, forms.TypedChoiceField)
        route_field.choices = [("", _("None"))] + [
            (r.pk, _("From %(cycle)s, raised %(date)s")
             % {"cycle": r.from_cycle.name, "date": r.raised_at.strftime("%d %b %Y")})
            for r in routes
        ]  # fmt: skip
        cycles_field = self.fields["for_cycles"]
        assert isinstance(cycles_field, forms.TypedMultipleChoiceField)
        cycles_field.choices = [(c.pk, _cycle_label(c)) for c in below]
