"""Cycles over the API: purpose, learning questions, status, and moves between phases (with
why now), through the same services as the web. Every member may read every cycle of the
workspace, as on the web; writes need `cycles.manage`."""

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cycles import services
from cycles.api.common import phase_field, renamed_errors
from cycles.api.entries import view_trust
from cycles.api.patterns import PatternsMixin
from cycles.models import Cycle, Phase, PhaseShift
from hls.api.base import (
    UPDATED_SINCE,
    CreateMixin,
    StrictModelSerializer,
    StrictSerializer,
    UpdateMixin,
    etag_for,
)
from hls.api.fields import ScopedIdField
from systems.models import System


class PhaseShiftSerializer(serializers.ModelSerializer):
    from_phase = phase_field(read_only=True)
    to_phase = phase_field(read_only=True)
    why = serializers.CharField(source="reason", read_only=True)

    class Meta:
        model = PhaseShift
        fields = ("id", "from_phase", "to_phase", "why", "shifted_by", "shifted_at")
        read_only_fields = fields


class CycleSerializer(StrictModelSerializer):
    system = ScopedIdField(System, lambda view: System.objects.all())
    phase = phase_field(required=False)
    status = serializers.ChoiceField(choices=Cycle.Status.choices, required=False)
    learning_questions = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    phase_shifts = PhaseShiftSerializer(many=True, read_only=True)

    class Meta:
        model = Cycle
        fields = (
            "id",
            "system",
            "name",
            "purpose",
            "learning_questions",
            "phase",
            "status",
            "phase_shifts",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "phase_shifts", "created_at", "updated_at")

    def to_representation(self, instance: Cycle) -> dict[str, Any]:
        """A person's cycle, seen from outside those who work with the person, comes by its
        pseudonymous name, and who moved its phase is named only inside it (cycles.trust), as
        on the web."""
        data: dict[str, Any] = super().to_representation(instance)
        view = self.context.get("view")
        if view is not None and not getattr(view, "swagger_fake_view", False):
            trust = view_trust(view)
            data["name"] = trust.cycle_name(instance)
            for shift in data["phase_shifts"]:
                if not trust.names_member(shift["shifted_by"], instance):
                    shift["shifted_by"] = None
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "phase" in attrs:
            raise serializers.ValidationError(
                {"phase": ["Move the cycle with POST /cycles/{id}/phase/, saying why now."]}
            )
        if self.instance is None and "status" in attrs:
            raise serializers.ValidationError({"status": ["A new cycle starts active."]})
        return attrs


class PhaseMoveSerializer(StrictSerializer):
    to = phase_field()
    why = serializers.CharField(max_length=10_000)


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class CycleViewSet(
    PatternsMixin, CreateMixin, UpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin
):
    """Learning cycles: one system's cycle, the phase it is mostly in and how it moved."""

    family = "cycles"
    resource = "cycles"
    write_capability = "cycles.manage"
    serializer_class = CycleSerializer
    filterset_fields = ("system", "status", "phase")

    def scoped_queryset(self) -> QuerySet[Cycle]:
        shifts = PhaseShift.objects.order_by("-shifted_at", "-pk")
        return Cycle.objects.select_related(
            "system__scale", "system__parent__scale"
        ).prefetch_related(Prefetch("phase_shifts", queryset=shifts))

    def create_object(self, data: dict[str, Any]) -> Cycle:
        return services.cycle_create(
            workspace=self.workspace,
            created_by=self.user,
            system=data["system"],
            name=data["name"],
            purpose=data["purpose"],
            learning_questions=data.get("learning_questions", ""),
            phase=data.get("phase", Phase.UNDERSTAND),
        )

    def update_object(self, instance: Cycle, data: dict[str, Any]) -> Cycle:
        services.cycle_update(
            workspace=self.workspace,
            cycle=instance,
            system=data.get("system", instance.system),
            name=data.get("name", instance.name),
            purpose=data.get("purpose", instance.purpose),
            learning_questions=data.get("learning_questions", instance.learning_questions),
            status=data.get("status", instance.status),
            updated_by=self.user,
        )
        return self.get_queryset().get(pk=instance.pk)

    @extend_schema(request=PhaseMoveSerializer, responses=CycleSerializer)
    @action(detail=True, methods=["post"])
    def phase(self, request: Request, pk: str | None = None) -> Response:
        """Move the cycle to another phase (any direction), saying why now."""
        found = get_object_or_404(self.get_queryset(), pk=pk)
        move = PhaseMoveSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        with transaction.atomic():
            cycle = Cycle.objects.select_for_update().get(workspace=self.workspace, pk=found.pk)
            with renamed_errors({"to_phase": "to", "reason": "why"}):
                services.cycle_shift_phase(
                    workspace=self.workspace,
                    cycle=cycle,
                    to_phase=move.validated_data["to"],
                    reason=move.validated_data["why"],
                    shifted_by=self.user,
                )
            self.audit("phase", cycle, to=move.validated_data["to"])
        data = self.get_serializer(self.get_queryset().get(pk=cycle.pk)).data
        return Response(data, headers={"ETag": etag_for(data)})
