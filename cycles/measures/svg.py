"""Run and control charts drawn on the server as inline SVG (issue 16, item 2).

Our own small renderer: no JavaScript, no third-party library, nothing fetched. The page's
Content-Security-Policy forbids inline styles (`style-src 'self'`, hls/settings.py), so the
SVG carries presentation attributes (stroke, fill, stroke-dasharray) and CSS classes (the
`.measure-chart` block in static/css/app.css), never a `style="..."` attribute. It is built
with xml.etree, so it is always well-formed and every text and URL is escaped.

Interface (the measures' pages call this; keep it stable):

    from cycles.measures import charts, svg
    analysis = charts.run_chart(values)            # or charts.control_chart(values)
    chart = svg.render_chart(
        [svg.ChartPoint(on=date, value=value, note=note, url=url), ...],   # oldest first
        analysis,
        unit="days", annotations=[svg.Annotation(date, "“Call back” starts"), ...],
        title="Days from referral to first visit",
    )
    # in the template:
    {% include "cycles/measures/_chart.html" with chart=chart %}

`points` are the analysis's values in the same order (a ValueError otherwise), and must not
be empty. Each point's `url` opens the entries of its period (an empty url: the point is not a
link). `annotations`: anything with `.date` and `.label` (svg.Annotation, or the selectors'
own Annotation) or `(date, label)` pairs: experiments starting or ending, phase moves; those
outside the points' dates are listed in the text but not drawn. `dom_id` (keyword, optional)
makes the ids unique when a page shows several charts (default: from the title).

`render_chart` returns the partial's context, a dict:
    id, title, kind ("run" | "control"), unit, analysis,
    svg: SafeString (the <svg> element),
    summary: str (the text alternative: points, period, centre line, limits, what the rules
        found),
    signals: list[str] (each signal in words, with the dates of its points),
    annotations: list[dict(date, label, shown)],
    rows: list[dict(on, value, note, url, flagged)] (the table; value with its unit).
`render_svg(...)` (same arguments) gives the SVG alone.

What the picture shows: the points joined by a line; the median (run chart) or the mean and
the limits (control chart, limits dashed); points that are part of a signal drawn as larger
diamonds in another colour (shape and colour, never colour alone, and no colour meaning good
or bad); annotations as dotted vertical lines with their labels; dates on the time axis and
the unit on the value axis. Each point is a link whose <title> names it ("3 March 2025: 12
days").
"""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cycles.measures.charts import ControlAnalysis, RunAnalysis, format_number

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 640.0, 320.0
LEFT, RIGHT, TOP, BOTTOM = 64.0, 24.0, 44.0, 52.0
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
INSET = 10.0  # the first and last points sit this far inside the axes
MAX_DATE_TICKS = 5  # evenly spaced in time, the first and last points' dates included
MAX_LABEL = 32  # an annotation's label on the chart; the full label is in the text

# Colours as presentation attributes (CSS may restyle them); none means good or bad.
INK, MUTED, GRID, POINT, FLAGGED, PAPER = (
    "#1d2a33", "#4f5f6b", "#d5d9dc", "#1b5e7a", "#6b3d8f", "#ffffff",
)  # fmt: skip

Analysis = RunAnalysis | ControlAnalysis


@dataclass(frozen=True)
class ChartPoint:
    """One value on the chart: its date, value, note and the link to its period's entries."""

    on: dt.date
    value: float | Decimal
    note: str = ""
    url: str = ""


@dataclass(frozen=True)
class Annotation:
    """Something on the time axis: an experiment starting or ending, a phase move."""

    date: dt.date
    label: str


class AnnotationLike(Protocol):
    @property
    def date(self) -> dt.date: ...

    @property
    def label(self) -> str: ...


def _annotation(item: AnnotationLike | tuple[dt.date, str]) -> Annotation:
    if isinstance(item, tuple):
        return Annotation(item[0], str(item[1]))
    return Annotation(item.date, str(item.label))


def _num(value: float) -> str:
    """A coordinate: never localised ("12,5" would break the SVG)."""
    return f"{value:.2f}"


def value_text(value: float | Decimal, unit: str = "") -> str:
    """A value as people read it, with its unit: "12 days", "1240 pounds", "2.5"."""
    if isinstance(value, Decimal):
        integral = value == value.to_integral_value()
        text = str(int(value)) if integral else format(value.normalize(), "f")
    else:
        text = format_number(float(value))
    return f"{text} {unit}".strip() if unit else text


