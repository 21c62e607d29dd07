"""Template helpers for cycles: safe Markdown, capability checks and the cycle wheel."""

from __future__ import annotations

import math
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from cycles.models import Cycle, Entry, Experiment, Phase
from cycles.selectors import experiment_searched_text
from hls.markdown import excerpt as plain_excerpt
from hls.markdown import plain_headline, to_html
from hls.tenancy.models import Membership
from hls.tenancy.permissions import can as can_do
from systems.models import ShareLevel

register = template.Library()


@register.filter
def render_markdown(text: str) -> SafeString:
    """Markdown to HTML through the project's one sanitiser (hls.markdown)."""
    return mark_safe(to_html(text))  # noqa: S308 - sanitised by nh3 in to_html


@register.filter
def excerpt(text: str, words: int = 40) -> str:
    """A few words of what was written, as read (no Markdown marks), cut at a word with '…'."""
    return plain_excerpt(text, int(words))


def _searched_text(item: Entry | Experiment | Cycle) -> str:
    """The text a search result's headline was cut from (cycles.selectors.search)."""
    if isinstance(item, Experiment):
        return experiment_searched_text(item)
    if isinstance(item, Cycle):
        return item.purpose
    return item.text


@register.filter
def search_snippet(item: Entry | Experiment | Cycle) -> SafeString:
    """A search result's headline as read: highlights kept, Markdown marks gone, an ellipsis
    where it starts or ends inside the text."""
    headline = getattr(item, "headline", "")
    # Safe: the headline holds only <mark> tags (cycles.selectors._only_marks); this only
    # removes characters and adds an ellipsis.
    return mark_safe(plain_headline(headline, _searched_text(item)))  # noqa: S308


@register.filter
def can(membership: Membership | None, capability: str) -> bool:
    return can_do(membership, capability)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def kind_label(value: str) -> str:
    return str(dict(Entry.Kind.choices).get(value, value))


@register.filter
def phase_label(value: str) -> str:
    return str(dict(Phase.choices).get(value, value))


@register.filter
def share_label(value: int) -> str:
    return str(dict(ShareLevel.choices).get(value, value))


# The wheel -----------------------------------------------------------------------------------

CENTRE = 160.0
OUTER = 150.0
INNER = 66.0
GAP_DEGREES = 2.0
SHORT_LABELS = {
    Phase.UNDERSTAND: _("Understand"),
    Phase.CO_DESIGN: _("Co-design"),
    Phase.EXPERIMENT: _("Experiment"),
    Phase.EMBED: _("Embed"),
}


def _point(radius: float, degrees: float) -> tuple[float, float]:
    radians = math.radians(degrees)
    return (
        round(CENTRE + radius * math.cos(radians), 2),
        round(CENTRE + radius * math.sin(radians), 2),
    )


def _segment_path(start: float, end: float) -> str:
    ox1, oy1 = _point(OUTER, start)
    ox2, oy2 = _point(OUTER, end)
    ix2, iy2 = _point(INNER, end)
    ix1, iy1 = _point(INNER, start)
    return (
        f"M {ox1} {oy1} A {OUTER} {OUTER} 0 0 1 {ox2} {oy2} "
        f"L {ix2} {iy2} A {INNER} {INNER} 0 0 0 {ix1} {iy1} Z"
    )


@register.inclusion_tag("cycles/_wheel.html")
def cycle_wheel(cycle: Cycle, counts: dict[str, int], workspace_slug: str) -> dict[str, Any]:
    """The four phases around "managing and governing": where the cycle is, and how many
    entries (that the viewer may see) were logged in each. A picture, not a score."""
    timeline = reverse("cycle-timeline", args=[workspace_slug, cycle.pk])
    segments = []
    for index, (value, label) in enumerate(Phase.choices):
        start = -135.0 + 90.0 * index + GAP_DEGREES / 2
        end = start + 90.0 - GAP_DEGREES
        label_x, label_y = _point((OUTER + INNER) / 2, (start + end) / 2)
        segments.append(
            {
                "phase": value,
                "label": label,
                "short": SHORT_LABELS[Phase(value)],
                "count": counts.get(value, 0),
                "path": _segment_path(start, end),
                "x": label_x,
                "y": label_y,
                "current": value == cycle.phase,
                "url": f"{timeline}?phase={value}",
            }
        )
    return {"cycle": cycle, "segments": segments, "centre": CENTRE}
