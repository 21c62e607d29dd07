"""Self-signification over the API: the workspace's signifier sets (their signifiers as data,
checked by `cycles.signifiers.definition`, every version kept) and the placements storytellers
make of their own stories.

A set's checker messages come back as problem+json under `errors.definition`, each naming its
signifier; a placement's under `errors.data`, keyed by the signifier they concern. Writing sets
needs `themes.manage` (as on the web); placing a story `entries.create` and being its author
(the service: 403 otherwise). A placement is seen exactly as widely as its story
(`placements_visible_to`): a placement of a story the key's member may not read is a 404."""

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers

from cycles import selectors as cycle_selectors
from cycles.models import Entry, Placement, SignifierSet, SignifierSetVersion
from cycles.signifiers import selectors, services
from hls.api.base import (
    UPDATED_SINCE,
    CreateMixin,
    DestroyMixin,
    StrictModelSerializer,
    UpdateMixin,
)
from hls.api.fields import ScopedIdField
from hls.api.problems import Conflict

# --- Signifier sets ------------------------------------------------------------------------------


class SignifierSetVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SignifierSetVersion
        fields = ("version", "definition", "edited_at")


class SignifierSetSerializer(StrictModelSerializer):
    name = serializers.CharField(max_length=services.NAME_MAX)
    description = serializers.CharField(
        required=False, allow_blank=True, help_text="What the set helps us see."
    )
    definition = serializers.JSONField(
        help_text="The signifiers, as data (docs/measures.md: triads, dyads and choices). "
        "Checked: a refusal lists each problem, naming its signifier, under "
        "`errors.definition`. A change of the signifiers is a new version."
    )
    archived = serializers.BooleanField(
        required=False,
        help_text="Archived sets are not offered to cycles; their versions and placements stay.",
    )
    versions = SignifierSetVersionSerializer(
        many=True,
        read_only=True,
        help_text="Every version of the signifiers, newest first (placements keep theirs).",
    )

    class Meta:
        model = SignifierSet
        fields = (
            "id",
            "name",
            "description",
            "definition",
            "version",
            "archived",
            "versions",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "version", "versions", "created_at", "updated_at")


@extend_schema_view(
    list=extend_schema(parameters=[UPDATED_SINCE]),
    create=extend_schema(description="Write a signifier set (name and definition needed)."),
    partial_update=extend_schema(
        description="Change a set, or archive it (`archived`). A change of its signifiers is "
        "a new version; the stories placed on an earlier one keep it."
    ),
)
class SignifierSetViewSet(
    CreateMixin, UpdateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin
):
    """The workspace's signifier sets, each with its versions (archived ones too: filter
    `archived`)."""

    family = "cycles"
    resource = "signifier-sets"
    write_capability = "themes.manage"
    serializer_class = SignifierSetSerializer
    filterset_fields = ("archived",)

    def scoped_queryset(self) -> QuerySet[SignifierSet]:
        versions = SignifierSetVersion.objects.order_by("-version")
        return SignifierSet.objects.prefetch_related(Prefetch("versions", queryset=versions))

    def create_object(self, data: dict[str, Any]) -> SignifierSet:
        with transaction.atomic():
            made = services.signifier_set_create(
                workspace=self.workspace,
                user=self.user,
                name=data["name"],
                description=data.get("description", ""),
                definition=data["definition"],
            )
            if data.get("archived"):
                services.signifier_set_set_archived(
                    workspace=self.workspace, signifier_set=made, archived=True
                )
        return self.get_queryset().get(pk=made.pk)

    def update_object(self, instance: SignifierSet, data: dict[str, Any]) -> SignifierSet:
        with transaction.atomic():
            saved = instance
            if {"name", "description", "definition"} & set(data):
                # The base compared If-Match with the locked row: no revision to compare here.
                saved = services.signifier_set_update(
                    workspace=self.workspace,
                    signifier_set=instance,
                    user=self.user,
                    name=data.get("name", instance.name),
                    description=data.get("description", instance.description),
                    definition=data.get("definition", instance.definition),
                    revision=None,
                )
            if "archived" in data and data["archived"] != saved.archived:
                services.signifier_set_set_archived(
                    workspace=self.workspace, signifier_set=saved, archived=data["archived"]
                )
        return self.get_queryset().get(pk=instance.pk)


# --- Placements ----------------------------------------------------------------------------------


def _entries(view: Any) -> QuerySet[Entry]:
    return cycle_selectors.entries_visible_to(workspace=view.workspace, user=view.user)


