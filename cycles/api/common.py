"""Pieces the cycles family's viewsets share: service errors renamed to the API's field
names, and named choice sets in the schema."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from cycles.models import Phase


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
