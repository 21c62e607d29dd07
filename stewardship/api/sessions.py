"""Sense-making sessions over the API: the sessions the caller may see (the web's rule), planned
and changed through the same services and checks as the web, cancelled by an action (a
cancelled series is kept with its history, never deleted), and the meetings of a series as
computed from its rule and stored overrides."""

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cycles.models import Cycle
from hls.accounts.models import User
from hls.api.base import UPDATED_SINCE, CreateMixin, StrictModelSerializer, UpdateMixin
from hls.api.fields import ScopedIdField
from stewardship.api.common import AwareDateTimeField
from stewardship.models import Session, SessionParticipant
from stewardship.sessions import selectors, services
from stewardship.sessions.recurrence import Slot, session_slots

MEETINGS_DEFAULT_WEEKS = selectors.UPCOMING_WEEKS
MEETINGS_MAX_DAYS = 400


def _members(view: Any) -> QuerySet[User]:
    return User.objects.filter(memberships__workspace=view.workspace)


def _open_cycles(view: Any) -> QuerySet[Cycle]:
    # As the web's form: a session is planned for cycles that are not closed.
    return Cycle.objects.exclude(status=Cycle.Status.CLOSED)


class MemberIdField(serializers.PrimaryKeyRelatedField):
    """A member of the workspace, by user id; anyone else is "invalid pk", a 400."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=User.objects.none(), **kwargs)

    def get_queryset(self) -> QuerySet:
        view = self.context.get("view")
        if view is None or getattr(view, "swagger_fake_view", False):
            return self.queryset  # type: ignore[return-value]
        return _members(view)


class ParticipantSerializer(serializers.Serializer):
    user = serializers.IntegerField(
        allow_null=True, help_text="The member's user id; null for a guest."
    )
    name = serializers.CharField(help_text="The member's name, or the guest's name if given.")
    guest = serializers.BooleanField()
    email = serializers.EmailField(
        allow_null=True,
        help_text="A guest's email, where the web shows it to the caller; never a member's.",
    )


class SessionSerializer(StrictModelSerializer):
    cycles = ScopedIdField(
        Cycle,
        _open_cycles,
        many=True,
        allow_empty=True,
        help_text="Ids of the cycles the session is for (at least one, not closed).",
    )
    facilitator = MemberIdField(
        allow_null=True, required=False, help_text="A member's user id (default: the caller)."
    )
    starts_at = AwareDateTimeField(help_text="The first meeting, with its offset.")
    timezone = serializers.CharField(
        max_length=64,
        required=False,
        help_text="The IANA zone the rule is read in (wall-clock times). Default Europe/London.",
    )
    duration_minutes = serializers.IntegerField(required=False, help_text="5 to 480.")
    rrule = serializers.CharField(
        max_length=400,
        required=False,
        allow_blank=True,
        help_text="An RFC 5545 RRULE that ends (COUNT or UNTIL); blank for a single meeting.",
    )
    reminder_leads = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Minutes before each meeting that reminders go out.",
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    location = serializers.CharField(required=False, allow_blank=True, max_length=400)
    structured = serializers.BooleanField(required=False, help_text="With an agenda.")
    members = MemberIdField(
        many=True,
        write_only=True,
        required=False,
        help_text="User ids of the members invited (replaces the list).",
    )
    guests = serializers.ListField(
        child=serializers.CharField(max_length=254, allow_blank=True),
        write_only=True,
        required=False,
        max_length=services.GUESTS_MAX + 50,
        help_text="Guests' email addresses (replaces the list).",
    )
    participants = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = (
            "id",
            "uid",
            "title",
            "description",
            "cycles",
            "facilitator",
            "timezone",
            "starts_at",
            "rrule",
            "duration_minutes",
            "location",
            "structured",
            "status",
            "reminder_leads",
            "participants",
            "members",
            "guests",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "uid", "status", "created_at", "updated_at")

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, session: Session) -> list[dict[str, Any]]:
        view = self.context.get("view")
        # The web shows a guest's email on the session's page when the guest has no name, and
        # every guest's email on the edit form to those who may change the session.
        may_change = view is not None and selectors.may_change(
            membership=view.membership, session=session
        )
        rows = []
        for p in session.participants.all():
            if p.user_id is not None:
                assert p.user is not None
                rows.append(
                    {"user": p.user_id, "name": p.user.display_name, "guest": False, "email": None}
                )
            else:
                shown = may_change or not p.name
                rows.append(
                    {
                        "user": None,
                        "name": p.name or (p.email if shown else ""),
                        "guest": True,
                        "email": p.email if shown else None,
                    }
                )
        return rows


class MeetingSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The meeting's place in the series (its slot key).")
    original_start = serializers.DateTimeField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    cancelled = serializers.BooleanField()
    moved = serializers.BooleanField()
    held = serializers.BooleanField()
    held_at = serializers.DateTimeField(allow_null=True)
    outputs_recorded_at = serializers.DateTimeField(allow_null=True)


class MeetingWindowSerializer(serializers.Serializer):
    after = serializers.DateTimeField()
    before = serializers.DateTimeField()
    results = MeetingSerializer(many=True)


def _meeting(slot: Slot) -> dict[str, Any]:
    occurrence = slot.occurrence
    return {
        "key": slot.key,
        "original_start": slot.original_start,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "cancelled": slot.cancelled,
        "moved": slot.starts_at != slot.original_start,
        "held": occurrence is not None and occurrence.held_at is not None,
        "held_at": occurrence.held_at if occurrence else None,
        "outputs_recorded_at": occurrence.outputs_recorded_at if occurrence else None,
    }


def _moment(request: Request, name: str, default: dt.datetime) -> dt.datetime:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = parse_datetime(raw.strip().replace(" ", "+"))
    if value is None or value.tzinfo is None:
        raise exceptions.ValidationError(
            {name: [_("Give a date and time with its offset, e.g. 2026-11-01T09:00:00Z.")]}
        )
    return value


@extend_schema_view(
    list=extend_schema(parameters=[UPDATED_SINCE]),
    create=extend_schema(
        description="Plan a session: a single meeting, or a series whose rule must end, yield a "
        "meeting, and start from now on. Invitations go out as on the web."
    ),
    partial_update=extend_schema(
        description="Change a session (its facilitator, organiser, stewards and admins). "
        "`members` and `guests`, when sent, replace the invitation list."
    ),
)
class SessionViewSet(CreateMixin, UpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Sense-making sessions: the caller sees those the web shows them (admins and stewards
    all; others those they facilitate, are invited to, or whose cycles they are members of)."""

    family = "sessions"
    resource = "sessions"
    write_capability = "sessions.manage"
    serializer_class = SessionSerializer
    filterset_fields = ("status",)

    def scoped_queryset(self) -> QuerySet[Session]:
        return (
            selectors.sessions_visible_to(workspace=self.workspace, membership=self.membership)
            .select_related("facilitator")
            .prefetch_related(
                Prefetch("cycles", queryset=Cycle.objects.order_by("pk")),
                Prefetch(
                    "participants",
                    queryset=SessionParticipant.objects.select_related("user").order_by("pk"),
                ),
            )
        )

    def check_object_permissions(self, request: Request, obj: Any) -> None:
        super().check_object_permissions(request, obj)
        if request.method not in permissions.SAFE_METHODS:
            # The services' rule, asked before If-Match and the body are looked at (so one who
            # may not change it is told so first); the service asks it again.
            services.require_may_change(membership=self.membership, session=obj)

    def _fresh(self, session: Session) -> Session:
        found = self.get_queryset().filter(pk=session.pk).first()
        if found is not None:
            return found
        # Its creator may not be among those who see it (a session for others' cycles).
        return (
            Session.objects.filter(workspace=self.workspace, pk=session.pk)
            .prefetch_related(
                Prefetch("cycles", queryset=Cycle.objects.order_by("pk")),
                Prefetch(
                    "participants",
                    queryset=SessionParticipant.objects.select_related("user").order_by("pk"),
                ),
            )
            .get()
        )

    def create_object(self, data: dict[str, Any]) -> Session:
        session = services.session_create(
            workspace=self.workspace,
            user=self.user,
            title=data["title"],
            description=data.get("description", ""),
            cycles=data["cycles"],
            facilitator=data.get("facilitator"),
            timezone=data.get("timezone", "Europe/London"),
            starts_at=data["starts_at"],
            duration_minutes=data.get("duration_minutes", 90),
            rrule=data.get("rrule", ""),
            location=data.get("location", ""),
            structured=data.get("structured", True),
            reminder_leads=data.get("reminder_leads", ()),
            members=data.get("members", ()),
            guests=data.get("guests", ()),
        )
        return self._fresh(session)

    def update_object(self, instance: Session, data: dict[str, Any]) -> Session:
        session = services.session_update(
            workspace=self.workspace,
            session=instance,
            by=self.membership,
            title=data.get("title", instance.title),
            description=data.get("description", instance.description),
            cycles=data.get("cycles", list(instance.cycles.all())),
            facilitator=data.get("facilitator", instance.facilitator),
            timezone=data.get("timezone", instance.timezone),
            starts_at=data.get("starts_at", instance.starts_at),
            duration_minutes=data.get("duration_minutes", instance.duration_minutes),
            rrule=data.get("rrule", instance.rrule),
            location=data.get("location", instance.location),
            structured=data.get("structured", instance.structured),
            reminder_leads=data.get("reminder_leads", instance.reminder_leads),
            members=data.get("members"),
            guests=data.get("guests"),
        )
        return self._fresh(session)

    @extend_schema(
        request=None,
        responses=SessionSerializer,
        description="Cancel the whole series. It is kept, with its history; everyone invited "
        "is told. Cancelling a cancelled session changes nothing.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        services.session_cancel(workspace=self.workspace, session=session, by=self.membership)
        self.audit("cancel", session)
        return Response(self.get_serializer(self._fresh(session)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                OpenApiTypes.DATETIME,
                description="Meetings starting at or after this instant (default: now).",
            ),
            OpenApiParameter(
                "before",
                OpenApiTypes.DATETIME,
                description=f"Meetings starting before this instant (default: "
                f"{MEETINGS_DEFAULT_WEEKS} weeks after `after`; at most "
                f"{MEETINGS_MAX_DAYS} days after it).",
            ),
        ],
        responses=MeetingWindowSerializer,
        description="The meetings of the series in a window, as computed from its rule in its "
        "time zone, with moved and cancelled meetings and whether each was held. Read-only.",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def meetings(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        after = _moment(request, "after", timezone.now())
        before = _moment(request, "before", after + dt.timedelta(weeks=MEETINGS_DEFAULT_WEEKS))
        if before <= after:
            raise exceptions.ValidationError({"before": [_("Give a time after `after`.")]})
        if before - after > dt.timedelta(days=MEETINGS_MAX_DAYS):
            raise exceptions.ValidationError(
                {"before": [_("Ask for at most %(n)d days at a time.") % {"n": MEETINGS_MAX_DAYS}]}
            )
        slots = session_slots(session, after=after, before=before)
        data = {"after": after, "before": before, "results": [_meeting(s) for s in slots]}
        return Response(MeetingWindowSerializer(data).data)