class PlacementSerializer(StrictModelSerializer):
    entry = ScopedIdField(
        Entry,
        _entries,
        help_text="The story placed (your own: only a story's author places it). Set when the "
        "placement is made; a placement stays with its story.",
    )
    cycle = serializers.IntegerField(
        source="entry.cycle_id", read_only=True, help_text="The story's cycle."
    )
    signifier_set = serializers.IntegerField(
        source="version.signifier_set_id", read_only=True, help_text="The set placed on."
    )
    version = serializers.IntegerField(
        source="version.version",
        read_only=True,
        help_text="The set's version placed on: a placed story keeps it when the set changes.",
    )
    data = serializers.JSONField(  # type: ignore[assignment]
        help_text='A value for each signifier, by key, or "na" (does not apply): see '
        "docs/measures.md. Checked: a refusal names each signifier under `errors.data`. "
        "A change replaces the whole placement."
    )
    with_person = serializers.BooleanField(
        required=False,
        help_text="Placed by the storyteller with the person the story is about.",
    )

    class Meta:
        model = Placement
        fields = (
            "id",
            "entry",
            "cycle",
            "signifier_set",
            "version",
            "data",
            "with_person",
            "placed_at",
            "updated_at",
        )
        read_only_fields = ("id", "placed_at", "updated_at")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "entry" in attrs:
            raise serializers.ValidationError({"entry": [_("A placement stays with its story.")]})
        return attrs


class PlacementFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(field_name="entry__cycle_id")
    entry = django_filters.NumberFilter(field_name="entry_id")
    signifier_set = django_filters.NumberFilter(field_name="version__signifier_set_id")

    class Meta:
        model = Placement
        fields = ("cycle", "entry", "signifier_set")


def _api_errors(error: ValidationError) -> exceptions.ValidationError:
    """The service's errors under the API's field names: the checker's, keyed by signifier,
    under `data`; a story that cannot be placed under `entry`."""
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError({"entry": error.messages})
    found = error.message_dict
    if set(found) == {"with_person"}:
        return exceptions.ValidationError(found)
    return exceptions.ValidationError(
        {"data": {("non_field_errors" if k == "__all__" else k): v for k, v in found.items()}}
    )


@extend_schema_view(
    list=extend_schema(parameters=[UPDATED_SINCE]),
    create=extend_schema(
        description="Place your own story on its cycle's attached set (its current version). "
        "A story already placed is a 409: change its placement with PATCH and If-Match."
    ),
    partial_update=extend_schema(
        description="Change your placement (on the version it was placed on)."
    ),
    destroy=extend_schema(description="Take your placement back; the story stays."),
)
class PlacementViewSet(
    CreateMixin,
    UpdateMixin,
    DestroyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
):
    """Where storytellers placed their stories: only the placements of the stories the key's
    member may read."""

    family = "cycles"
    resource = "placements"
    write_capability = "entries.create"
    serializer_class = PlacementSerializer
    filterset_class = PlacementFilter
    ordering_fields = ("updated_at", "placed_at", "id")

    def scoped_queryset(self) -> QuerySet[Placement]:
        return selectors.placements_visible_to(
            workspace=self.workspace, user=self.user
        ).select_related("entry")

    def _save(self, entry: Entry, data: dict[str, Any], with_person: bool) -> Placement:
        try:
            return services.placement_save(
                workspace=self.workspace,
                entry=entry,
                user=self.user,
                data=data,
                with_person=with_person,
            )
        except ValidationError as error:
            raise _api_errors(error) from error

    def create_object(self, data: dict[str, Any]) -> Placement:
        entry = data["entry"]
        if selectors.placement_of(workspace=self.workspace, entry=entry) is not None:
            raise Conflict(
                _("This story is placed already: change its placement (PATCH with If-Match).")
            )
        placed = self._save(entry, data["data"], data.get("with_person", False))
        return self.get_queryset().get(pk=placed.pk)

    def update_object(self, instance: Placement, data: dict[str, Any]) -> Placement:
        if "data" in data or "with_person" in data:
            self._save(
                instance.entry,
                data.get("data", instance.data),
                data.get("with_person", instance.with_person),
            )
        return self.get_queryset().get(pk=instance.pk)

    def destroy_object(self, instance: Placement) -> None:
        services.placement_remove(workspace=self.workspace, entry=instance.entry, user=self.user)
