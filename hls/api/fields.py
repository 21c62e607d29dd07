"""Serializer fields every resource family shares."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers

from hls.api.base import ApiViewSet


class ScopedIdField(serializers.PrimaryKeyRelatedField):
    """An id looked up only among `scope(view)` (by default all of the model's rows), within
    the caller's workspace: anything else (another workspace's, one the caller may not use) is
    "invalid pk", a 400 with the field named, never looked up elsewhere."""

    def __init__(
        self, model: type[Model], scope: Callable[[Any], QuerySet] | None = None, **kwargs: Any
    ) -> None:
        self.scope = scope or (lambda view: model._default_manager.all())
        # The model's empty queryset tells the schema the id's type; `get_queryset` is the rule.
        self.empty: QuerySet = model._default_manager.none()
        super().__init__(queryset=self.empty, **kwargs)

    def get_queryset(self) -> QuerySet:
        view = self.context.get("view")
        if not isinstance(view, ApiViewSet) or getattr(view, "swagger_fake_view", False):
            return self.empty  # no caller (building the schema): nothing to choose from
        queryset = self.scope(view)
        if any(f.name == "workspace" for f in queryset.model._meta.get_fields()):
            queryset = queryset.filter(workspace=view.workspace)
        return queryset


class ChoiceOrNullField(serializers.ChoiceField):
    """A read-only choice that may not be made yet (an experiment's outcome before it ends):
    null on the wire, never "", so the schema says `nullable` and a generated client's enum
    holds only real choices (issue 11; docs/api.md, "Empty values")."""

    def __init__(self, choices: Any, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(choices, **kwargs)

    def to_representation(self, value: Any) -> Any:
        if value in ("", None):
            return None
        return super().to_representation(value)
