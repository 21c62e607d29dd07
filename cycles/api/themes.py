"""Themes over the API: the workspace's shared vocabulary. The pattern every resource follows:
a strict serializer for the shape, a viewset whose writes call the same services as the web."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from cycles.models import Theme
from cycles.themes import services
from hls.api.base import UPDATED_SINCE, CreateMixin, StrictModelSerializer, UpdateMixin


class ThemeSerializer(StrictModelSerializer):
    kind = serializers.ChoiceField(choices=Theme.Kind.choices)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    class Meta:
        model = Theme
        fields = ("id", "name", "kind", "description", "merged_into", "created_at", "updated_at")
        read_only_fields = ("id", "merged_into", "created_at", "updated_at")
        # Uniqueness is the service's to judge (with a message that says which theme to use).
        validators: list[Any] = []
        extra_kwargs: dict[str, Any] = {"name": {"validators": []}}


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class ThemeViewSet(CreateMixin, UpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Themes: problems and aspirations in common. Merged themes stay readable."""

    family = "cycles"
    resource = "themes"
    write_capability = "themes.manage"
    serializer_class = ThemeSerializer
    filterset_fields = ("kind",)

    def scoped_queryset(self) -> QuerySet[Theme]:
        return Theme.objects.all()

    def create_object(self, data: dict[str, Any]) -> Theme:
        return services.theme_create(
            workspace=self.workspace,
            created_by=self.user,
            name=data["name"],
            kind=data["kind"],
            description=data.get("description", ""),
        )

    def update_object(self, instance: Theme, data: dict[str, Any]) -> Theme:
        return services.theme_update(
            workspace=self.workspace,
            theme=instance,
            changed_by=self.user,
            name=data.get("name", instance.name),
            kind=data.get("kind", instance.kind),
            description=data.get("description", instance.description),
        )
