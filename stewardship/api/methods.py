"""Guided methods over the API: the workspace's own method templates (written, adapted from a
built-in, versioned), the built-ins (read-only), and method runs: started after the picker's
questions, answered as the key's member taking part, completed (what the run writes goes into
the cycle, each output a link to its entry or experiment; the `method_run.completed` webhook
event names the run's path here).

A run is shown as the key's member sees it on its page: their own answers, the group's, and
others' answers only as the step allows (a private step's answers never before it is revealed;
a "spread" step's only as counts, unattributed). Who may do what: stewardship/methods/rules.py
and the services (403 otherwise)."""

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cycles.models import Cycle, Phase
from hls.api.base import (
    UPDATED_SINCE,
    CreateMixin,
    StrictModelSerializer,
    StrictSerializer,
    UpdateMixin,
    etag_for,
)
from hls.api.fields import ScopedIdField
from stewardship.api.common import api_path
from stewardship.methods import library, selectors, services
from stewardship.methods.builtin import BUILTINS
from stewardship.methods.services import TemplateFields
from stewardship.models import MethodRun, MethodTemplate, RunAnswer, RunOutput
from stewardship.questions.seed import SCALE_NAMES

SCALES = [(key, names[0]) for key, names in SCALE_NAMES.items()]


# --- Templates -----------------------------------------------------------------------------------


class MethodTemplateSerializer(StrictModelSerializer):
    copy = serializers.CharField(
        write_only=True,
        required=False,
        help_text="A built-in's key (see /method-templates/builtins/): copy it into the "
        "workspace's own templates, to adapt. Sent alone.",
    )
    name = serializers.CharField(required=False, max_length=160)
    summary = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(required=False, allow_blank=True, max_length=400)  # type: ignore[assignment]
    phases = serializers.ListField(
        child=serializers.ChoiceField(choices=Phase.choices), required=False
    )
    scales = serializers.ListField(
        child=serializers.ChoiceField(choices=SCALES),
        required=False,
        help_text="Scale keys it fits; empty: any.",
    )
    definition = serializers.JSONField(
        required=False,
        help_text="The steps, as data (docs/methods.md). Checked: a refusal lists each "
        "problem, naming its step and field, under `errors.definition`.",
    )
    archived = serializers.BooleanField(
        required=False, help_text="Archived templates are not offered for new runs."
    )

    class Meta:
        model = MethodTemplate
        fields = (
            "id",
            "name",
            "summary",
            "source",
            "phases",
            "scales",
            "definition",
            "version",
            "archived",
            "copied_from",
            "copy",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "version", "copied_from", "created_at", "updated_at")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "copy" in attrs:
            if self.instance is not None:
                raise serializers.ValidationError({"copy": [_("Copy only when creating.")]})
            others = sorted(set(attrs) - {"copy"})
            if others:
                raise serializers.ValidationError(
                    {
                        name: [_("Copy a built-in on its own; change it afterwards.")]
                        for name in others
                    }
                )
        elif self.instance is None:
            missing = [n for n in ("name", "phases", "definition") if n not in attrs]
            if missing:
                raise serializers.ValidationError(
                    {name: [_("This field is required.")] for name in missing}
                )
        return attrs


class BuiltinSerializer(serializers.Serializer):
    key = serializers.CharField()
    version = serializers.IntegerField()
    name = serializers.CharField()
    summary = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    phases = serializers.ListField(child=serializers.CharField())
    scales = serializers.ListField(child=serializers.CharField())
    minutes = serializers.IntegerField(help_text="About how long a run takes.")
    definition = serializers.JSONField()


class BuiltinListSerializer(serializers.Serializer):
    results = BuiltinSerializer(many=True)


