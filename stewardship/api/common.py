"""Pieces the stewardship viewsets share: ids resolved only among what the caller may use,
datetimes that must say their offset, and API links that exist only once their route does."""

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """A moment with its offset (a naive time would be read in the server's zone)."""

    default_error_messages = {
        "naive": _("Give the time with its offset, e.g. 2026-11-03T10:00:00Z."),
    }

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            from django.utils.dateparse import parse_datetime

            parsed = parse_datetime(value.strip())
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


def api_path(name: str, pk: int | None) -> str | None:
    """The API path of a related object, when that resource is served (else None)."""
    if pk is None:
        return None
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None
