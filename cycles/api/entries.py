"""Entries over the API. Every read goes through `entries_visible_to`, the one rule the web
uses: a key acting as a member sees exactly what that member sees on the web. `author` is the
author's id only where the member would see the author named (`cycles.trust`), else null.
The services decide who changes or deletes an entry (its author); a delete is the web's soft
delete and shows in /deletions/."""

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers

from cycles import selectors, services
from cycles.api.common import VISIBILITY_CHOICES, phase_field
from cycles.models import Cycle, Entry, EntryTheme, Experiment, Phase, Theme
from cycles.trust import Trust, trust_for
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


def view_trust(view: Any) -> Trust:
    """The caller's Trust, worked out once per request (cached on the view)."""
    trust: Trust | None = getattr(view, "_trust", None)
    if trust is None:
        trust = trust_for(workspace=view.workspace, user=view.user)
        view._trust = trust
    return trust


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
        help_text="0 private, 1 team, 2 cycle, 3 shared upward, 4 workspace (default for a new "
        "entry: 0). Never past the consent of the person it concerns. A new entry may start at "
        "any level up to that; an edit widens one step at a time and narrows any amount.",
    )
    effective_visibility = serializers.SerializerMethodField(
        help_text="Who can see it now: `visibility` capped by the consent of the person it "
        "concerns (lower than `visibility` when that consent was narrowed)."
    )
    author = serializers.SerializerMethodField(
        help_text="The author's id, only where you would see the author named: inside the "
        "entry's cycle, your own entries, or an entry its author signed. Else null (the "
        "entry's cycle stands for its author)."
    )
    signed = serializers.BooleanField(
        required=False,
        help_text="The author signs it: named outside its cycle too. Only the author sets it.",
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
            "effective_visibility",
            "happened_on",
            "author",
            "signed",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "author", "effective_visibility", "created_at", "updated_at")
        extra_kwargs = {
            "happened_on": {
                "help_text": "The day it happened (default: today). Not a day still to come. "
                "`created_at` and `updated_at` stay the times it was logged and changed."
            }
        }

    @extend_schema_field(serializers.IntegerField(min_value=0, max_value=4))
    def get_effective_visibility(self, entry: Entry) -> int:
        level = getattr(entry, "level", None)  # `Entry.objects.with_level()`, when listed
        return int(level if level is not None else entry.effective_level)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_author(self, entry: Entry) -> int | None:
        if entry.author_id is None:
            return None
        return entry.author_id if view_trust(self.context["view"]).names_author(entry) else None

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
    happened_from = django_filters.DateFilter(
        field_name="happened_on",
        lookup_expr="gte",
        help_text="Entries that happened on or after this day (YYYY-MM-DD).",
    )
    happened_to = django_filters.DateFilter(
        field_name="happened_on",
        lookup_expr="lte",
        help_text="Entries that happened on or before this day (YYYY-MM-DD).",
    )

    class Meta:
        model = Entry
        fields = (
            "cycle",
            "kind",
            "phase",
            "theme",
            "person",
            "experiment",
            "happened_from",
            "happened_to",
        )

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
        # The cycle comes with each entry: whether its author is named depends on it.
        return (
            selectors.entries_visible_to(workspace=self.workspace, user=self.user)
            .select_related("cycle")
            .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name", "pk")))
        )

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
            signed=data.get("signed", False),
        )
        return self.get_queryset().get(pk=entry.pk)

    def update_object(self, instance: Entry, data: dict[str, Any]) -> Entry:
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
            signed=data.get("signed", instance.signed),
        )
        return self.get_queryset().get(pk=instance.pk)

    def destroy_object(self, instance: Entry) -> None:
        services.entry_delete(workspace=self.workspace, entry=instance, user=self.user)
