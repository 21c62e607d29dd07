"""Experiments over the API: design, change while planned, start, end with an outcome and what
was learnt, through cycles/experiments/services.py. Once running, the design is fixed: a change
makes a new version (the response is that version; `previous_version` points back).

Only those inside the experiment's cycle design, change, start and end it (the services refuse
anyone else with 403); `owner` is null to a key whose member is not inside the cycle."""

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cycles.experiments import selectors, services
from cycles.experiments.services import ExperimentDesign
from cycles.models import Cycle, Experiment
from cycles.trust import Trust, trust_for
from hls.accounts.models import User
from hls.api.base import (
    UPDATED_SINCE,
    CreateMixin,
    StrictModelSerializer,
    StrictSerializer,
    UpdateMixin,
    etag_for,
)
from hls.api.fields import ChoiceOrNullField, ScopedIdField
from systems.models import Actor, Person
from systems.selectors import people_worked_with

TEXT_FIELDS = ("why", "prediction", "how_we_will_know", "safe_to_fail_limits")


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, max_length=services.TEXT_MAX, **kwargs
    )


class ExperimentSerializer(StrictModelSerializer):
    cycle = ScopedIdField(Cycle, lambda view: Cycle.objects.all())
    title = serializers.CharField(max_length=services.TITLE_MAX)
    what_we_will_try = serializers.CharField(max_length=services.TEXT_MAX)
    why = _text()
    prediction = _text(help_text="What we expect to happen: needed before it starts.")
    how_we_will_know = _text()
    safe_to_fail_limits = _text()
    owner = ScopedIdField(
        User,
        scope=lambda view: selectors.workspace_users(workspace=view.workspace),
        required=False,
        allow_null=True,
        help_text="The user id of someone inside the experiment's cycle (a member of it or of "
        "its team); the designer when empty. Returned as null to a key whose member is not "
        "inside the cycle: outside it, work shows the cycle, never the person.",
    )
    people = ScopedIdField(
        Person,
        scope=lambda view: people_worked_with(workspace=view.workspace, user=view.user),
        many=True,
        required=False,
        help_text="Pseudonymous ids of the people involved whom you work with (others involved "
        "are kept, and not shown).",
    )
    actors = ScopedIdField(Actor, lambda view: Actor.objects.all(), many=True, required=False)
    replaced_by = serializers.SerializerMethodField()
    outcome = ChoiceOrNullField(
        Experiment.Outcome.choices, help_text="How it ended; null until the experiment ends."
    )

    class Meta:
        model = Experiment
        fields = (
            "id",
            "cycle",
            "title",
            "what_we_will_try",
            "why",
            "prediction",
            "how_we_will_know",
            "safe_to_fail_limits",
            "starts_on",
            "ends_on",
            "owner",
            "people",
            "actors",
            "status",
            "outcome",
            "learnt",
            "version",
            "previous_version",
            "replaced_by",
            "copied_from",
            "started_at",
            "ended_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "id",
            "status",
            "outcome",
            "learnt",
            "version",
            "previous_version",
            "replaced_by",
            "copied_from",
            "started_at",
            "ended_at",
            "created_at",
            "updated_at",
        )

    def to_representation(self, instance: Experiment) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context["view"].trust.names_owner(instance):
            data["owner"] = None
        return data

    def get_replaced_by(self, experiment: Experiment) -> int | None:
        newer = getattr(experiment, "next_version", None)
        return newer.pk if newer is not None else None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "cycle" in attrs:
            raise serializers.ValidationError({"cycle": ["An experiment stays in its cycle."]})
        return attrs


class ExperimentFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(field_name="cycle_id")
    status = django_filters.ChoiceFilter(choices=Experiment.Status.choices)
    outcome = django_filters.ChoiceFilter(choices=Experiment.Outcome.choices)
    current = django_filters.BooleanFilter(
        field_name="next_version", lookup_expr="isnull", label="Only current versions"
    )

    class Meta:
        model = Experiment
        fields = ("cycle", "status", "outcome", "current")


