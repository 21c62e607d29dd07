"""Scales over the API: the workspace's ordered vocabulary of system scales."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from hls.api.base import UPDATED_SINCE, CreateMixin, StrictModelSerializer, UpdateMixin
from systems import selectors, services
from systems.models import Scale


class ScaleSerializer(StrictModelSerializer):
    class Meta:
        model = Scale
        fields = ("id", "name", "position", "is_person_scale", "updated_at")
        read_only_fields = ("id", "position", "is_person_scale", "updated_at")
        # Uniqueness (case-insensitive) is the service's to judge, with its own message.
        validators: list[Any] = []
        extra_kwargs: dict[str, Any] = {"name": {"validators": []}}


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class ScaleViewSet(CreateMixin, UpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Scales, smallest (a person's life) first by `position`. A new workspace gets the default
    scales the first time they are listed, as on the web."""

    family = "systems"
    resource = "scales"
    write_capability = "scales.manage"
    serializer_class = ScaleSerializer
    ordering_fields = ("updated_at", "position", "id")

    def scoped_queryset(self) -> QuerySet[Scale]:
        return selectors.scales_of(workspace=self.workspace)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.scales_ensure_defaults(workspace=self.workspace)
        return super().list(request, *args, **kwargs)

    def create_object(self, data: dict[str, Any]) -> Scale:
        return services.scale_create(workspace=self.workspace, name=data["name"])

    def update_object(self, instance: Scale, data: dict[str, Any]) -> Scale:
        if "name" in data:
            services.scale_rename(workspace=self.workspace, scale=instance, name=data["name"])
        return instance