def long_date(on: dt.date) -> str:
    return date_format(on, "j F Y")


def short_date(on: dt.date) -> str:
    return date_format(on, "j M Y")


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round numbers covering [low, high], about `count` steps."""
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    steps = math.ceil(round((high - start) / step, 9))
    return [round(start + i * step, 10) for i in range(steps + 1)]


def _date_ticks(first: dt.date, last: dt.date, count: int) -> list[dt.date]:
    """Up to MAX_DATE_TICKS dates evenly spaced from `first` to `last`."""
    span = (last - first).days
    steps = min(count, MAX_DATE_TICKS, span + 1) - 1
    if steps <= 0:
        return [first]
    return sorted({first + dt.timedelta(days=round(span * i / steps)) for i in range(steps + 1)})


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
    )
    if text is not None:
        element.text = text
    return element


def _flag_reasons(analysis: Analysis) -> dict[int, list[str]]:
    reasons: dict[int, list[str]] = {}
    for signal in analysis.signals:
        for index in signal.indices:
            reasons.setdefault(index, []).append(signal.kind)
    return reasons


def _reason_words(kind: str) -> str:
    return {
        "long_run": _("part of an unusually long run"),
        "beyond_limits": _("beyond a limit"),
    }.get(kind, _("part of a signal"))


def _check(points: Sequence[ChartPoint], analysis: Analysis) -> None:
    if not points:
        raise ValueError("a chart needs at least one point")
    if len(points) != analysis.n:
        raise ValueError("the points and the analysis differ in number")


def _lines(analysis: Analysis) -> list[tuple[str, float, str]]:
    """(class, value, label) of the horizontal lines."""
    found: list[tuple[str, float, str]] = []
    if analysis.centre is None:
        return found
    if isinstance(analysis, ControlAnalysis):
        found.append(("chart-centre", analysis.centre, _("mean")))
        upper, lower = analysis.upper_limit, analysis.lower_limit
        if upper is not None and lower is not None and upper != lower:
            found.append(("chart-limit", upper, _("upper limit")))
            found.append(("chart-limit", lower, _("lower limit")))
    else:
        found.append(("chart-centre", analysis.centre, _("median")))
    return found


def render_svg(
    points: Sequence[ChartPoint],
    analysis: Analysis,
    *,
    unit: str,
    annotations: Sequence[AnnotationLike | tuple[dt.date, str]] = (),
    title: str,
    dom_id: str = "",
) -> SafeString:
    """The chart as an <svg> element (module docstring)."""
    _check(points, analysis)
    dom_id = dom_id or f"chart-{slugify(title) or 'measure'}"
    values = list(analysis.values)
    lines = _lines(analysis)
    ticks = _ticks(
        min(values + [v for _c, v, _l in lines]), max(values + [v for _c, v, _l in lines])
    )
    low, high = ticks[0], ticks[-1]
    first, last = points[0].on, points[-1].on
    span = (last - first).days

    def x_of(on: dt.date) -> float:
        if span <= 0:
            return LEFT + PLOT_W / 2
        return LEFT + INSET + (PLOT_W - 2 * INSET) * (on - first).days / span

    def y_of(value: float) -> float:
        return TOP + PLOT_H * (high - value) / (high - low)

    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {_num(WIDTH)} {_num(HEIGHT)}",
            "class": "measure-chart-svg",
            "role": "group",
            "aria-labelledby": f"{dom_id}-svg-title",
            "font-family": "system-ui, sans-serif",
            "font-size": "12",
        },
    )
    _el(svg, "title", title, id=f"{dom_id}-svg-title")
    bottom = TOP + PLOT_H

    grid = _el(svg, "g", class_="chart-grid", aria_hidden="true")
    for tick in ticks:
        at = _num(y_of(tick))
        _el(grid, "line", class_="chart-gridline", x1=_num(LEFT), x2=_num(LEFT + PLOT_W),
            y1=at, y2=at, stroke=GRID, stroke_width="1")  # fmt: skip
        _el(grid, "text", format_number(tick), class_="chart-tick", x=_num(LEFT - 6), y=at,
            text_anchor="end", dominant_baseline="middle", fill=MUTED)  # fmt: skip

    axes = _el(svg, "g", class_="chart-axes", aria_hidden="true")
    _el(axes, "line", class_="chart-axis", x1=_num(LEFT), x2=_num(LEFT + PLOT_W),
        y1=_num(bottom), y2=_num(bottom), stroke=MUTED, stroke_width="1")  # fmt: skip
    _el(axes, "line", class_="chart-axis", x1=_num(LEFT), x2=_num(LEFT), y1=_num(TOP),
        y2=_num(bottom), stroke=MUTED, stroke_width="1")  # fmt: skip
    for on in _date_ticks(first, last, len(points)):
        x = x_of(on)
        anchor = "start" if x < LEFT + 40 else "end" if x > LEFT + PLOT_W - 40 else "middle"
        _el(axes, "line", x1=_num(x), x2=_num(x), y1=_num(bottom), y2=_num(bottom + 4),
            stroke=MUTED, stroke_width="1")  # fmt: skip
        _el(axes, "text", short_date(on), class_="chart-date", x=_num(x),
            y=_num(bottom + 16), text_anchor=anchor, fill=MUTED)  # fmt: skip
    _el(axes, "text", _("Date"), class_="chart-axis-label", x=_num(LEFT + PLOT_W / 2),
        y=_num(HEIGHT - 8), text_anchor="middle", fill=INK)  # fmt: skip
    middle = _num(TOP + PLOT_H / 2)
    _el(axes, "text", unit or _("Value"), class_="chart-axis-label", x="14", y=middle,
        text_anchor="middle", transform=f"rotate(-90 14 {middle})", fill=INK)  # fmt: skip

    marks = _el(svg, "g", class_="chart-annotations", aria_hidden="true")
    shown = [a for a in map(_annotation, annotations) if first <= a.date <= last]
    for row, note in enumerate(shown):
        x = x_of(note.date)
        label = note.label if len(note.label) <= MAX_LABEL else note.label[: MAX_LABEL - 1] + "…"
        _el(marks, "line", class_="chart-annotation", x1=_num(x), x2=_num(x),
            y1=_num(TOP - 12 + 12 * (row % 2)), y2=_num(bottom), stroke=MUTED,
            stroke_width="1", stroke_dasharray="2 3")  # fmt: skip
        right_half = x > LEFT + PLOT_W / 2
        _el(marks, "text", label, class_="chart-annotation-label",
            x=_num(x - 3 if right_half else x + 3), y=_num(TOP - 16 + 12 * (row % 2)),
            text_anchor="end" if right_half else "start", fill=INK, font_size="11")  # fmt: skip

    centre = _el(svg, "g", class_="chart-lines", aria_hidden="true")
    for css, value, name in lines:
        at = _num(y_of(value))
        attrs = {"stroke_dasharray": "6 4"} if css == "chart-limit" else {}
        _el(centre, "line", class_=css, x1=_num(LEFT), x2=_num(LEFT + PLOT_W), y1=at, y2=at,
            stroke=INK, stroke_width="1.5", **attrs)  # fmt: skip
        _el(centre, "text", f"{name} {format_number(value)}", class_=f"{css}-label",
            x=_num(LEFT + PLOT_W - 2), y=_num(y_of(value) - 4), text_anchor="end",
            fill=INK, font_size="11")  # fmt: skip

    coords = [(x_of(p.on), y_of(v)) for p, v in zip(points, values, strict=True)]
    _el(svg, "polyline", class_="chart-data-line", aria_hidden="true", fill="none",
        stroke=POINT, stroke_width="1.5",
        points=" ".join(f"{_num(x)},{_num(y)}" for x, y in coords))  # fmt: skip

    reasons = _flag_reasons(analysis)
    dots = _el(svg, "g", class_="chart-points")
    for index, (point, (x, y)) in enumerate(zip(points, coords, strict=True)):
        name = f"{long_date(point.on)}: {value_text(point.value, unit)}"
        kinds = reasons.get(index)
        if kinds:
            name += " (" + "; ".join(dict.fromkeys(map(_reason_words, kinds))) + ")"
        if point.url:
            holder = _el(dots, "a", href=point.url, class_="chart-point-link")
        else:
            holder = _el(dots, "g", class_="chart-point-link")
        _el(holder, "title", name)
        _el(holder, "circle", class_="chart-point-target", cx=_num(x), cy=_num(y), r="12",
            fill=PAPER, fill_opacity="0")  # fmt: skip
        if kinds:
            size = 7.0
            _el(holder, "path", class_="chart-point flagged " + " ".join(sorted(set(kinds))),
                d=f"M {_num(x)} {_num(y - size)} L {_num(x + size)} {_num(y)} "
                  f"L {_num(x)} {_num(y + size)} L {_num(x - size)} {_num(y)} Z",
                fill=FLAGGED, stroke=PAPER, stroke_width="1.5")  # fmt: skip
        else:
            _el(holder, "circle", class_="chart-point", cx=_num(x), cy=_num(y), r="4",
                fill=POINT, stroke=PAPER, stroke_width="1")  # fmt: skip
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308 - built by ElementTree, every text escaped


def _span(points: Sequence[ChartPoint], indices: tuple[int, ...]) -> str:
    """ ", from 24 March 2025 to 19 May 2025" (or ", on ..."): when a signal's points are."""
    if not indices:
        return ""
    first, last = points[indices[0]].on, points[indices[-1]].on
    if first == last:
        return ", " + _("on %(date)s") % {"date": long_date(first)}
    return ", " + _("from %(first)s to %(last)s") % {
        "first": long_date(first),
        "last": long_date(last),
    }


