"""Entries over the API. Every read goes through `entries_visible_to`, the one rule the web
uses: a key acting as a member sees exactly what that member sees on the web. Only the author
changes or deletes an entry; a delete is the web's soft delete and shows in /deletions/."""

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from cycles import selectors, services
from cycles.api.common import VISIBILITY_CHOICES, phase_field
from cycles.models import Cycle, Entry, EntryTheme, Experiment, Phase, Theme
from hls.api.base import (
    UPDATED_SINCE,
    CreateMixin,
    DestroyMixin,
    StrictModelSerializer,
    UpdateMixin,
)
from hls.api.fields import ScopedIdField
from systems.models import Person, ShareLevel
from systems.people.selectors import people_visible_to


class EntrySerializer(StrictModelSerializer):
    cycle = ScopedIdField(Cycle, lambda view: selectors.cycles_for_picker(workspace=view.workspace))
    kind = serializers.ChoiceField(choices=Entry.Kind.choices)
    phase = phase_field(required=False)
    text = serializers.CharField(max_length=services.ENTRY_TEXT_MAX, trim_whitespace=False)
    themes = ScopedIdField(
        Theme,
        scope=lambda view: selectors.themes_for_picker(workspace=view.workspace),
        many=True,
        required=False,
    )
    person = ScopedIdField(
        Person,
        scope=lambda view: people_visible_to(workspace=view.workspace, user=view.user),
        required=False,
        allow_null=True,
        help_text="The pseudonymous id of the person it concerns; never their identity.",
    )
    experiment = ScopedIdField(
        Experiment,
        scope=lambda view: Experiment.objects.all(),
        required=False,
        allow_null=True,
    )
    visibility = serializers.ChoiceField(
        choices=VISIBILITY_CHOICES,
        required=False,
        help_text="0 private, 1 team, 2 cycle, 3 shared upward, 4 workspace. Widen one step at "
        "a time (a new entry: private or team); never past the person's consent.",
    )

    class Meta:
        model = Entry
        fields = (
            "id",
            "cycle",
            "kind",
            "phase",
            "text",
            "themes",
            "person",
            "experiment",
            "visibility",
            "happened_on",
            "author",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "author", "created_at", "updated_at")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            fixed = sorted({"cycle", "experiment"} & set(attrs))
            if fixed:
                raise serializers.ValidationError(
                    {name: [_("An entry stays where it was logged.")] for name in fixed}
                )
        return attrs


class EntryFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(field_name="cycle_id")
    kind = django_filters.ChoiceFilter(choices=Entry.Kind.choices)
    phase = django_filters.ChoiceFilter(choices=Phase.choices)
    theme = django_filters.NumberFilter(method="filter_theme")
    person = django_filters.NumberFilter(field_name="person_id")
    experiment = django_filters.NumberFilter(field_name="experiment_id")

    class Meta:
        model = Entry
        fields = ("cycle", "kind", "phase", "theme", "person", "experiment")

    def filter_theme(self, queryset: QuerySet[Entry], name: str, value: int) -> QuerySet[Entry]:
        return queryset.filter(
            Exists(EntryTheme.objects.filter(entry=OuterRef("pk"), theme_id=value))
        )


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class EntryViewSet(
    CreateMixin,
    UpdateMixin,
    DestroyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
):
    """Logged steps of cycles: stories, observations, reflections, barriers... Only those the
    key's member may see on the web."""

    family = "cycles"
    resource = "entries"
    write_capability = "entries.create"
    serializer_class = EntrySerializer
    filterset_class = EntryFilter

    def scoped_queryset(self) -> QuerySet[Entry]:
        return selectors.entries_visible_to(
            workspace=self.workspace, user=self.user
        ).prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name", "pk")))

    def _own(self, entry: Entry) -> None:
        if entry.author_id != self.user.pk:
            raise PermissionDenied(_("Only the person who wrote an entry can change it."))

    def create_object(self, data: dict[str, Any]) -> Entry:
        entry = services.entry_create(
            workspace=self.workspace,
            author=self.user,
            cycle=data["cycle"],
            kind=data["kind"],
            text=data["text"],
            phase=data.get("phase", ""),
            themes=data.get("themes", ()),
            person=data.get("person"),
            visibility=data.get("visibility", ShareLevel.PRIVATE),
            experiment=data.get("experiment"),
            happened_on=data.get("happened_on"),
        )
        return self.get_queryset().get(pk=entry.pk)

    def update_object(self, instance: Entry, data: dict[str, Any]) -> Entry:
        self._own(instance)
        services.entry_update(
            workspace=self.workspace,
            entry=instance,
            editor=self.user,
            kind=data.get("kind", instance.kind),
            phase=data.get("phase", instance.phase),
            text=data.get("text", instance.text),
            themes=data.get("themes", list(instance.themes.all())),
            person=data.get("person", instance.person),
            visibility=data.get("visibility", instance.visibility),
            happened_on=data.get("happened_on", instance.happened_on),
        )
        return self.get_queryset().get(pk=instance.pk)

    def destroy_object(self, instance: Entry) -> None:
        self._own(instance)
        services.entry_delete(workspace=self.workspace, entry=instance, user=self.user)
