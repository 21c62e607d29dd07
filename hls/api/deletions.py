"""The deletions feed: tombstones of objects deleted since a time, for incremental sync."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.request import Request

from hls.api.base import RESOURCE_FAMILIES, ApiViewSet
from hls.api.scopes import allows
from hls.audit.models import Tombstone


class TombstoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tombstone
        fields = ("id", "resource", "object_id", "deleted_at")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "resource", str, description="e.g. entries; every readable one if absent"
            ),
            OpenApiParameter(
                "updated_since", str, description="Deleted after this instant (ISO 8601)."
            ),
        ]
    )
)
class DeletionViewSet(mixins.ListModelMixin, ApiViewSet):
    """What was deleted, oldest first. Keys see the deletions of the families they may read."""

    family = "deletions"
    resource = ""
    serializer_class = TombstoneSerializer
    updated_field = "deleted_at"
    ordering = ("deleted_at", "id")
    ordering_fields = ("deleted_at", "id")

    def check_permissions(self, request: Request) -> None:
        if getattr(request._request, "workspace", None) is None:
            raise exceptions.NotAuthenticated()
        self.check_throttles(request)

    def scoped_queryset(self) -> QuerySet[Tombstone]:
        scopes: Any = getattr(self.request.auth, "scopes", None)
        readable = [
            r for r, family in RESOURCE_FAMILIES.items() if allows(scopes, family, write=False)
        ]
        wanted = self.request.query_params.get("resource")
        if wanted is not None:
            if wanted not in RESOURCE_FAMILIES:
                raise exceptions.ValidationError({"resource": [_("Unknown resource.")]})
            readable = [r for r in readable if r == wanted]
        return Tombstone.objects.filter(resource__in=readable)
