"""What sessions produced, over the API: outputs of the sessions the caller sees, those written as
entries only where the caller may read the entry (the facilitation page's rule), each with a
link to the entry or experiment it made. Added for a meeting, by its slot key, by those who
may facilitate it, through the same service as the facilitation page."""

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers

from cycles.models import Cycle
from hls.api.base import UPDATED_SINCE, CreateMixin, StrictModelSerializer
from hls.api.fields import ScopedIdField
from stewardship.api.common import api_path
from stewardship.models import Session, SessionOutput
from stewardship.sessions import selectors, services
from stewardship.sessions.access import access_slot
from stewardship.sessions.recurrence import parse_slot_key
from systems.models import ShareLevel


def _visible_sessions(view: Any) -> QuerySet[Session]:
    return selectors.sessions_visible_to(workspace=view.workspace, membership=view.membership)


def _cycles(view: Any) -> QuerySet[Cycle]:
    return Cycle.objects.all()


class SlotKeyField(serializers.CharField):
    """A meeting's slot key (`20261103T100000Z`, its original start in UTC)."""

    def to_internal_value(self, data: Any) -> Any:
        key = super().to_internal_value(data)
        try:
            parse_slot_key(key)
        except ValueError as error:
            raise serializers.ValidationError(
                _("Give the meeting's key, e.g. 20261103T100000Z (from its session's meetings).")
            ) from error
        return key

    def to_representation(self, value: Any) -> Any:
        return value.strftime("%Y%m%dT%H%M%SZ")


class OutputSerializer(StrictModelSerializer):
    session = ScopedIdField(
        Session,
        _visible_sessions,
        source="occurrence.session",
        help_text="The session's id.",
    )
    slot = SlotKeyField(
        source="occurrence.original_start",
        help_text="The meeting's slot key (see the session's meetings).",
    )
    meeting_starts_at = serializers.DateTimeField(source="occurrence.starts_at", read_only=True)
    cycle = ScopedIdField(Cycle, _cycles, help_text="One of the session's cycles.")
    kind = serializers.ChoiceField(choices=SessionOutput.Kind.choices)
    text = serializers.CharField(allow_blank=True, max_length=20_000)
    visibility = serializers.ChoiceField(
        choices=[(level.value, level.label) for level in ShareLevel if level >= ShareLevel.TEAM],
        default=ShareLevel.CYCLE,
        write_only=True,
        help_text="Who can see the entry it becomes, at once (a new entry may start at any "
        "level). A barrier shared upward is also raised to the cycle above. Not used for "
        "experiments.",
    )
    entry_url = serializers.SerializerMethodField()
    experiment_url = serializers.SerializerMethodField()

    class Meta:
        model = SessionOutput
        fields = (
            "id",
            "session",
            "slot",
            "meeting_starts_at",
            "cycle",
            "kind",
            "text",
            "visibility",
            "entry",
            "entry_url",
            "experiment",
            "experiment_url",
            "created_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "entry", "experiment", "created_by", "created_at", "updated_at")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_entry_url(self, output: SessionOutput) -> str | None:
        return api_path("api-entry-detail", output.entry_id)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_experiment_url(self, output: SessionOutput) -> str | None:
        return api_path("api-experiment-detail", output.experiment_id)


class OutputFilter(django_filters.FilterSet):
    session = django_filters.NumberFilter(field_name="occurrence__session_id")
    cycle = django_filters.NumberFilter(field_name="cycle_id")
    kind = django_filters.ChoiceFilter(choices=SessionOutput.Kind.choices)

    class Meta:
        model = SessionOutput
        fields = ("session", "cycle", "kind")


@extend_schema_view(
    list=extend_schema(parameters=[UPDATED_SINCE]),
    create=extend_schema(
        description="Write what a meeting produced into one of its session's cycles (an "
        "entry, or a planned experiment owned by the facilitator), with a link back. For those "
        "who may facilitate the meeting."
    ),
)
class OutputViewSet(CreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Outputs of sense-making sessions."""

    family = "sessions"
    resource = "outputs"
    serializer_class = OutputSerializer
    filterset_class = OutputFilter

    def scoped_queryset(self) -> QuerySet[SessionOutput]:
        return selectors.outputs_visible_to(
            workspace=self.workspace, membership=self.membership
        ).select_related("occurrence")

    def create_object(self, data: dict[str, Any]) -> SessionOutput:
        session: Session = data["occurrence"]["session"]
        key = data["occurrence"]["original_start"]
        # Asked before the meeting's key is looked up, so one who may not record it is told so
        # first; output_add asks it again.
        services.require_may_facilitate(membership=self.membership, session=session)
        try:
            slot = access_slot(workspace=self.workspace, session=session, slot=key)
        except Http404 as error:
            raise exceptions.ValidationError(
                {"slot": [_("This session has no meeting with that key.")]}
            ) from error
        output = services.output_add(
            workspace=self.workspace,
            slot=slot,
            by=self.membership,
            cycle=data["cycle"],
            kind=data["kind"],
            text=data["text"],
            visibility=int(data["visibility"]),
        )
        return self.get_queryset().filter(pk=output.pk).first() or output