@extend_schema_view(
    list=extend_schema(parameters=[UPDATED_SINCE]),
    create=extend_schema(
        description="Write a method (name, phases and definition needed), or copy a built-in "
        'with `{"copy": "<key>"}` alone.'
    ),
    partial_update=extend_schema(
        description="Change a template. A change of its name or steps is a new version; runs "
        "in progress keep the version they started with."
    ),
)
class MethodTemplateViewSet(
    CreateMixin, UpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin
):
    """The workspace's own method templates (archived ones too: filter `archived`)."""

    family = "methods"
    resource = "method-templates"
    write_capability = "methods.manage"
    serializer_class = MethodTemplateSerializer
    filterset_fields = ("archived",)

    def scoped_queryset(self) -> QuerySet[MethodTemplate]:
        return MethodTemplate.objects.all()

    def create_object(self, data: dict[str, Any]) -> MethodTemplate:
        if "copy" in data:
            try:
                return services.template_copy(
                    workspace=self.workspace, user=self.user, key=data["copy"]
                )
            except ValidationError as error:
                raise ValidationError({"copy": error.messages}) from error
        return services.template_create(
            workspace=self.workspace,
            user=self.user,
            fields=TemplateFields(
                name=data["name"],
                summary=data.get("summary", ""),
                source=data.get("source", ""),
                phases=data["phases"],
                scales=data.get("scales", []),
                definition=data["definition"],
            ),
        )

    def update_object(self, instance: MethodTemplate, data: dict[str, Any]) -> MethodTemplate:
        with transaction.atomic():
            saved = services.template_update(
                workspace=self.workspace,
                template=instance,
                user=self.user,
                fields=TemplateFields(
                    name=data.get("name", instance.name),
                    summary=data.get("summary", instance.summary),
                    source=data.get("source", instance.source),
                    phases=data.get("phases", instance.phases),
                    scales=data.get("scales", instance.scales),
                    definition=data.get("definition", instance.definition),
                ),
            )
            if "archived" in data and data["archived"] != saved.archived:
                saved = services.template_set_archived(
                    workspace=self.workspace, template=saved, archived=data["archived"]
                )
        return saved

    @extend_schema(responses=BuiltinListSerializer)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def builtins(self, request: Request) -> Response:
        """The built-in methods (the same for every workspace), each attributed to its sources:
        run one as it is (`builtin` of a new run) or copy it to adapt (`copy`)."""
        rows = [
            {
                "key": b.key,
                "version": b.version,
                "name": b.name,
                "summary": b.summary,
                "source": b.source,
                "phases": list(b.phases),
                "scales": list(b.scales),
                "minutes": b.minutes,
                "definition": b.definition,
            }
            for b in BUILTINS.values()
        ]
        return Response(BuiltinListSerializer({"results": rows}).data)


# --- Runs ----------------------------------------------------------------------------------------


class SeenAnswerSerializer(serializers.Serializer):
    by = serializers.CharField(help_text="The participant's name as the group sees it.")
    mine = serializers.BooleanField(help_text="The key's member's own answer.")
    shared = serializers.BooleanField(help_text="Its author chose to let the group see it.")
    data = serializers.JSONField()  # type: ignore[assignment]


class SpreadSerializer(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()


class StepSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    who = serializers.ChoiceField(choices=["facilitator", "each", "group"])
    private = serializers.BooleanField()
    revealed = serializers.BooleanField()
    answered = serializers.IntegerField(help_text="How many participants answered.")
    group = serializers.JSONField(
        allow_null=True, help_text="The group's (or facilitator's) answer."
    )
    answers = SeenAnswerSerializer(many=True)
    spread = serializers.DictField(
        child=SpreadSerializer(many=True),
        help_text="A revealed 'spread' step: per scale or choice field, how many gave each "
        "value; never who, never an average.",
    )


class RunOutputSerializer(serializers.ModelSerializer):
    entry_url = serializers.SerializerMethodField()
    experiment_url = serializers.SerializerMethodField()

    class Meta:
        model = RunOutput
        fields = ("step", "round", "entry", "entry_url", "experiment", "experiment_url")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_entry_url(self, output: RunOutput) -> str | None:
        return api_path("api-entry-detail", output.entry_id)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_experiment_url(self, output: RunOutput) -> str | None:
        return api_path("api-experiment-detail", output.experiment_id)


class GuestsField(serializers.BooleanField):
    """Whether guests may join: a code is set (never the code itself)."""

    def get_attribute(self, instance: MethodRun) -> bool:
        return bool(instance.guest_code)


class MethodRunFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(field_name="cycle_id")
    status = django_filters.ChoiceFilter(choices=MethodRun.Status.choices)

    class Meta:
        model = MethodRun
        fields = ("cycle", "status")


def _templates(view: Any) -> QuerySet[MethodTemplate]:
    return MethodTemplate.objects.filter(archived=False)


class MethodRunSerializer(StrictModelSerializer):
    cycle = ScopedIdField(Cycle, lambda view: Cycle.objects.all())
    builtin = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="A built-in's key, when run as it is (blank for a template's run).",
    )
    template = ScopedIdField(
        MethodTemplate,
        _templates,
        required=False,
        allow_null=True,
        help_text="One of the workspace's own templates (not archived).",
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    why_this_method = serializers.CharField(
        help_text="Who chose this method, and why (the picker's question; needed)."
    )
    stop_doing = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="What the cycle will stop doing to make the time: added to its stop-doing list.",
    )
    guests = GuestsField(
        required=False,
        help_text="People without an account may join by a code (while the run is open).",
    )
    steps = serializers.SerializerMethodField()
    outputs = RunOutputSerializer(many=True, read_only=True)

    class Meta:
        model = MethodRun
        fields = (
            "id",
            "cycle",
            "builtin",
            "template",
            "version",
            "name",
            "title",
            "why_this_method",
            "stop_doing",
            "guests",
            "status",
            "step",
            "round",
            "steps",
            "outputs",
            "created_at",
            "updated_at",
            "completed_at",
        )
        read_only_fields = (
            "id",
            "version",
            "name",
            "status",
            "step",
            "round",
            "created_at",
            "updated_at",
            "completed_at",
        )

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, run: MethodRun) -> list[dict[str, Any]]:
        """The steps reached so far, as the key's member sees them on the run's page."""
        view = self.context.get("view")
        if view is None:
            return []
        workspace, user = view.workspace, view.user
        me = selectors.participant_for(workspace=workspace, run=run, user=user)
        rows = []
        for seen in selectors.step_views(workspace=workspace, run=run, participant=me):
            step = seen.step
            rows.append(
                {
                    "key": step.key,
                    "title": step.title,
                    "who": step.who,
                    "private": step.private,
                    "revealed": seen.revealed,
                    "answered": seen.answered,
                    "group": seen.group.data if isinstance(seen.group, RunAnswer) else None,
                    "answers": [
                        {
                            "by": a.by,
                            "mine": a.mine,
                            "shared": a.answer.shared,
                            "data": a.answer.data,
                        }
                        for a in seen.answers
                    ],
                    "spread": {
                        key: [{"value": v, "count": n} for v, n in values]
                        for key, values in seen.spread.items()
                    },
                }
            )
        return rows


