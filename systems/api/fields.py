"""Serializer fields shared by the systems and people resources."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers


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