def _summary(points: Sequence[ChartPoint], analysis: Analysis, unit: str) -> str:
    kind = _("A control chart") if isinstance(analysis, ControlAnalysis) else _("A run chart")
    parts = [
        _("%(kind)s of %(n)s points from %(first)s to %(last)s.")
        % {
            "kind": kind,
            "n": len(points),
            "first": long_date(points[0].on),
            "last": long_date(points[-1].on),
        }
        if len(points) > 1
        else _("%(kind)s of 1 point, on %(first)s.")
        % {"kind": kind, "first": long_date(points[0].on)}
    ]
    if analysis.centre is not None:
        centre = value_text(analysis.centre, unit)
        if isinstance(analysis, ControlAnalysis):
            parts.append(_("The mean is %(centre)s.") % {"centre": centre})
            if analysis.upper_limit is not None and analysis.lower_limit is not None:
                parts.append(
                    _("The limits are %(lower)s and %(upper)s.")
                    % {
                        "lower": value_text(analysis.lower_limit, unit),
                        "upper": value_text(analysis.upper_limit, unit),
                    }
                )
        else:
            parts.append(_("The median is %(centre)s.") % {"centre": centre})
        if analysis.baseline < analysis.n:
            parts.append(
                _("The centre line is from the first %(baseline)s points.")
                % {"baseline": analysis.baseline}
            )
    parts.append(analysis.rules_text)
    if analysis.signals:
        parts.append(_("Signals: %(count)s, listed below.") % {"count": len(analysis.signals)})
    elif not analysis.too_few:
        parts.append(_("No signal: the variation looks random, as far as the rules can tell."))
    return " ".join(parts)


