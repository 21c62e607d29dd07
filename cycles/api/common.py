"""Pieces the cycles family's viewsets share: ids resolved within what the caller may reach,
and service errors renamed to the API's field names."""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from cycles.models import Phase
from hls.api.base import ApiViewSet


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id looked up only among `scope(view)`: the workspace's objects the caller may use.
    Anything else (another workspace's, one the caller cannot see) is "invalid pk", a 400."""

    def __init__(self, model: type[Model], scope: Callable[[Any], QuerySet], **kwargs: Any):
        self.scope = scope
        # The model's empty queryset tells the schema the id's type; `get_queryset` is the rule.
        self.empty: QuerySet = model._default_manager.none()
        super().__init__(queryset=self.empty, **kwargs)

    def get_queryset(self) -> QuerySet:
        view = self.context.get("view")
        if not isinstance(view, ApiViewSet) or getattr(view, "swagger_fake_view", False):
            return self.empty  # no caller (the schema): nothing to choose from
        queryset = self.scope(view)
        if any(f.name == "workspace" for f in queryset.model._meta.get_fields()):
            queryset = queryset.filter(workspace=view.workspace)
        return queryset


@contextmanager
def renamed_errors(names: Mapping[str, str]) -> Iterator[None]:
    """A service's ValidationError with its form field names changed to the API's."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {names.get(field, field): messages for field, messages in error.message_dict.items()}
        ) from error


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choices are one named enum in the schema, whatever the field is
    called (`to`, `from_phase`, `state`...), so no enum is named twice or by a guess."""

    def __init__(self, *, component: str, choices: Any, **kwargs: Any) -> None:
        self.component = component
        super().__init__(choices=choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field: NamedChoiceField = self.target
        values = list(field.choices)
        component = ResolvedComponent(
            name=field.component,
            type=ResolvedComponent.SCHEMA,
            object=field.component,
            schema={
                "type": "integer" if all(isinstance(v, int) for v in values) else "string",
                "enum": values,
                "description": "\n".join(
                    f"* `{v}` - {label}" for v, label in field.choices.items()
                ),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def phase_field(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(component="CyclePhaseEnum", choices=Phase.choices, **kwargs)


# Entry visibility with names of its own, so partners read `3 - shared_upward`.
VISIBILITY_CHOICES = [
    (0, "private"),
    (1, "team"),
    (2, "cycle"),
    (3, "shared_upward"),
    (4, "workspace"),
]
