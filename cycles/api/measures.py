"""Measures over the API (issue 16): a cycle's measures, their data points and their signals,
through cycles/measures/services.py and selectors.py, the rules the web uses.

A key acting as a member reads exactly the measures whose values that member sees on the web
(`measures_visible_to`); a measure the member sees only as shared upward is not among them: the
cycles above learn of it from `/measures/signals/` (`signals_from_below`), its signal in words
and the cycle's own note, never its values. Only those inside a measure's cycle create, change
or add values to it (the services refuse anyone else with 403). A measure has no target,
threshold, status or rank, here as anywhere."""

from decimal import Decimal
from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cycles.api.common import VISIBILITY_CHOICES, NamedChoiceField
from cycles.measures import selectors, services
from cycles.models import Cycle, DataPoint, Measure
from hls.api.base import (
    UPDATED_SINCE,
    CreateMixin,
    StrictModelSerializer,
    UpdateMixin,
    etag_for,
)
from hls.api.fields import ScopedIdField
from systems.models import Person, ShareLevel
from systems.people.selectors import people_visible_to
from systems.selectors import systems_worked_in

NUMBER_OR_TEXT = {
    "oneOf": [{"type": "number"}, {"type": "string"}],
    "description": 'A number (12, 12.5) or a string holding one ("1,240"); read back as a '
    'string with no rounding, e.g. "1240".',
}


