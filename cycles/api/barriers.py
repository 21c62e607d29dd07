"""The barrier relay over the API (cycles/barriers/): barriers raised from or to the cycles the
key's member takes part in, each with every answer of its whole chain (as it was passed further
up), oldest first, each with the cycle that answered; raising a barrier entry to a cycle above;
answering one. The barrier's text travels only as the web lets it: while its entry is shared
upward (within the person's consent) or to its author. Person ids (who raised, who answered)
go only to those inside the cycle concerned (cycles.trust), as on the web."""

from functools import cached_property
from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cycles.api.common import NamedChoiceField
from cycles.barriers import selectors, services
from cycles.models import BarrierRoute, Cycle, Entry
from cycles.selectors import entries_visible_to
from cycles.trust import Trust, trust_for
from hls.api.base import (
    UPDATED_SINCE,
    CreateMixin,
    StrictModelSerializer,
    StrictSerializer,
    etag_for,
)
from hls.api.fields import ScopedIdField


def _state(**kwargs: Any) -> NamedChoiceField:
    return NamedChoiceField(
        component="BarrierStateEnum", choices=BarrierRoute.State.choices, **kwargs
    )


class AnswerSerializer(serializers.Serializer):
    """One answer at one level of the barrier's chain."""

    id = serializers.IntegerField(source="pk", read_only=True)
    barrier = serializers.IntegerField(
        source="route_id", read_only=True, help_text="The route (level) it answers."
    )
    cycle = serializers.IntegerField(
        source="cycle.pk", read_only=True, help_text="The cycle that answered (the level)."
    )
    state = _state(read_only=True)
    text = serializers.CharField(read_only=True)
    responded_by = serializers.IntegerField(
        source="responded_by.pk",
        read_only=True,
        allow_null=True,
        help_text="Who answered: only to members inside the answering cycle, else null.",
    )
    responded_at = serializers.DateTimeField(read_only=True)


class BarrierSerializer(StrictModelSerializer):
    entry = ScopedIdField(
        Entry,
        scope=lambda view: entries_visible_to(workspace=view.workspace, user=view.user).filter(
            kind=Entry.Kind.BARRIER
        ),
        help_text="The barrier entry to raise (kind barrier, shared upward).",
    )
    to_cycle = ScopedIdField(
        Cycle,
        scope=lambda view: Cycle.objects.all(),
        help_text="A cycle above the entry's cycle.",
    )
    state = _state(read_only=True)
    text = serializers.SerializerMethodField(
        help_text="The barrier's text, while its entry is shared upward (else null)."
    )
    answers = AnswerSerializer(
        many=True,
        read_only=True,
        source="chain.answers",
        help_text="Every answer of the barrier's whole chain (every level it was passed up to), "
        "oldest first.",
    )

    class Meta:
        model = BarrierRoute
        fields = (
            "id",
            "entry",
            "from_cycle",
            "to_cycle",
            "state",
            "text",
            "passed_from",
            "raised_by",
            "raised_at",
            "answers",
            "updated_at",
        )
        read_only_fields = (
            "id",
            "from_cycle",
            "state",
            "passed_from",
            "raised_by",
            "raised_at",
            "updated_at",
        )

    def get_text(self, route: BarrierRoute) -> str | None:
        return route.entry.text if getattr(route, "text_shown", False) else None

    def to_representation(self, instance: BarrierRoute) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context["view"].trust.inside(instance.from_cycle):
            data["raised_by"] = None  # named (and identified) only inside the raising cycle
        return data


class BarrierFilter(django_filters.FilterSet):
    from_cycle = django_filters.NumberFilter(field_name="from_cycle_id")
    to_cycle = django_filters.NumberFilter(field_name="to_cycle_id")
    entry = django_filters.NumberFilter(field_name="entry_id")
    state = django_filters.ChoiceFilter(choices=BarrierRoute.State.choices)

    class Meta:
        model = BarrierRoute
        fields = ("from_cycle", "to_cycle", "entry", "state")


class AnswerInputSerializer(StrictSerializer):
    state = NamedChoiceField(
        component="BarrierStateEnum",
        choices=BarrierRoute.State.choices,
        help_text="Any state but `raised`; `changed` and `cannot_change` need `text`.",
    )
    text = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    pass_to = ScopedIdField(
        Cycle,
        scope=lambda view: Cycle.objects.all(),
        required=False,
        allow_null=True,
        help_text="With cannot_change: pass it to a cycle further up.",
    )


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class BarrierViewSet(CreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Barriers on their way up (one per cycle they were raised to), with their answers. POST
    raises a barrier entry to a cycle above; `/answer/` answers one in your cycle's inbox."""

    family = "cycles"
    resource = "barriers"
    write_capability = "entries.create"
    serializer_class = BarrierSerializer
    filterset_class = BarrierFilter

    @cached_property
    def trust(self) -> Trust:
        """Who the key's member may see named (cycles.trust), worked out once per request."""
        return trust_for(workspace=self.workspace, user=self.user)

    def scoped_queryset(self) -> QuerySet[BarrierRoute]:
        visible = selectors.visible_route_ids(workspace=self.workspace, user=self.user)
        return selectors.routes_for_display(workspace=self.workspace, user=self.user).filter(
            pk__in=visible.values("pk")
        )

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        """Each route shown gets its chain (two queries for the whole page)."""
        if args and "data" not in kwargs:
            instance = args[0]
            routes = instance if isinstance(instance, list) else [instance]
            if routes and all(isinstance(r, BarrierRoute) for r in routes):
                selectors.with_chains(workspace=self.workspace, trust=self.trust, routes=routes)
        return super().get_serializer(*args, **kwargs)

    def create_object(self, data: dict[str, Any]) -> BarrierRoute:
        route = services.barrier_raise(
            workspace=self.workspace,
            entry=data["entry"],
            to_cycle=data["to_cycle"],
            raised_by=self.user,
        )
        shown = self.get_queryset().get(pk=route.pk)
        selectors.with_chains(workspace=self.workspace, trust=self.trust, routes=[shown])
        return shown

    @extend_schema(request=AnswerInputSerializer, responses=BarrierSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """Answer a barrier raised to your cycle (managers, stewards and admins who take part in
        it): acknowledged, working, changed (say what), cannot_change (say why; optionally
        `pass_to` a cycle further up)."""
        route = get_object_or_404(self.get_queryset(), pk=pk)
        body = AnswerInputSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            services.barrier_answer(
                workspace=self.workspace,
                route=route,
                answered_by=self.membership,
                state=body.validated_data["state"],
                text=body.validated_data.get("text", ""),
                pass_to=body.validated_data.get("pass_to"),
            )
            self.audit("answer", route, state=body.validated_data["state"])
        data = self.get_serializer(self.get_queryset().get(pk=route.pk)).data
        return Response(data, headers={"ETag": etag_for(data)})
