"""The base every API viewset builds on (DESIGN.md §7). Subclasses say which family of scopes
guards them and how to find their objects for the caller; the base does the rest, the same for
every resource: the workspace scope, scopes and roles, strict JSON input, cursor pagination,
`updated_since`, ETags with `If-None-Match` and `If-Match`, `Idempotency-Key`, throttling per
key, and an audit event for every write."""

import datetime as dt
import hashlib
import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django_filters import BooleanFilter, NumberFilter  # type: ignore[import-untyped]
from django_filters.rest_framework import DjangoFilterBackend  # type: ignore[import-untyped]
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, filters, permissions, serializers, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from hls.accounts.models import User
from hls.api.authentication import ApiKeyAuthentication, WorkspaceSessionAuthentication
from hls.api.models import ApiKey, IdempotencyRecord
from hls.api.problems import (
    IdempotencyKeyReused,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
)
from hls.api.scopes import allows
from hls.audit.services import audit_once_a_day, audit_record
from hls.tenancy.models import Membership, Workspace
from hls.tenancy.permissions import can

# Which scope family each resource name belongs to (filled as viewsets are defined); the
# deletions feed uses it to show a key only the tombstones it may read.
RESOURCE_FAMILIES: dict[str, str] = {}

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only objects changed after this instant (ISO 8601). Deletions: /deletions/.",
)


def _json_type_error(field: serializers.Field, value: Any) -> str | None:
    """DRF coerces ("5" to 5, 0 to "0", "yes" to True); JSON clients get their types checked."""
    if value is None:
        return None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _("Must be true or false.")
    whole = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        message = str(field.error_messages["incorrect_type"])
        return None if whole else message.format(data_type=type(value).__name__)
    if isinstance(field, serializers.IntegerField):
        return None if whole else _("Must be a whole number.")
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else _("Must be a number.")
    if isinstance(field, serializers.MultipleChoiceField):
        return None
    if isinstance(field, serializers.ChoiceField):  # exactly a key: 3 for 3, "story" for "story"
        keys = list(field.choices)
        if any(value == key and type(value) is type(key) for key in keys):
            return None
        if str(value) in {str(key) for key in keys}:
            return _("Give one of %(keys)s, as JSON writes them.") % {
                "keys": ", ".join(json.dumps(key) for key in keys)
            }
        return None  # not a choice at all: DRF says so
    if isinstance(field, serializers.CharField):
        return None if isinstance(value, str) else _("Must be a string.")
    if isinstance(field, serializers.ManyRelatedField | serializers.ListField):
        if not isinstance(value, list):
            return _("Must be a list.")
        child = getattr(field, "child_relation", None) or getattr(field, "child", None)
        problems = [_json_type_error(child, item) for item in value] if child else []
        return next((p for p in problems if p), None)
    return None


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, rather than silently dropping them, and values of the
    wrong JSON type, rather than coercing them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name: f for name, f in self.fields.items() if not f.read_only}
            errors: dict[str, Any] = {
                name: [_("Unknown field.")] for name in sorted(set(data) - set(writable))
            }
            for name, value in data.items():
                problem = _json_type_error(writable[name], value) if name in writable else None
                if problem:
                    errors[name] = [problem]
            if errors:  # say everything at once: the other fields' own errors too
                rest = {name: value for name, value in data.items() if name not in errors}
                try:
                    super().to_internal_value(rest)
                except serializers.ValidationError as error:
                    if isinstance(error.detail, dict):
                        errors = {**error.detail, **errors}
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass


class ScopePermission(permissions.BasePermission):
    """The key's scopes for the view's family, and the member's role for writes."""

    message = _("This API key does not have the scope for this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(request._request, "workspace", None) is None:
            raise exceptions.NotAuthenticated()
        write = request.method not in permissions.SAFE_METHODS
        scopes = request.auth.scopes if isinstance(request.auth, ApiKey) else None
        if not allows(scopes, view.family, write=write):
            return False
        capability = view.write_capability if write else view.read_capability
        if capability and not can(request._request.membership, capability):  # type: ignore[attr-defined]
            self.message = _("Your role in this workspace does not allow this.")
            return False
        return True


class KeyRateThrottle(SimpleRateThrottle):
    """Requests per key (or per signed-in user), counted in Redis. Over the rate: 429 with
    Retry-After."""

    scope = "api"

    def get_rate(self) -> str:
        return str(settings.API_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str:
        auth = request.auth
        ident = auth.prefix if isinstance(auth, ApiKey) else f"user:{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("updated_at", "id")

    def get_page_size(self, request: Request) -> int:
        """A page size that is not a whole number from 1 to 200 is an error, not ignored."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [_("Give a whole number from 1 to %d.") % self.max_page_size]}
            )
        return int(raw)


class UpdatedSinceFilter(filters.BaseFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        raw = request.query_params.get("updated_since")
        if raw is None or view.action != "list":
            return queryset
        try:
            since = parse_datetime(raw.replace(" ", "+"))
            since = since.astimezone(dt.UTC) if since and since.tzinfo else None
        except (ValueError, OverflowError):
            since = None
        if since is None or since.year < 1970:
            message = _("Give a date and time with its offset, e.g. 2026-11-01T09:00:00Z.")
            raise exceptions.ValidationError({"updated_since": [message]})
        return queryset.filter(**{f"{view.updated_field}__gt": since})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, but a filter given twice or empty, a boolean that is not true/false, or
    an id that is not a whole number is an error rather than silently ignored. (Our number
    filters are all ids.)"""

    def get_filterset(self, request: Request, queryset: QuerySet, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors: dict[str, list[str]] = {}
        for name, filter_ in filterset.filters.items():
            values = request.query_params.getlist(name)
            if not values:
                continue
            if len(values) > 1:
                errors[name] = [_("Give this parameter once.")]
            elif values[0] == "":
                errors[name] = [_("Give a value, or leave the parameter out.")]
            elif isinstance(filter_, BooleanFilter) and values[0] not in ("true", "false"):
                errors[name] = [_("Use true or false.")]
            elif isinstance(filter_, NumberFilter) and not values[0].isdigit():
                errors[name] = [_("Give an id (a whole number).")]
        if errors:
            raise exceptions.ValidationError(errors)
        return filterset


def etag_for(data: Any) -> str:
    encoded = json.dumps(data, sort_keys=True, default=str, separators=(",", ":")).encode()
    return '"' + hashlib.sha256(encoded).hexdigest()[:32] + '"'


def _etags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


class ApiViewSet(viewsets.GenericViewSet):
    """Subclasses set `family`, `resource`, `serializer_class`, and implement `scoped_queryset`
    (and `perform_create` / `perform_update` / `perform_destroy` calling services)."""

    family: ClassVar[str]
    resource: ClassVar[str]
    read_capability: ClassVar[str] = ""
    write_capability: ClassVar[str] = ""
    updated_field: ClassVar[str] = "updated_at"
    ordering: ClassVar[Any] = ("updated_at", "id")
    ordering_fields: ClassVar[Any] = ("updated_at", "created_at", "id")
    lookup_value_regex = r"\d+"

    authentication_classes = (ApiKeyAuthentication, WorkspaceSessionAuthentication)
    permission_classes = (ScopePermission,)
    parser_classes = (JSONParser,)
    renderer_classes = (JSONRenderer,)
    throttle_classes = (KeyRateThrottle,)
    pagination_class = ApiPagination
    filter_backends = (StrictFilterBackend, filters.OrderingFilter, UpdatedSinceFilter)

    # How a viewset finds its objects is the base's alone: a subclass says which rows are its
    # own in `scoped_queryset`, and the base adds the workspace, the filters and the lookup.
    SEALED: ClassVar[tuple[str, ...]] = ("get_queryset", "get_object")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ApiViewSet.SEALED:
            # Anything in the class's MRO before ApiViewSet (the class itself or a mixin).
            if getattr(cls, name) is not getattr(ApiViewSet, name):
                raise TypeError(
                    f"{cls.__qualname__} overrides {name}(); the workspace scoping cannot be "
                    "bypassed: implement scoped_queryset() (and filter there) instead."
                )
        resource = cls.__dict__.get("resource")
        if resource:
            RESOURCE_FAMILIES[resource] = cls.family

    # The caller ------------------------------------------------------------------------------

    @property
    def workspace(self) -> Workspace:
        return self.request._request.workspace  # type: ignore[attr-defined]

    @property
    def membership(self) -> Membership:
        return self.request._request.membership  # type: ignore[attr-defined]

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def caller(self) -> str:
        auth = self.request.auth
        return auth.prefix if isinstance(auth, ApiKey) else f"user:{self.user.pk}"

    def scoped_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        """Always the subclass's scoped queryset, filtered to the workspace once more."""
        if getattr(self, "swagger_fake_view", False):  # building the schema: no caller
            return self.get_serializer_class().Meta.model._default_manager.none()  # type: ignore[attr-defined]
        return self.scoped_queryset().filter(workspace=self.workspace)

    # Request checks --------------------------------------------------------------------------

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.API_MAX_BODY_BYTES:
            raise PayloadTooLarge()
        started = timezone.now()
        key = request.auth  # authenticates the caller (DRF does it lazily)
        if isinstance(key, ApiKey) and key.last_used_at and key.last_used_at >= started:
            # The key's last use was noted by this request (at most once a minute, by
            # api_key_authenticate): record its first use of the day in the audit log. Not
            # once per request: no query is added to the others.
            audit_once_a_day(
                workspace=self.workspace,
                actor=self.user,
                action="api_key.used",
                target=key,
                via=key.prefix,
            )
        super().initial(request, *args, **kwargs)

    # Audit -----------------------------------------------------------------------------------

    def audit(self, action: str, target: models.Model | None, **data: Any) -> None:
        audit_record(
            workspace=self.workspace,
            actor=self.user,
            action=f"api.{self.resource}.{action}",
            target=target,
            via=self.caller,
            **data,
        )

    def get_locked_object(self) -> Any:
        """The object, locked until the request commits, after checking If-Match against its
        current representation: a stale version is 412, a missing If-Match 428."""
        queryset = self.filter_queryset(self.get_queryset())
        lookup = self.lookup_url_kwarg or self.lookup_field
        ids = queryset.filter(**{self.lookup_field: self.kwargs[lookup]}).values("pk")
        instance = queryset.model._default_manager.select_for_update().filter(pk__in=ids).first()
        if instance is None:
            raise exceptions.NotFound()
        instance = queryset.filter(pk=instance.pk).first()  # the read shape (related rows)
        self.check_object_permissions(self.request, instance)
        wanted = _etags(self.request.headers.get("If-Match", ""))
        if not wanted:
            raise PreconditionRequired()
        if "*" not in wanted and etag_for(self.get_serializer(instance).data) not in wanted:
            raise PreconditionFailed()
        return instance

    # Reads: ETag and If-None-Match -----------------------------------------------------------

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and isinstance(response, Response)
            and response.data is not None
        ):
            tag = etag_for(response.data)
            response["ETag"] = tag
            if tag in _etags(request.headers.get("If-None-Match", "")):
                response.status_code = 304
                response.data = None
        return response


class CreateMixin(ApiViewSet):
    """POST: validate, call the service in `perform_create`, audit; `Idempotency-Key` makes a
    retry return the first answer (a different body with the same key is refused)."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return self._create(request)
        if len(key) > 255:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Use at most 255 characters.")]}
            )
        fingerprint = hashlib.sha256(
            str(request.method).encode() + b" " + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        with transaction.atomic():  # a failed create takes its record with it
            try:
                with transaction.atomic():
                    # Taken first: a concurrent retry with this key waits here for our commit.
                    record: IdempotencyRecord | None = IdempotencyRecord.objects.create(
                        workspace=self.workspace,
                        caller=self.caller,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=0,
                    )
            except IntegrityError:
                record = None
            if record is not None:
                response = self._create(request)
                record.status_code = response.status_code
                record.body = response.data
                record.location = response.get("Location", "")
                record.save(update_fields=["status_code", "body", "location"])
                return response
        found = IdempotencyRecord.objects.get(workspace=self.workspace, caller=self.caller, key=key)
        if found.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        headers = {"Idempotent-Replayed": "true"}
        if found.location:
            headers["Location"] = found.location
        return Response(found.body, status=found.status_code, headers=headers)

    def _create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.instance = self.create_object(serializer.validated_data)
        self.audit("create", serializer.instance)
        data = serializer.data
        headers = {"ETag": etag_for(data)}
        if isinstance(serializer.instance, models.Model):
            headers["Location"] = self.object_url(serializer.instance)
        return Response(data, status=201, headers=headers)

    def object_url(self, instance: models.Model) -> str:
        return f"{self.request.path}{instance.pk}/"

    def create_object(self, data: dict[str, Any]) -> models.Model:
        """Call the service with the validated data; return what it made."""
        raise NotImplementedError


class UpdateMixin(ApiViewSet):
    """PATCH with `If-Match`: the row is locked and compared with the caller's ETag, so a
    concurrent or stale change is 412, never a silent overwrite."""

    def update_object(self, instance: Any, data: dict[str, Any]) -> models.Model:
        """Call the service with the (locked) object and the validated fields sent; return the
        object as it now is."""
        raise NotImplementedError

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_locked_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        updated = self.update_object(instance, serializer.validated_data)
        self.audit("update", updated, fields=sorted(serializer.validated_data))
        data = self.get_serializer(updated).data
        return Response(data, headers={"ETag": etag_for(data)})


class DestroyMixin(ApiViewSet):
    """DELETE with `If-Match`; the service records a tombstone for the deletions feed."""

    def destroy_object(self, instance: Any) -> None:
        """Call the service that deletes (and records the tombstone)."""
        raise NotImplementedError

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_locked_object()
        with transaction.atomic():  # a refused delete leaves no audit event saying it happened
            self.audit("delete", instance)
            self.destroy_object(instance)
        return Response(status=204)
