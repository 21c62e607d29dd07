"""The geometry of the placements' plots, drawn as server-rendered SVG (no library, no script):
a ternary plot per triad, a strip per dyad and a scatter of two dyads. Each function returns
plain values for the template; numbers are formatted here, never localised ("12,5" would break
the SVG). Each dot carries the story it stands for (its link and title are the template's).

The text alternative groups the same stories by region, in words: near a corner ("mostly
People"), between two corners, or near the middle of a triad; towards one end or in between on
a dyad. The regions are for reading, not scores: no region is better than another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cycles.signifiers.definition import TRIANGLE_HEIGHT, Signifier, point_of
from cycles.signifiers.selectors import Dot, Plot, Scatter

# The triangle as drawn: side SIDE, its top corner at (LEFT + SIDE/2, TOP).
SIDE = 260.0
LEFT = 30.0
TOP = 34.0
WIDTH = LEFT * 2 + SIDE
HEIGHT = TOP + SIDE * TRIANGLE_HEIGHT + 40
DOT_R = 5.0
# A dyad's strip, and the scatter's square.
STRIP_W, STRIP_H, STRIP_PAD = 320.0, 70.0, 20.0
SQUARE, SQUARE_PAD = 260.0, 40.0


def n(value: float) -> str:
    return f"{value:.1f}"


def triangle_point(x: float, y: float) -> tuple[float, float]:
    """A point in the triangle's own coordinates (side 1), as drawn."""
    return LEFT + x * SIDE, TOP + y * SIDE


def triangle() -> dict[str, str]:
    """The triangle's outline and where its corner labels go (shared with the placing page,
    whose script reads the same numbers from data attributes)."""
    ax, ay = triangle_point(0.5, 0)
    bx, by = triangle_point(0, TRIANGLE_HEIGHT)
    cx, cy = triangle_point(1, TRIANGLE_HEIGHT)
    return {
        "width": n(WIDTH),
        "height": n(HEIGHT),
        "points": f"{n(ax)},{n(ay)} {n(bx)},{n(by)} {n(cx)},{n(cy)}",
        "a_x": n(ax),
        "a_y": n(ay - 12),
        "b_x": n(bx - 10),
        "b_y": n(by + 24),
        "c_x": n(cx + 10),
        "c_y": n(cy + 24),
        "left": n(LEFT),
        "top": n(TOP),
        "side": n(SIDE),
        "centre_x": n(LEFT + SIDE / 2),
        "centre_y": n(TOP + SIDE * TRIANGLE_HEIGHT * 2 / 3),
    }


def triad_dot(weights: dict[str, float]) -> tuple[str, str]:
    x, y = triangle_point(*point_of(weights))
    return n(x), n(y)


def triad_region(weights: dict[str, float], labels: tuple[str, ...]) -> str:
    """Near a corner, between two, or near the middle (in words)."""
    ranked = sorted(zip("abc", labels, strict=True), key=lambda kv: -weights[kv[0]])
    (first, first_label), (_second, second_label), (third, _l) = ranked
    if weights[first] >= 0.6:
        return _("Mostly “%(corner)s”") % {"corner": first_label}
    if weights[third] < 0.2:
        return _("Between “%(one)s” and “%(other)s”") % {
            "one": min(first_label, second_label),
            "other": max(first_label, second_label),
        }
    return _("Near the middle")


def triad_regions(s: Signifier) -> list[str]:
    """Every region of a triad, in a fixed order (corners, sides, middle)."""
    a, b, c = s.labels
    corner = [_("Mostly “%(corner)s”") % {"corner": label} for label in s.labels]
    sides = [
        _("Between “%(one)s” and “%(other)s”") % {"one": min(x, y), "other": max(x, y)}
        for x, y in ((a, b), (a, c), (b, c))
    ]
    return [*corner, *sides, _("Near the middle")]


def dyad_region(x: float, labels: tuple[str, ...]) -> str:
    if x < 1 / 3:
        return _("Towards “%(end)s”") % {"end": labels[0]}
    if x > 2 / 3:
        return _("Towards “%(end)s”") % {"end": labels[1]}
    return _("In between")


def dyad_regions(s: Signifier) -> list[str]:
    return [
        _("Towards “%(end)s”") % {"end": s.labels[0]},
        _("In between"),
        _("Towards “%(end)s”") % {"end": s.labels[1]},
    ]


@dataclass(frozen=True)
class Drawn:
    dot: Dot
    x: str
    y: str
    region: str
    url: str


def _by_region(order: list[str], drawn: Iterable[Drawn]) -> list[dict[str, Any]]:
    groups: dict[str, list[Drawn]] = {region: [] for region in order}
    for d in drawn:
        groups.setdefault(d.region, []).append(d)
    return [{"region": region, "dots": dots} for region, dots in groups.items() if dots]


Link = Callable[[Dot], str]


def triad_plot(plot: Plot, link: Link) -> dict[str, Any]:
    s = plot.signifier
    drawn = [
        Drawn(d, *triad_dot(d.value), region=triad_region(d.value, s.labels), url=link(d))
        for d in plot.dots
    ]
    return {
        "plot": plot,
        "shape": triangle(),
        "dots": drawn,
        "regions": _by_region(triad_regions(s), drawn),
        "r": n(DOT_R),
    }


def _jitter(index: int) -> float:
    """Stack dots on a strip in rows of five, so that stories at one place stay apart."""
    return ((index % 5) - 2) * 7.0


def dyad_plot(plot: Plot, link: Link) -> dict[str, Any]:
    s = plot.signifier
    inner = STRIP_W - 2 * STRIP_PAD
    mid = STRIP_H / 2
    drawn = [
        Drawn(
            d,
            n(STRIP_PAD + float(d.value["x"]) * inner),
            n(mid + _jitter(i)),
            region=dyad_region(float(d.value["x"]), s.labels),
            url=link(d),
        )
        for i, d in enumerate(plot.dots)
    ]
    return {
        "plot": plot,
        "width": n(STRIP_W),
        "height": n(STRIP_H + 24),
        "x1": n(STRIP_PAD),
        "x2": n(STRIP_W - STRIP_PAD),
        "mid": n(mid),
        "label_y": n(STRIP_H + 16),
        "dots": drawn,
        "regions": _by_region(dyad_regions(s), drawn),
        "r": n(DOT_R),
    }


def scatter_plot(scatter: Scatter, link: Link) -> dict[str, Any]:
    lo, hi = SQUARE_PAD, SQUARE_PAD + SQUARE
    drawn = [
        {
            "dot": d,
            "url": link(d),
            "x": n(lo + x * SQUARE),
            "y": n(hi - y * SQUARE),
            "x_region": dyad_region(x, scatter.x.labels),
            "y_region": dyad_region(y, scatter.y.labels),
        }
        for d, x, y in scatter.dots
    ]
    return {
        "scatter": scatter,
        "size": n(SQUARE + 2 * SQUARE_PAD),
        "lo": n(lo),
        "hi": n(hi),
        "mid": n(lo + SQUARE / 2),
        "below": n(hi + 18),
        "above": n(lo - 8),
        "left_x": n(lo - 8),
        "dots": drawn,
        "r": n(DOT_R),
    }