@extend_schema_field(NUMBER_OR_TEXT)
class ValueField(serializers.Field):
    """A value as JSON sends it, a number or a string holding one, handed to the service as
    it came: `services.parse_value` says what is not a number, in the web form's words."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            raise serializers.ValidationError(_("Give a number, for example 12 or 12.5."))
        return data

    def to_representation(self, value: Decimal) -> str:
        normal = value.normalize()
        return f"{normal:f}"


class SignalSerializer(serializers.Serializer):
    kinds = serializers.ListField(
        child=serializers.CharField(),
        help_text="The signals the measure shows now, in words (a shift, unusually few "
        "crossings, a point beyond the limits); empty when it shows none, or has fewer than "
        "10 values. Never good or bad.",
    )
    note = serializers.CharField(help_text="The cycle's own words on what its chart shows.")
    note_at = serializers.DateTimeField(allow_null=True)


class MeasureSerializer(StrictModelSerializer):
    cycle = ScopedIdField(Cycle, lambda view: Cycle.objects.all())
    name = serializers.CharField(max_length=services.NAME_MAX)
    unit = serializers.CharField(max_length=services.UNIT_MAX, required=False, allow_blank=True)
    learning_question = serializers.CharField(
        help_text="What it is for: the question it helps the cycle learn about (required)."
    )
    how_collected = serializers.CharField(required=False, allow_blank=True)
    chart = serializers.ChoiceField(choices=Measure.Chart.choices, required=False)
    visibility = NamedChoiceField(
        component="MeasureVisibilityEnum",
        choices=VISIBILITY_CHOICES,
        required=False,
        help_text="0 private, 1 team (default), 2 cycle, 3 shared upward (the cycles above "
        "learn of its signal and note only, never its values), 4 workspace. Never past the "
        "consent of the person it concerns.",
    )
    effective_visibility = serializers.SerializerMethodField(
        help_text="Who can see it now: `visibility` capped by the consent of the person it "
        "concerns."
    )
    person = ScopedIdField(
        Person,
        scope=lambda view: people_visible_to(workspace=view.workspace, user=view.user),
        required=False,
        allow_null=True,
        help_text="The pseudonymous id of the person it concerns (set when it is made).",
    )
    signal_note = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The cycle's own words on what its chart shows; it travels up with the "
        "signal, never the values.",
    )
    archived = serializers.BooleanField(
        required=False, help_text="Put away (kept, with its values)."
    )
    signal = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = (
            "id",
            "cycle",
            "name",
            "unit",
            "learning_question",
            "how_collected",
            "chart",
            "visibility",
            "effective_visibility",
            "person",
            "signal_note",
            "signal",
            "archived",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "effective_visibility", "signal", "created_at", "updated_at")

    @extend_schema_field(serializers.IntegerField(min_value=0, max_value=4))
    def get_effective_visibility(self, measure: Measure) -> int:
        level = getattr(measure, "level", None)
        return int(level if level is not None else measure.visibility)

    @extend_schema_field(SignalSerializer)
    def get_signal(self, measure: Measure) -> dict[str, Any]:
        values = [p.value for p in measure.points.all()]  # prefetched, oldest first
        return SignalSerializer(
            {
                "kinds": list(selectors.current_signal_words(measure.chart, values)),
                "note": measure.signal_note,
                "note_at": measure.signal_note_at,
            }
        ).data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            fixed = sorted({"cycle", "person"} & set(attrs))
            if fixed:
                raise serializers.ValidationError(
                    {name: [_("A measure stays with what it was made for.")] for name in fixed}
                )
        return attrs


class DataPointSerializer(StrictModelSerializer):
    value = ValueField()
    on = serializers.DateField(
        required=False, help_text="The day (default: today). Never a day to come; one a day."
    )
    note = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = DataPoint
        fields = ("id", "measure", "on", "value", "note", "created_at")
        read_only_fields = ("id", "measure", "created_at")


class SignalFromBelowSerializer(serializers.Serializer):
    cycle = serializers.IntegerField(help_text="The cycle below whose measure shows it.")
    measure = serializers.IntegerField()
    measure_name = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()
    note_at = serializers.DateTimeField(allow_null=True)


class MeasureFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(field_name="cycle_id")
    person = django_filters.NumberFilter(field_name="person_id")
    archived = django_filters.BooleanFilter()

    class Meta:
        model = Measure
        fields = ("cycle", "person", "archived")


CYCLE_PARAMETER = OpenApiParameter(
    "cycle",
    int,
    description="The cycle above: signals of the measures in the cycles below it. Without it, "
    "below every cycle of the systems you work in.",
)


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class MeasureViewSet(CreateMixin, UpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """A cycle's measures kept to learn, as the key's member sees their values on the web.
    `signal` is what each shows now, in words; `/measures/signals/` what the cycles below
    show, for those above them."""

    family = "measures"
    resource = "measures"
    write_capability = "entries.create"
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter

    @cached_property
    def worked_in(self) -> set[int]:
        return systems_worked_in(workspace=self.workspace, user=self.user)

    def scoped_queryset(self) -> QuerySet[Measure]:
        return selectors.measures_visible_to(
            workspace=self.workspace, user=self.user, worked_in=self.worked_in
        ).prefetch_related(
            Prefetch("points", queryset=DataPoint.objects.order_by("on").only("measure", "value"))
        )

    def create_object(self, data: dict[str, Any]) -> Measure:
        measure = services.measure_create(
            workspace=self.workspace,
            cycle=data["cycle"],
            user=self.user,
            name=data["name"],
            learning_question=data["learning_question"],
            unit=data.get("unit", ""),
            how_collected=data.get("how_collected", ""),
            chart=data.get("chart", Measure.Chart.RUN),
            visibility=data.get("visibility", ShareLevel.TEAM),
            person=data.get("person"),
        )
        if data.get("signal_note"):
            services.signal_note_set(
                workspace=self.workspace, measure=measure, user=self.user, note=data["signal_note"]
            )
        return self.get_queryset().get(pk=measure.pk)

    def update_object(self, instance: Measure, data: dict[str, Any]) -> Measure:
        described = set(data) & set(services.MEASURE_FIELDS)
        if described:
            services.measure_update(
                workspace=self.workspace,
                measure=instance,
                user=self.user,
                **{
                    name: data.get(name, getattr(instance, name))
                    for name in services.MEASURE_FIELDS
                },
            )
        if "signal_note" in data:
            services.signal_note_set(
                workspace=self.workspace, measure=instance, user=self.user, note=data["signal_note"]
            )
        if "archived" in data:
            services.measure_archive(
                workspace=self.workspace,
                measure=instance,
                user=self.user,
                archived=data["archived"],
            )
        return self.get_queryset().get(pk=instance.pk)

    @extend_schema(
        methods=["get"],
        responses=DataPointSerializer(many=True),
        description="The measure's values, oldest first (one a day, all of them).",
    )
    @extend_schema(
        methods=["post"],
        request=DataPointSerializer,
        responses={201: DataPointSerializer},
        description="Add one value on one day (today unless `on` is given). Not a number, a "
        "day to come or a second value on a day: 400 naming `value` or `on`.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="points",
        pagination_class=None,
        filter_backends=(),
    )
    def points(self, request: Request, pk: str | None = None) -> Response:
        measure = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "GET":
            points = selectors.points_of(workspace=self.workspace, measure=measure)
            return Response(DataPointSerializer(points, many=True).data)
        body = DataPointSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        point = services.point_add(  # its refusals name `value` or `on`, as the API does
            workspace=self.workspace,
            measure=measure,
            user=self.user,
            value=body.validated_data["value"],
            on=body.validated_data.get("on"),
            note=body.validated_data.get("note", ""),
        )
        self.audit("point_add", measure, point=point.pk, on=str(point.on))
        data = DataPointSerializer(point).data
        return Response(data, status=201, headers={"ETag": etag_for(data)})

    @extend_schema(
        parameters=[CYCLE_PARAMETER],
        responses=SignalFromBelowSerializer(many=True),
        description="Which measures of the cycles below show a signal now, in words, with "
        "their cycle's own note: those shared upward or wider, never a person's own cycle's, "
        "never their values.",
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="signals",
        filterset_class=None,
        pagination_class=None,
    )
    def signals(self, request: Request) -> Response:
        raw = request.query_params.get("cycle")
        if raw is not None and not raw.isdigit():
            raise exceptions.ValidationError({"cycle": [_("Give an id (a whole number).")]})
        cycles = Cycle.objects.filter(workspace=self.workspace)
        if raw is not None:
            above = [get_object_or_404(cycles, pk=int(raw))]
        else:
            above = list(cycles.filter(system_id__in=self.worked_in).order_by("name", "pk"))
        found: dict[int, selectors.Signal] = {}
        for cycle in above:
            for signal in selectors.signals_from_below(
                workspace=self.workspace, user=self.user, cycle=cycle, worked_in=self.worked_in
            ):
                found.setdefault(signal.measure_id, signal)
        rows = [
            {
                "cycle": s.cycle.pk,
                "measure": s.measure_id,
                "measure_name": s.measure_name,
                "kinds": list(s.kinds),
                "note": s.note,
                "note_at": s.note_at,
            }
            for s in found.values()
        ]
        return Response(SignalFromBelowSerializer(rows, many=True).data)
