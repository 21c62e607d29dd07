"""Systems of interest over the API: the same services as the web (boundary changes keep their
history and need a reason)."""

from functools import cached_property
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from hls.api.base import UPDATED_SINCE, CreateMixin, StrictModelSerializer, UpdateMixin
from hls.api.fields import ScopedIdField
from hls.tenancy.models import Organisation
from systems import selectors, services
from systems.models import Scale, System


class SystemSerializer(StrictModelSerializer):
    scale = ScopedIdField(Scale)
    parent = ScopedIdField(  # type: ignore[assignment]  # (Field.parent: a name)
        System,
        allow_null=True,
        required=False,
        help_text=_("The system this one sits inside, or null."),
    )
    organisations = ScopedIdField(
        Organisation,
        many=True,
        required=False,
        help_text=_("Member organisations (ids). Sending the list replaces it."),
    )
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_(
            "Why the boundary changes (purpose, parent, scale, organisations): required on PATCH "
            "when one of them changes; kept in the system's history."
        ),
    )

    class Meta:
        model = System
        fields = (
            "id",
            "name",
            "scale",
            "purpose",
            "parent",
            "organisations",
            "reason",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")

    def to_representation(self, instance: System) -> dict[str, Any]:
        """A person's life, seen from outside those who work in it, by its pseudonymous name."""
        data: dict[str, Any] = super().to_representation(instance)
        view = self.context.get("view")
        if view is not None and not getattr(view, "swagger_fake_view", False):
            data["name"] = selectors.system_name_for(instance, worked_in=view.worked_in)
        return data


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class SystemViewSet(CreateMixin, UpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Systems of interest: every member may read them; those who manage systems change them.
    There is no DELETE: the web does not delete systems either."""

    family = "systems"
    resource = "systems"
    write_capability = "systems.manage"
    serializer_class = SystemSerializer
    filterset_fields = ("scale", "parent")

    @cached_property
    def worked_in(self) -> set[int]:
        return selectors.systems_worked_in(workspace=self.workspace, user=self.user)

    def scoped_queryset(self) -> QuerySet[System]:
        return (
            System.objects.filter(workspace=self.workspace)
            .select_related("scale", "parent__scale")
            .prefetch_related(
                Prefetch("organisations", queryset=Organisation.objects.order_by("pk"))
            )
        )

    def create_object(self, data: dict[str, Any]) -> System:
        services.scales_ensure_defaults(workspace=self.workspace)
        system = services.system_create(
            workspace=self.workspace,
            created_by=self.user,
            data=services.SystemInput(
                name=data["name"],
                scale=data["scale"],
                purpose=data["purpose"],
                parent=data.get("parent"),
                organisations=data.get("organisations", []),
            ),
        )
        return self.get_queryset().get(pk=system.pk)

    def update_object(self, instance: System, data: dict[str, Any]) -> System:
        current = selectors.system_with_people(workspace=self.workspace, system_id=instance.pk)
        services.system_update(
            workspace=self.workspace,
            system=current,
            changed_by=self.user,
            data=services.SystemInput(
                name=data.get("name", current.name),
                scale=data.get("scale", current.scale),
                purpose=data.get("purpose", current.purpose),
                parent=data.get("parent", current.parent),
                organisations=data.get("organisations", list(current.organisations.all())),
                members=list(current.members.all()),  # the team is kept as it is
            ),
            reason=data.get("reason", ""),
        )
        return self.get_queryset().get(pk=instance.pk)
