"""Serializer fields shared by the systems and people resources."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers


class WorkspacePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id of an object in the caller's workspace: another workspace's id is refused as if it
    did not exist (400 with the field named), never looked up elsewhere."""

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        assert queryset is not None  # every use of this field gives a queryset
        view = self.context.get("view")
        workspace = getattr(view, "workspace", None) if view is not None else None
        if workspace is None:
            return queryset.none()
        return queryset.filter(workspace=workspace)


class CreateOnlyFieldsMixin(serializers.Serializer):
    """Fields named in `Meta.create_only_fields` may be sent when creating, not when changing."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if self.instance is not None:
            sent = sorted(
                name
                for name in getattr(getattr(self, "Meta", None), "create_only_fields", ())
                if name in self.initial_data
            )
            if sent:
                raise serializers.ValidationError(
                    {name: [_("Set when it is created; it cannot be changed.")] for name in sent}
                )
        return attrs
