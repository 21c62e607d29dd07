"""Template helpers for the patterns view: suppressed counts, the server-side trend chart, the
questions at the top of a timeline and the cycle panel. Each tag costs a constant number of
queries."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cycles.models import Cycle
from cycles.patterns import selectors
from cycles.patterns.forms import AnswerForm
from cycles.patterns.selectors import ShownCount, ThemePattern

register = template.Library()

CHART_WIDTH = 240.0
CHART_HEIGHT = 88.0
PAD = 10.0  # left and right: room for a count centred on the first and last point
TOP = 14.0  # room for the count above the highest point
BOTTOM = 14.0  # room for the first and last month's names under the axis


@register.simple_tag
def shown_count(count: ShownCount, url: str) -> SafeString:
    """A count (`selectors.ShownCount`) as a link to what is behind it (`url`); under the
    threshold, "fewer than N"; a total that would give a suppressed part away, "not shown";
    zero is a dash."""
    if count.n == 0:
        return format_html('<span class="count-none" aria-label="{}">&ndash;</span>', _("none"))
    if count.suppressed:
        text = _("fewer than %(n)s") % {"n": count.threshold}
    elif count.hides:
        text = _("not shown (it would reveal a small number)")
    else:
        text = str(count.n)
    css = "count suppressed" if count.hides else "count"
    return format_html('<a class="{}" href="{}">{}</a>', css, url, text)


@register.inclusion_tag("cycles/patterns/_trends.html")
def theme_trends(
    themes: tuple[ThemePattern, ...], months: list[Any], threshold: int
) -> dict[str, Any]:
    """Small multiples, one line per theme on a shared scale, ordered by theme name, each
    point with its count written above it and the first and last month named under the axis.
    Counts the summary suppresses are drawn as hollow marks inside a shaded "fewer than N"
    band, at its middle, and labelled "<N", so the picture never shows what the table
    suppresses; a month with none has no mark and no number. No colour means good or bad."""
    peak = max([threshold, *(cell.n for theme in themes for cell in theme.cells)])
    inner_w = CHART_WIDTH - 2 * PAD
    inner_h = CHART_HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(months) - 1, 1)
    baseline = TOP + inner_h

    def y_of(value: float) -> float:
        return round(baseline - inner_h * value / peak, 2)

    def svg(value: float) -> str:  # never localised ("12,5" would break the SVG)
        return f"{value:.2f}"

    band_top = y_of(threshold)
    charts = []
    for theme in themes:
        points = []
        for index, cell in enumerate(theme.cells):
            shown = threshold / 2 if cell.suppressed else cell.n
            y = y_of(shown)
            points.append(
                {
                    "x": svg(PAD + step * index),
                    "y": svg(y),
                    "label_y": svg(y - 4),
                    "label": f"<{threshold}" if cell.suppressed else str(cell.n),
                    "suppressed": cell.suppressed,
                    "zero": cell.n == 0,
                }
            )
        charts.append(
            {
                "name": theme.name,
                "theme_id": theme.theme_id,
                "points": points,
                "line": " ".join(f"{p['x']},{p['y']}" for p in points),
            }
        )
    return {
        "charts": charts,
        "width": svg(CHART_WIDTH),
        "height": svg(CHART_HEIGHT),
        "band_y": svg(band_top),
        "band_h": svg(baseline - band_top),
        "baseline": svg(baseline),
        "month_y": svg(CHART_HEIGHT - 2),
        "pad": svg(PAD),
        "right": svg(CHART_WIDTH - PAD),
        "inner_w": svg(inner_w),
        "threshold": threshold,
        "first": months[0]["label"] if months else "",
        "last": months[-1]["label"] if months else "",
        "peak": peak,
    }


@register.inclusion_tag("cycles/patterns/_open_questions.html", takes_context=True)
def timeline_questions(context: template.Context, cycle: Cycle) -> dict[str, Any]:
    """Open questions sent to this cycle, newest first, each with an answer form for those who
    may answer. Two queries whatever the number of questions."""
    request = context["request"]
    workspace = request.workspace
    targets = selectors.open_questions_for(workspace=workspace, cycle=cycle)
    can_answer = bool(targets) and selectors.may_answer(
        workspace=workspace, membership=getattr(request, "membership", None), cycle=cycle
    )
    return {
        "workspace": workspace,
        "cycle": cycle,
        "items": [
            {"target": t, "form": AnswerForm(prefix=f"t{t.pk}") if can_answer else None}
            for t in targets
        ],
        "csrf_token": context.get("csrf_token"),
        "trust": context.get("trust"),
    }


@register.simple_tag(takes_context=True)
def patterns_link(context: template.Context, cycle: Cycle) -> str:
    """The cycle page's button to the patterns below it, for a cycle that has cycles below
    (the same walk as the patterns page). One query."""
    workspace = context["request"].workspace
    if not selectors.below_ids(workspace=workspace, cycle=cycle):
        return ""
    url = reverse("cycle-patterns", args=[workspace.slug, cycle.pk])
    return format_html('<a class="button secondary" href="{}">{}</a>', url, _("Patterns below"))


@register.inclusion_tag("cycles/patterns/_panel.html", takes_context=True)
def patterns_panel(context: template.Context, cycle: Cycle) -> dict[str, Any]:
    """The cycle page's link to its patterns and its questions, with how many questions wait
    for an answer (questions, not people). One query."""
    workspace = context["request"].workspace
    return {
        "workspace": workspace,
        "cycle": cycle,
        "waiting": selectors.waiting_question_count(workspace=workspace, cycle=cycle),
    }
