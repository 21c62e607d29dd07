"""Forms for scales, systems and maps. Choices are scoped to the workspace, so an id from another
workspace is an ordinary "choose a valid option" error, never a crash or a leak."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hls.accounts.models import User
from hls.conflicts import RevisionField
from hls.tenancy.models import Organisation, Workspace
from systems.models import Actor, Factor, Participation, Relationship, Scale, System
from systems.people.services import NAME_REVEALS_PERSON
from systems.selectors import node_id, scales_of, workspace_users
from systems.services import NAME_MAX, SCALE_NAME_MAX, SystemInput, parse_node


class ScaleForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=SCALE_NAME_MAX,
        help_text=_("For example “Neighbourhood”. Each scale's name is used once."),
    )


def _keep_name_field() -> forms.BooleanField:
    return forms.BooleanField(label=_("Keep this name anyway"), required=False)


class KeepNameMixin(forms.Form):
    """A "keep this name anyway" checkbox under the name, shown once the service warned that a
    person-scale name contains the person's recorded name (NAME_REVEALS_PERSON), and kept
    while it is ticked. The service decides; `keep_name()` is passed back to it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and self.data.get("keep_name"):
            self._add_keep_name()

    def _add_keep_name(self) -> None:
        if "keep_name" in self.fields:
            return
        self.fields["keep_name"] = _keep_name_field()
        order = list(self.fields)
        order.remove("keep_name")
        order.insert(order.index("name") + 1 if "name" in order else 0, "keep_name")
        self.order_fields(order)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if self.has_error("name", NAME_REVEALS_PERSON):
            self._add_keep_name()

    def keep_name(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("keep_name"))


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class SystemForm(KeepNameMixin):
    revision = RevisionField()
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    scale = forms.ModelChoiceField(
        label=_("Scale"), queryset=Scale.objects.none(), empty_label=None
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        help_text=_("What is this system for? Its purpose sets its boundary."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parent = forms.ModelChoiceField(
        label=_("Part of"),
        queryset=System.objects.none(),
        required=False,
        empty_label=_("(not part of another system)"),
        help_text=_("The larger system this one sits within."),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Member organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    members = MemberChoiceField(
        label=_("People who work in it"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The system's team: they see what is shared with the team."),
    )
    reason = forms.CharField(
        label=_("Why is the boundary changing?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the purpose, scale, parent, people or organisations change."),
    )

    def __init__(
        self, *args: Any, workspace: Workspace, system: System | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["scale"].queryset = scales_of(workspace=workspace)
        # The system itself and those within it stay choosable: the service explains the loop.
        fields["parent"].queryset = System.objects.filter(workspace=workspace).order_by("name")
        fields["organisations"].queryset = Organisation.objects.filter(
            workspace=workspace
        ).order_by("name")
        fields["members"].queryset = workspace_users(workspace=workspace)
        if system is None:
            del self.fields["reason"]

    def to_input(self) -> SystemInput:
        data = self.cleaned_data
        return SystemInput(
            name=data["name"],
            scale=data["scale"],
            purpose=data["purpose"],
            parent=data["parent"],
            organisations=data["organisations"],
            members=data["members"],
            keep_name=self.keep_name(),
        )


def system_initial(system: System) -> dict[str, Any]:
    return {
        "name": system.name,
        "scale": system.scale_id,
        "purpose": system.purpose,
        "parent": system.parent_id,
        "organisations": [o.pk for o in system.organisations.all()],
        "members": [u.pk for u in system.members.all()],
        "revision": system.revision,
    }


class ActorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    kind = forms.ChoiceField(label=_("Kind"), choices=Actor.Kind.choices)
    role = forms.CharField(label=_("Role in the system"), max_length=240, required=False)
    participation = forms.ChoiceField(
        label=_("Involvement"), choices=Participation.choices, initial=Participation.NOT_YET
    )


class FactorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActorEditForm(ActorForm):
    revision = RevisionField()


class FactorEditForm(FactorForm):
    revision = RevisionField()


class NodeField(forms.CharField):
    """A node of the map as "a<id>" (actor) or "f<id>" (factor); offered as a grouped select."""

    widget = forms.Select

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value and parse_node(value) is None:
            raise forms.ValidationError(_("Choose an actor or a factor from the list."))
        return value


class RelationshipForm(forms.Form):
    source = NodeField(label=_("From"))
    target = NodeField(label=_("To"))
    sign = forms.ChoiceField(
        label=_("Sign"),
        choices=[("", _("(none: for links between actors)")), *Relationship.Sign.choices],
        required=False,
        help_text=_("For links between factors: does the first strengthen or weaken the second?"),
    )
    label = forms.CharField(label=_("Label"), max_length=NAME_MAX, required=False)

    def __init__(
        self, *args: Any, actors: list[Actor], factors: list[Factor], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [
            ("", _("Choose…")),
            (_("Actors"), [(node_id(a), a.name) for a in actors]),
            (_("Factors"), [(node_id(f), f.name) for f in factors]),
        ]
        for name in ("source", "target"):
            self.fields[name].widget.choices = choices
        nodes: list[Actor | Factor] = [*actors, *factors]
        self._nodes = [(node_id(n), n.name) for n in nodes]

    def node_choices(self) -> list[tuple[str, str]]:
        """Each node's id ("a12", "f7") and name."""
        return list(self._nodes)


class RelationshipEditForm(RelationshipForm):
    revision = RevisionField()


def relationship_initial(relationship: Relationship) -> dict[str, Any]:
    if relationship.source_actor_id is not None:
        source, target = f"a{relationship.source_actor_id}", f"a{relationship.target_actor_id}"
    else:
        source, target = f"f{relationship.source_factor_id}", f"f{relationship.target_factor_id}"
    return {
        "source": source,
        "target": target,
        "sign": relationship.sign,
        "label": relationship.label,
        "revision": relationship.revision,
    }


class SnapshotForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=NAME_MAX,
        help_text=_("For example “Before the housing pilot”."),
    )
