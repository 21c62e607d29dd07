"""Actors of a system map over the API (a person, group, organisation or service)."""

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
from systems.models import Actor, Participation, System


class ActorSerializer(CreateOnlyFieldsMixin, StrictModelSerializer):
    system = ScopedIdField(System)
    kind = serializers.ChoiceField(choices=Actor.Kind.choices)
    role = serializers.CharField(required=False, allow_blank=True, max_length=240)
    participation = serializers.ChoiceField(choices=Participation.choices, required=False)

    class Meta:
        model = Actor
        fields = ("id", "system", "name", "kind", "role", "participation", "updated_at")
        read_only_fields = ("id", "updated_at")
        create_only_fields = ("system",)


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class ActorViewSet(
    CreateMixin,
    UpdateMixin,
    DestroyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
):
    """Actors on system maps. Filter with `?system=<id>`. Deleting an actor deletes its links
    too; both show in /deletions/."""

    family = "systems"
    resource = "actors"
    write_capability = "systems.manage"
    serializer_class = ActorSerializer
    filterset_fields = ("system", "kind")
    ordering_fields = ("updated_at", "id")

    def scoped_queryset(self) -> QuerySet[Actor]:
        return Actor.objects.filter(workspace=self.workspace)

    def create_object(self, data: dict[str, Any]) -> Actor:
        return services.actor_create(
            workspace=self.workspace,
            system=data["system"],
            name=data["name"],
            kind=data["kind"],
            role=data.get("role", ""),
            participation=data.get("participation", Participation.NOT_YET),
        )

    def update_object(self, instance: Actor, data: dict[str, Any]) -> Actor:
        return services.actor_update(
            workspace=self.workspace,
            actor=instance,
            name=data.get("name", instance.name),
            kind=data.get("kind", instance.kind),
            role=data.get("role", instance.role),
            participation=data.get("participation", instance.participation),
        )

    def destroy_object(self, instance: Actor) -> None:
        services.actor_delete(workspace=self.workspace, actor=instance)