class AnswerSerializer(StrictSerializer):
    step = serializers.CharField(max_length=40, help_text="The step's key.")
    data = serializers.DictField(help_text="The step's fields' answers, by field key.")  # type: ignore[assignment]
    shared = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A private step: let the group see this answer once revealed as a spread.",
    )


class NoBodySerializer(StrictSerializer):
    pass


@extend_schema_view(
    list=extend_schema(parameters=[UPDATED_SINCE]),
    create=extend_schema(
        description="Start a method in a cycle (those inside the cycle): `builtin` or "
        "`template`, and who chose it and why. The key's member facilitates."
    ),
)
class MethodRunViewSet(CreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Method runs the key's member may see: those they take part in or facilitate, and those of
    the cycles they work in."""

    family = "methods"
    resource = "method-runs"
    serializer_class = MethodRunSerializer
    filterset_class = MethodRunFilter

    def scoped_queryset(self) -> QuerySet[MethodRun]:
        return selectors.runs_for_user(workspace=self.workspace, user=self.user).prefetch_related(
            "outputs"
        )

    def create_object(self, data: dict[str, Any]) -> MethodRun:
        template = data.get("template")
        builtin = data.get("builtin", "")
        if template is not None and builtin:
            raise exceptions.ValidationError(
                {"builtin": [_("Give a built-in or a template, not both.")]}
            )
        run = library.run_start_chosen(
            workspace=self.workspace,
            user=self.user,
            cycle=data["cycle"],
            method=f"template:{template.pk}" if template is not None else builtin,
            title=data.get("title", ""),
            why_this_method=data["why_this_method"],
            stop_doing=data.get("stop_doing", ""),
            guests=data.get("guests", False),
        )
        return self.get_queryset().get(pk=run.pk)

    def _respond(self, run: MethodRun) -> Response:
        data = self.get_serializer(self.get_queryset().get(pk=run.pk)).data
        return Response(data, headers={"ETag": etag_for(data)})

    @extend_schema(request=AnswerSerializer, responses=MethodRunSerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk: str | None = None) -> Response:
        """Answer a step as the key's member (joining the run if they may: those inside the
        cycle, the facilitator, the meeting's members). Saving again replaces the answer; a
        group step's answer is the group's, last save kept."""
        run = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            participant = services.run_join(workspace=self.workspace, run=run, user=self.user)
            services.answer_save(
                workspace=self.workspace,
                run=run,
                participant=participant,
                step_key=body.validated_data["step"],
                data=body.validated_data["data"],
                shared=body.validated_data["shared"],
            )
            self.audit("answer", run, step=body.validated_data["step"])
        return self._respond(run)

    @extend_schema(request=NoBodySerializer, responses=MethodRunSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Complete the run (its facilitator, or those inside the cycle): what its steps write
        goes into the cycle, each output linked back; the `method_run.completed` webhook event
        is sent. A group step that still needs an answer is refused, naming it."""
        run = self.get_object()
        NoBodySerializer(data=request.data or {}).is_valid(raise_exception=True)
        with transaction.atomic():
            services.run_complete(workspace=self.workspace, run=run, user=self.user)
            self.audit("complete", run)
        return self._respond(run)
