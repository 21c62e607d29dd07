"""People served over the API: the pseudonymous record only. Identity (name, date of birth,
contact) is never in these; it has its own endpoint, `GET /people/{id}/identity/`, which needs
the `identity:read` scope, is open only to those who work with the person (404 for everyone
else, as on the web) and is audited exactly like the web's identity page."""

from typing import Any

from django.db.models import QuerySet
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from hls.api.base import (
    UPDATED_SINCE,
    ApiViewSet,
    CreateMixin,
    StrictModelSerializer,
    StrictSerializer,
    UpdateMixin,
)
from hls.api.fields import ScopedIdField
from hls.api.models import ApiKey
from hls.api.scopes import allows
from systems.models import Consent, Person, ShareLevel, System
from systems.people import selectors, services
from systems.people.forms import consent_label


class ConsentInForceSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=ShareLevel.choices, source="consent_level")
    label = serializers.SerializerMethodField()  # type: ignore[assignment]

    @extend_schema_field(OpenApiTypes.STR)
    def get_label(self, person: Person) -> str:
        return consent_label(person.consent_level)


class PersonSerializer(StrictModelSerializer):
    system = ScopedIdField(
        System,
        allow_null=True,
        required=False,
        help_text=_(
            "Their own life as a system: a system at a person scale. Only its team and the "
            "members of its cycles may see who they are."
        ),
    )
    alias = serializers.CharField(required=False, allow_blank=True, max_length=services.ALIAS_MAX)
    what_matters = serializers.CharField(
        required=False, allow_blank=True, max_length=services.TEXT_MAX
    )
    strengths = serializers.CharField(
        required=False, allow_blank=True, max_length=services.TEXT_MAX
    )
    consent = ConsentInForceSerializer(
        source="*",
        read_only=True,
        help_text=_("How far what they share may go: the consent in force. Change: /consents/."),
    )

    class Meta:
        model = Person
        fields = (
            "id",
            "reference",
            "alias",
            "system",
            "what_matters",
            "strengths",
            "consent",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "reference", "created_at", "updated_at")


class ConsentSerializer(StrictModelSerializer):
    level = serializers.ChoiceField(choices=ShareLevel.choices)
    note = serializers.CharField(
        max_length=services.NOTE_MAX,
        help_text=_("When and how they agreed, and anything they asked us not to share."),
    )
    label = serializers.SerializerMethodField()  # type: ignore[assignment]

    class Meta:
        model = Consent
        fields = ("id", "level", "label", "note", "recorded_at")
        read_only_fields = ("id", "recorded_at")

    @extend_schema_field(OpenApiTypes.STR)
    def get_label(self, consent: Consent) -> str:
        return consent_label(consent.level)


class IdentitySerializer(StrictSerializer):
    name = serializers.CharField(read_only=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)
    contact = serializers.CharField(read_only=True)


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class PersonViewSet(CreateMixin, UpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """People served, as pseudonymous records, with the web's rules: only those who work with a
    person (the team of the person's own system and those in its cycles, or whoever recorded a
    person with no system) list, open, change it, read or record consent and read identity;
    for everyone else, admins and those above included, it does not exist (404)."""

    family = "people"
    resource = "people"
    write_capability = "people.manage"
    serializer_class = PersonSerializer
    filterset_fields = ("system",)

    def scoped_queryset(self) -> QuerySet[Person]:
        # The record, its consent history and identity: only those who work with the person
        # (404 for everyone else, admins and those above included).
        return selectors.people_visible_to(workspace=self.workspace, user=self.user)

    def create_object(self, data: dict[str, Any]) -> Person:
        return services.person_create(
            workspace=self.workspace,
            created_by=self.user,
            alias=data.get("alias", ""),
            what_matters=data.get("what_matters", ""),
            strengths=data.get("strengths", ""),
            system=data.get("system"),
        )

    def update_object(self, instance: Person, data: dict[str, Any]) -> Person:
        return services.person_update(
            workspace=self.workspace,
            person=instance,
            actor=self.user,
            alias=data.get("alias", instance.alias),
            what_matters=data.get("what_matters", instance.what_matters),
            strengths=data.get("strengths", instance.strengths),
            system=data.get("system", instance.system),
        )

    @extend_schema(
        methods=["GET"],
        summary="The person's consent history, newest (the one in force) first",
        responses=ConsentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Record consent (those who work with the person)",
        request=ConsentSerializer,
        responses={201: ConsentSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def consents(self, request: Request, pk: str | None = None) -> Response:
        person = self.get_object()
        if request.method == "GET":
            history = selectors.person_consents(workspace=self.workspace, person=person)
            return Response(ConsentSerializer(history, many=True).data)
        serializer = ConsentSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        consent = services.consent_record(
            workspace=self.workspace,
            person=person,
            level=serializer.validated_data["level"],
            note=serializer.validated_data["note"],
            recorded_by=self.user,
        )
        self.audit("consent", person, level=consent.level)
        return Response(ConsentSerializer(consent).data, status=201)

    @extend_schema(
        summary="Who the person is (needs identity:read; audited)",
        description=(
            "Name, date of birth and contact, for those who work with the person only (404 for "
            "everyone else, and when no identity is recorded). Needs the `identity:read` scope "
            "as well as `people:read`. Every successful read is audited, as on the web. Never "
            "cached: no ETag, `Cache-Control: no-store`."
        ),
        responses=IdentitySerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def identity(self, request: Request, pk: str | None = None) -> Response:
        scopes = request.auth.scopes if isinstance(request.auth, ApiKey) else None
        if not allows(scopes, "identity", write=False):
            raise exceptions.PermissionDenied(
                _("This API key does not have the identity:read scope.")
            )
        person = self.get_object()  # 404 unless the caller works with the person
        identity = services.identity_view(workspace=self.workspace, person=person, viewer=self.user)
        if identity is None:
            raise exceptions.NotFound(_("No identity is recorded for this person."))
        return Response(IdentitySerializer(identity).data)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        if self.action != "identity":
            return super().finalize_response(request, response, *args, **kwargs)
        # Identity is never cached, and no hash of it travels in a header: skip the ETag step.
        response = super(ApiViewSet, self).finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response
