"""Enablers over the API: what a cycle does to enable the cycles below it (a resource, a
permission, a rule change), for a barrier in its inbox and/or for chosen cycles below. Listed
for every member, as on the web's cycle pages; recorded by those who take part in the cycle."""

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.db.models import Exists, OuterRef, Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from cycles.barriers import services
from cycles.models import BarrierRoute, Cycle, Enabler, EnablerTarget
from hls.api.base import UPDATED_SINCE, CreateMixin, StrictModelSerializer
from hls.api.fields import ScopedIdField


class EnablerSerializer(StrictModelSerializer):
    cycle = ScopedIdField(Cycle, lambda view: Cycle.objects.all(), help_text="The cycle enabling.")
    kind = serializers.ChoiceField(choices=Enabler.Kind.choices)
    text = serializers.CharField(max_length=10_000)
    barrier_route = ScopedIdField(
        BarrierRoute,
        scope=lambda view: BarrierRoute.objects.all(),
        required=False,
        allow_null=True,
        help_text="A barrier raised to `cycle` that this answers.",
    )
    for_cycles = ScopedIdField(
        Cycle,
        scope=lambda view: Cycle.objects.all(),
        many=True,
        required=False,
        help_text="Cycles below `cycle` it is for.",
    )

    class Meta:
        model = Enabler
        fields = (
            "id",
            "cycle",
            "kind",
            "text",
            "barrier_route",
            "for_cycles",
            "created_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_by", "created_at", "updated_at")


class EnablerFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(field_name="cycle_id", label="Provided by this cycle")
    for_cycle = django_filters.NumberFilter(
        method="filter_for_cycle",
        label="Received by this cycle: aimed at it, or answering a barrier it raised",
    )

    class Meta:
        model = Enabler
        fields = ("cycle", "for_cycle")

    def filter_for_cycle(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        # The rule of cycles.barriers.selectors.enablers_received, by id.
        aimed = EnablerTarget.objects.filter(cycle_id=value, enabler=OuterRef("pk"))
        return queryset.filter(Exists(aimed) | Q(barrier_route__from_cycle_id=value)).exclude(
            cycle_id=value
        )


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class EnablerViewSet(CreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """What cycles do to enable the cycles below them."""

    family = "cycles"
    resource = "enablers"
    write_capability = "cycles.manage"
    serializer_class = EnablerSerializer
    filterset_class = EnablerFilter

    def scoped_queryset(self) -> QuerySet[Enabler]:
        return Enabler.objects.prefetch_related("for_cycles")

    def create_object(self, data: dict[str, Any]) -> Enabler:
        enabler = services.enabler_create(
            workspace=self.workspace,
            cycle=data["cycle"],
            created_by=self.membership,
            kind=data["kind"],
            text=data["text"],
            barrier_route=data.get("barrier_route"),
            for_cycles=data.get("for_cycles", ()),
        )
        return self.get_queryset().get(pk=enabler.pk)
