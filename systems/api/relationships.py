"""Links of a system map over the API: actor to actor, or factor to factor with a sign."""

from typing import Any, Literal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
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
from systems.models import Relationship, System

KIND_CHOICES = [("actor", _("Actor to actor")), ("factor", _("Factor to factor"))]
SIGN_CHOICES = [("", _("none")), *Relationship.Sign.choices]


class RelationshipSerializer(CreateOnlyFieldsMixin, StrictModelSerializer):
    system = ScopedIdField(System)
    kind = serializers.ChoiceField(
        choices=KIND_CHOICES, help_text=_("Whether `source` and `target` are actors or factors.")
    )
    source = serializers.IntegerField(  # type: ignore[assignment]
        min_value=1, help_text=_("The id of the actor or factor the link starts from.")
    )
    target = serializers.IntegerField(
        min_value=1, help_text=_("The id of the actor or factor the link goes to.")
    )
    sign = serializers.ChoiceField(
        choices=SIGN_CHOICES,
        required=False,
        allow_blank=True,
        help_text=_("+ strengthens, - weakens; required between factors."),
    )
    label = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, max_length=160
    )

    class Meta:
        model = Relationship
        fields = ("id", "system", "kind", "source", "target", "sign", "label", "updated_at")
        read_only_fields = ("id", "updated_at")
        create_only_fields = ("system",)

    def to_representation(self, instance: Relationship) -> dict[str, Any]:
        actor = instance.source_actor_id is not None
        return {
            "id": instance.pk,
            "system": instance.system_id,
            "kind": "actor" if actor else "factor",
            "source": instance.source_actor_id if actor else instance.source_factor_id,
            "target": instance.target_actor_id if actor else instance.target_factor_id,
            "sign": instance.sign,
            "label": instance.label,
            "updated_at": serializers.DateTimeField().to_representation(instance.updated_at),
        }


def _ends(data: dict[str, Any], current: dict[str, Any]) -> tuple[services.NodeRef, ...]:
    """The (kind, id) of both ends: what was sent, else what the link has now."""
    sent = {**current, **{k: v for k, v in data.items() if k in ("kind", "source", "target")}}
    kind: Literal["actor", "factor"] = sent["kind"]
    return (kind, sent["source"]), (kind, sent["target"])


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class RelationshipViewSet(
    CreateMixin,
    UpdateMixin,
    DestroyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
):
    """Links between two actors or two factors of the same system's map. Filter with
    `?system=<id>`. A link between factors needs a sign."""

    family = "systems"
    resource = "relationships"
    write_capability = "systems.manage"
    serializer_class = RelationshipSerializer
    filterset_fields = ("system",)
    ordering_fields = ("updated_at", "id")

    def scoped_queryset(self) -> QuerySet[Relationship]:
        return Relationship.objects.filter(workspace=self.workspace)

    def create_object(self, data: dict[str, Any]) -> Relationship:
        source, target = _ends(data, {})
        return services.relationship_create(
            workspace=self.workspace,
            system=data["system"],
            source=source,
            target=target,
            sign=data.get("sign", ""),
            label=data.get("label", ""),
        )

    def update_object(self, instance: Relationship, data: dict[str, Any]) -> Relationship:
        current = RelationshipSerializer(instance).data
        if (
            "kind" in data
            and data["kind"] != current["kind"]
            and not {"source", "target"} <= set(data)
        ):
            raise serializers.ValidationError(
                {"kind": [_("To change the kind, send a new source and target too.")]}
            )
        source, target = _ends(data, current)
        return services.relationship_update(
            workspace=self.workspace,
            relationship=instance,
            source=source,
            target=target,
            sign=data.get("sign", current["sign"]),
            label=data.get("label", current["label"]),
        )

    def destroy_object(self, instance: Relationship) -> None:
        services.relationship_delete(workspace=self.workspace, relationship=instance)
