"""The patterns of a cycle over the API (read-only): what the cycles below shared upward, as
the web's patterns page shows it. Counts under the workspace's threshold come as null with
`suppressed: true`; a total one of whose parts hides something comes as null with
`withheld: true` (else total minus the shown parts would give it away). Every count carries
`entries`: the link to the entries behind it that the caller may see. Nothing is counted per
person or per author."""

import datetime as _dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cycles.api.entries import EntrySerializer
from cycles.models import Cycle, Entry, Theme
from cycles.patterns import selectors
from cycles.patterns.forms import DrillDownForm, PatternFilterForm
from cycles.patterns.selectors import PatternFilter, ShownCount
from hls.api.base import ApiViewSet
from systems.selectors import scales_of

FILTERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Default: 12 months ago."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Default: today."),
    OpenApiParameter("system", OpenApiTypes.INT, description="A child system below the cycle."),
    OpenApiParameter("scale", OpenApiTypes.INT),
    OpenApiParameter("theme", OpenApiTypes.INT),
]
DRILL_DOWN = [
    *FILTERS,
    OpenApiParameter("month", OpenApiTypes.STR, description="A month, e.g. 2025-03."),
    OpenApiParameter("kind", OpenApiTypes.STR, description="A kind of entry, e.g. story."),
]


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField(allow_null=True, help_text="Null when suppressed or withheld.")
    suppressed = serializers.BooleanField(help_text="Fewer than the threshold, and not zero.")
    withheld = serializers.BooleanField(help_text="A total that would give a suppressed part away.")
    entries = serializers.CharField(
        allow_blank=True, help_text="The entries behind it that you may see (API URL)."
    )


class ThemeMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    count = CountSerializer()


class ThemePatternSerializer(serializers.Serializer):
    theme = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    months = ThemeMonthSerializer(many=True)
    total = CountSerializer()


class PortfolioSerializer(serializers.Serializer):
    status = serializers.CharField()
    outcome = serializers.CharField(allow_blank=True)
    count = CountSerializer()


class PatternsSerializer(serializers.Serializer):
    cycle = serializers.IntegerField()
    threshold = serializers.IntegerField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    months = serializers.ListField(child=serializers.CharField())
    themes = ThemePatternSerializer(many=True)
    month_totals = ThemeMonthSerializer(many=True)
    total = CountSerializer()
    stories = CountSerializer()
    barriers = CountSerializer()
    experiments = PortfolioSerializer(many=True)


def _shown(count: ShownCount, entries: str = "") -> dict[str, Any]:
    return {
        "count": count.shown,
        "suppressed": count.suppressed,
        "withheld": count.withheld,
        "entries": entries,
    }


def _month(month: _dt.date) -> str:
    return month.strftime("%Y-%m")


class PatternsMixin(ApiViewSet):
    """`/cycles/{id}/patterns/` and the entries behind each of its numbers."""

    def _pattern_filter(
        self, cycle: Cycle, below: set[int], form_class: type[PatternFilterForm]
    ) -> PatternFilter:
        workspace = self.workspace
        params = {k: v for k, v in self.request.query_params.items() if k in form_class.base_fields}
        form = form_class(
            params or None,
            systems=selectors.systems_below_cycle(workspace=workspace, cycle_ids=below),
            scales=scales_of(workspace=workspace),
            themes=Theme.objects.filter(workspace=workspace, merged_into__isnull=True),
        )
        if not form.is_bound:
            start, end = selectors.default_period()
            return PatternFilter(date_from=start, date_to=end)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors.get_json_data())
        return form.pattern_filter()

    def _entries_url(self, cycle: Cycle, f: PatternFilter, **extra: Any) -> str:
        params = {
            "date_from": f.date_from.isoformat(),
            "date_to": f.date_to.isoformat(),
            "system": f.system.pk if f.system else "",
            "scale": f.scale.pk if f.scale else "",
            "theme": f.theme.pk if f.theme else "",
            **extra,
        }
        query = urlencode({k: v for k, v in params.items() if v})
        path = reverse("api-cycle-pattern-entries", args=[cycle.pk])
        return self.request.build_absolute_uri(f"{path}?{query}")

    @extend_schema(parameters=FILTERS, responses=PatternsSerializer)
    @action(detail=True, methods=["get"])
    def patterns(self, request: Request, pk: str | None = None) -> Response:
        """What the cycles below this one shared upward: themes by month, totals, stories,
        barriers and the experiment portfolio, with small counts suppressed."""
        workspace = self.workspace
        cycle = get_object_or_404(Cycle.objects.filter(workspace=workspace), pk=pk)
        below = selectors.below_ids(workspace=workspace, cycle=cycle)
        f = self._pattern_filter(cycle, below, PatternFilterForm)
        ids = selectors.scoped_cycle_ids(workspace=workspace, cycle_ids=below, system=f.system)
        summary = selectors.patterns_summary(workspace=workspace, cycle_ids=ids, f=f)

        def shown(count: ShownCount, **extra: Any) -> dict[str, Any]:
            return _shown(count, self._entries_url(cycle, f, **extra))

        months = [_month(m) for m in summary.months]
        data = {
            "cycle": cycle.pk,
            "threshold": summary.threshold,
            "date_from": f.date_from,
            "date_to": f.date_to,
            "months": months,
            "themes": [
                {
                    "theme": theme.theme_id,
                    "name": theme.name,
                    "kind": theme.kind,
                    "months": [
                        {"month": m, "count": shown(c, theme=theme.theme_id, month=m)}
                        for m, c in zip(months, theme.cells, strict=True)
                    ],
                    "total": shown(theme.total, theme=theme.theme_id),
                }
                for theme in summary.themes
            ],
            "month_totals": [
                {"month": m, "count": shown(c, month=m)}
                for m, c in zip(months, summary.month_totals, strict=True)
            ],
            "total": shown(summary.total),
            "stories": shown(summary.stories, kind=Entry.Kind.STORY),
            "barriers": shown(summary.barriers, kind=Entry.Kind.BARRIER),
            # Experiments are the cycles' shared work; list them per cycle at
            # /experiments/?cycle=.
            "experiments": [
                {"status": row.status, "outcome": row.outcome, "count": _shown(row.count)}
                for row in summary.portfolio
            ],
        }
        return Response(PatternsSerializer(data).data)

    @extend_schema(parameters=DRILL_DOWN, responses=EntrySerializer(many=True))
    @action(detail=True, methods=["get"], url_path="patterns/entries", filter_backends=())
    def pattern_entries(self, request: Request, pk: str | None = None) -> Response:
        """The entries behind a number of the patterns that the caller may see."""
        workspace = self.workspace
        cycle = get_object_or_404(Cycle.objects.filter(workspace=workspace), pk=pk)
        below = selectors.below_ids(workspace=workspace, cycle=cycle)
        f = self._pattern_filter(cycle, below, DrillDownForm)
        ids = selectors.scoped_cycle_ids(workspace=workspace, cycle_ids=below, system=f.system)
        entries: QuerySet[Entry] = selectors.visible_shared_entries(
            workspace=workspace, user=self.user, cycle_ids=ids, f=f
        ).prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name", "pk")))
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(
            EntrySerializer(page, many=True, context=self.get_serializer_context()).data
        )
