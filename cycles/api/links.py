"""Links between cycles over the API: an additional cycle above (parent) or peers that learn
sideways. Made and ended by those the web allows (cycles/links/selectors.py: `cycles.manage`
and taking part in one of the cycles, or an admin); ended links stay, with the reason. Links
implied by system nesting are not stored and not listed here."""

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cycles.links import selectors, services
from cycles.models import Cycle, CycleLink
from hls.api.base import (
    UPDATED_SINCE,
    CreateMixin,
    StrictModelSerializer,
    StrictSerializer,
    etag_for,
)
from hls.api.fields import ScopedIdField


class LinkSerializer(StrictModelSerializer):
    cycle = ScopedIdField(
        Cycle, lambda view: selectors.cycles_for_linking(workspace=view.workspace)
    )
    other = ScopedIdField(
        Cycle, lambda view: selectors.cycles_for_linking(workspace=view.workspace)
    )
    kind = serializers.ChoiceField(
        choices=CycleLink.Kind.choices,
        help_text="parent: `other` is also above `cycle`; peer: they learn sideways.",
    )
    reason = serializers.CharField(max_length=services.TEXT_MAX)

    class Meta:
        model = CycleLink
        fields = (
            "id",
            "cycle",
            "other",
            "kind",
            "reason",
            "created_by",
            "created_at",
            "ended_at",
            "ended_by",
            "end_reason",
            "updated_at",
        )
        read_only_fields = (
            "id",
            "created_by",
            "created_at",
            "ended_at",
            "ended_by",
            "end_reason",
            "updated_at",
        )


class LinkFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(method="filter_cycle", label="Either end of the link")
    kind = django_filters.ChoiceFilter(choices=CycleLink.Kind.choices)
    ended = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = CycleLink
        fields = ("cycle", "kind", "ended")

    def filter_cycle(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(Q(cycle_id=value) | Q(other_id=value))


class EndLinkSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=services.TEXT_MAX)


@extend_schema_view(list=extend_schema(parameters=[UPDATED_SINCE]))
class LinkViewSet(CreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Explicit links between cycles, open and ended."""

    family = "cycles"
    resource = "links"
    write_capability = "cycles.manage"
    serializer_class = LinkSerializer
    filterset_class = LinkFilter

    def scoped_queryset(self) -> QuerySet[CycleLink]:
        return CycleLink.objects.all()

    def create_object(self, data: dict[str, Any]) -> CycleLink:
        cycle = data["cycle"]
        if not selectors.may_manage_links(
            workspace=self.workspace, membership=self.membership, user=self.user, cycle=cycle
        ):
            raise PermissionDenied(_("Only those who take part in this cycle can link it."))
        return services.link_add(
            workspace=self.workspace,
            cycle=cycle,
            other=data["other"],
            kind=data["kind"],
            reason=data["reason"],
            created_by=self.user,
        )

    @extend_schema(request=EndLinkSerializer, responses=LinkSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the link, saying why. It stays in both cycles' history."""
        link = get_object_or_404(self.get_queryset().select_related("cycle", "other"), pk=pk)
        body = EndLinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not selectors.may_end_link(
            workspace=self.workspace, membership=self.membership, user=self.user, link=link
        ):
            raise PermissionDenied(_("Only those who take part in one of these cycles can end it."))
        with transaction.atomic():
            services.link_end(
                workspace=self.workspace,
                link=link,
                ended_by=self.user,
                reason=body.validated_data["reason"],
            )
            self.audit("end", link)
        data = self.get_serializer(self.get_queryset().get(pk=link.pk)).data
        return Response(data, headers={"ETag": etag_for(data)})