class EndSerializer(StrictSerializer):
    outcome = serializers.ChoiceField(choices=Experiment.Outcome.choices)
    learnt = serializers.CharField(max_length=services.TEXT_MAX)


class NoBodySerializer(StrictSerializer):
    pass


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class ExperimentViewSet(CreateMixin, UpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Small safe-to-fail experiments, every version (filter `current=true` for the portfolio).
    `people` lists only those the key's member works with."""

    family = "cycles"
    resource = "experiments"
    write_capability = "cycles.manage"
    serializer_class = ExperimentSerializer
    filterset_class = ExperimentFilter

    @cached_property
    def trust(self) -> Trust:
        """Who the key's member may see named (cycles.trust), worked out once per request."""
        return trust_for(workspace=self.workspace, user=self.user)

    def scoped_queryset(self) -> QuerySet[Experiment]:
        seen = people_worked_with(workspace=self.workspace, user=self.user)
        return Experiment.objects.select_related("next_version", "cycle").prefetch_related(
            Prefetch("people", queryset=seen.order_by("reference", "pk")),
            Prefetch("actors", queryset=Actor.objects.order_by("name", "pk")),
        )

    def _design(self, data: dict[str, Any], current: Experiment | None = None) -> ExperimentDesign:
        def pick(name: str, default: Any) -> Any:
            if name in data:
                return data[name]
            return getattr(current, name) if current is not None else default

        return ExperimentDesign(
            title=pick("title", ""),
            what_we_will_try=pick("what_we_will_try", ""),
            **{name: pick(name, "") for name in TEXT_FIELDS},
            starts_on=pick("starts_on", None),
            ends_on=pick("ends_on", None),
            owner=pick("owner", None),
            people=list(
                pick("people", []) if "people" in data or current is None else current.people.all()
            ),
            actors=list(
                pick("actors", []) if "actors" in data or current is None else current.actors.all()
            ),
        )

    def create_object(self, data: dict[str, Any]) -> Experiment:
        experiment = services.experiment_create(
            workspace=self.workspace,
            cycle=data["cycle"],
            created_by=self.user,
            design=self._design(data),
        )
        return self.get_queryset().get(pk=experiment.pk)

    def update_object(self, instance: Experiment, data: dict[str, Any]) -> Experiment:
        saved = services.experiment_update(
            workspace=self.workspace,
            experiment=instance,
            editor=self.user,
            design=self._design(data, instance),
        )
        return self.get_queryset().get(pk=saved.pk)

    def _respond(self, experiment: Experiment) -> Response:
        data = self.get_serializer(self.get_queryset().get(pk=experiment.pk)).data
        return Response(data, headers={"ETag": etag_for(data)})

    @extend_schema(request=NoBodySerializer, responses=ExperimentSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Start a planned experiment: it needs a prediction and both dates. Its design is then
        fixed."""
        experiment = get_object_or_404(self.get_queryset(), pk=pk)
        NoBodySerializer(data=request.data or {}).is_valid(raise_exception=True)
        with transaction.atomic():
            started = services.experiment_start(
                workspace=self.workspace, experiment=experiment, started_by=self.user
            )
            self.audit("start", started)
        return self._respond(started)

    @extend_schema(request=EndSerializer, responses=ExperimentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End a running experiment with its outcome (amplify, adapt, stop_learnt: all of the
        same standing) and what was learnt."""
        experiment = get_object_or_404(self.get_queryset(), pk=pk)
        body = EndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            ended = services.experiment_end(
                workspace=self.workspace,
                experiment=experiment,
                ended_by=self.user,
                outcome=body.validated_data["outcome"],
                learnt=body.validated_data["learnt"],
            )
            self.audit("end", ended, outcome=ended.outcome)
        return self._respond(ended)
