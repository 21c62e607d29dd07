"""Factors of a system map over the API (causes that shape the outcome)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from hls.api.base import (
    UPDATED_SINCE,
    CreateMixin,
    DestroyMixin,
    StrictModelSerializer,
    UpdateMixin,
)
from hls.api.fields import ScopedIdField
from systems import services
from systems.api.fields import CreateOnlyFieldsMixin
from systems.models import Factor, System


class FactorSerializer(CreateOnlyFieldsMixin, StrictModelSerializer):
    system = ScopedIdField(System)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    class Meta:
        model = Factor
        fields = ("id", "system", "name", "description", "updated_at")
        read_only_fields = ("id", "updated_at")
        create_only_fields = ("system",)


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class FactorViewSet(
    CreateMixin,
    UpdateMixin,
    DestroyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
):
    """Factors on system maps. Filter with `?system=<id>`. Deleting a factor deletes its links
    too; both show in /deletions/."""

    family = "systems"
    resource = "factors"
    write_capability = "systems.manage"
    serializer_class = FactorSerializer
    filterset_fields = ("system",)
    ordering_fields = ("updated_at", "id")

    def scoped_queryset(self) -> QuerySet[Factor]:
        return Factor.objects.filter(workspace=self.workspace)

    def create_object(self, data: dict[str, Any]) -> Factor:
        return services.factor_create(
            workspace=self.workspace,
            system=data["system"],
            name=data["name"],
            description=data.get("description", ""),
        )

    def update_object(self, instance: Factor, data: dict[str, Any]) -> Factor:
        return services.factor_update(
            workspace=self.workspace,
            factor=instance,
            name=data.get("name", instance.name),
            description=data.get("description", instance.description),
        )

    def destroy_object(self, instance: Factor) -> None:
        services.factor_delete(workspace=self.workspace, factor=instance)