def render_chart(
    points: Sequence[ChartPoint],
    analysis: Analysis,
    *,
    unit: str,
    annotations: Sequence[AnnotationLike | tuple[dt.date, str]] = (),
    title: str,
    dom_id: str = "",
) -> dict[str, Any]:
    """The context of templates/cycles/measures/_chart.html (module docstring)."""
    _check(points, analysis)
    dom_id = dom_id or f"chart-{slugify(title) or 'measure'}"
    first, last = points[0].on, points[-1].on
    flagged = set(analysis.flagged)
    return {
        "id": dom_id,
        "title": title,
        "kind": analysis.kind,
        "unit": unit,
        "analysis": analysis,
        "svg": render_svg(
            points, analysis, unit=unit, annotations=annotations, title=title, dom_id=dom_id
        ),
        "summary": _summary(points, analysis, unit),
        "signals": [s.text + _span(points, s.indices) for s in analysis.signals],
        "annotations": [
            {"date": a.date, "label": a.label, "shown": first <= a.date <= last}
            for a in sorted(map(_annotation, annotations), key=lambda a: a.date)
        ],
        "rows": [
            {
                "on": p.on,
                "value": value_text(p.value, unit),
                "note": p.note,
                "url": p.url,
                "flagged": index in flagged,
            }
            for index, p in enumerate(points)
        ],
    }
