"""The charts' server-side SVG and its partial (cycles/measures/svg.py, _chart.html): well-formed,
one titled link per point, signals marked by shape and colour (never colour alone), the text
alternative and the table, annotations, and no inline style (the CSP forbids it)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from cycles.measures import charts, svg
from cycles.measures.svg import Annotation, ChartPoint, render_chart, render_svg

NS = {"s": "http://www.w3.org/2000/svg"}
START = dt.date(2025, 1, 6)
# 12 baseline points around 10, then 8 at 15 (tests/measures/test_charts.py: a run of 9
# from the 12th point).
VALUES = [8, 12, 9, 11, 8, 12, 9, 11, 8, 12, 9, 11, *[15] * 8]


def weekly(values: list[int | Decimal], url: bool = True) -> list[ChartPoint]:
    return [
        ChartPoint(
            on=START + dt.timedelta(weeks=i),
            value=v,
            note=f"note {i}" if i % 5 == 0 else "",
            url=f"/w/demo/cycles/1/?from={i}" if url else "",
        )
        for i, v in enumerate(values)
    ]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def shifted_chart(**kwargs: object) -> dict[str, object]:
    points = weekly(list(VALUES))
    analysis = charts.run_chart(VALUES, baseline=12)
    defaults: dict[str, object] = {
        "unit": "days",
        "annotations": [Annotation(START + dt.timedelta(weeks=12), "“Call back” starts")],
        "title": "Days to first visit",
    }
    return render_chart(points, analysis, **{**defaults, **kwargs})  # type: ignore[arg-type]


def test_the_svg_is_well_formed_with_one_titled_link_per_point() -> None:
    chart = shifted_chart()
    root = parse(str(chart["svg"]))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("s:title", NS).text == "Days to first visit"  # type: ignore[union-attr]
    links = root.findall(".//s:a", NS)
    assert len(links) == len(VALUES)
    assert [a.get("href") for a in links] == [f"/w/demo/cycles/1/?from={i}" for i in range(20)]
    titles = [a.find("s:title", NS).text for a in links]  # type: ignore[union-attr]
    assert titles[0] == "6 January 2025: 8 days"
    assert titles[11] == "24 March 2025: 11 days (part of an unusually long run)"


def test_flagged_points_differ_in_shape_class_and_colour() -> None:
    root = parse(str(shifted_chart()["svg"]))
    links = root.findall(".//s:a", NS)
    plain = [a.find("s:circle[@class='chart-point']", NS) for a in links[:11]]
    flagged = [a.find("s:path", NS) for a in links[11:]]
    assert all(c is not None for c in plain)
    assert all(p is not None for p in flagged)
    assert all(a.find("s:circle[@class='chart-point']", NS) is None for a in links[11:])
    assert {p.get("class") for p in flagged} == {"chart-point flagged long_run"}  # type: ignore[union-attr]
    assert {p.get("fill") for p in flagged} != {c.get("fill") for c in plain}  # type: ignore[union-attr]
    for colour in ("red", "green", "amber", "#ff0000", "#00ff00"):
        assert colour not in str(shifted_chart()["svg"]).lower()


def test_no_inline_style_as_the_csp_forbids_it() -> None:
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] == ["'self'"]
    chart = shifted_chart()
    html = render_to_string("cycles/measures/_chart.html", {"chart": chart})
    assert "style=" not in html
    assert "<script" not in html


def test_the_text_alternative_states_the_signals_and_the_median() -> None:
    chart = shifted_chart()
    summary = str(chart["summary"])
    assert summary.startswith("A run chart of 20 points from 6 January 2025 to 19 May 2025.")
    assert "The median is 10 days." in summary
    assert "The centre line is from the first 12 points." in summary
    assert chart["signals"] == [
        "An unusually long run of 9 points above the median (more than 7 in a row would be "
        "unusual by chance), from 24 March 2025 to 19 May 2025"
    ]
    html = render_to_string("cycles/measures/_chart.html", {"chart": chart})
    assert "An unusually long run of 9 points above the median" in html
    assert 'aria-describedby="chart-days-to-first-visit-summary"' in html


class Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append([])
        elif tag in {"td", "th"} and self.in_body:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def test_the_table_has_every_value_date_and_note() -> None:
    html = render_to_string("cycles/measures/_chart.html", {"chart": shifted_chart()})
    table = Table()
    table.feed(html)
    assert len(table.rows) == 20
    assert table.rows[0] == ["6 Jan 2025", "8 days", "note 0", ""]
    assert table.rows[5] == ["10 Feb 2025", "12 days", "note 5", ""]
    assert table.rows[19] == ["19 May 2025", "15 days", "", "part of a signal"]
    assert [row[1] for row in table.rows] == [f"{v} days" for v in VALUES]
    assert "<summary>Show the numbers</summary>" in html


def test_annotations_appear_on_the_axis_and_in_the_text() -> None:
    outside = (START - dt.timedelta(days=30), "Moved to Plan")
    chart = shifted_chart(
        annotations=[Annotation(START + dt.timedelta(weeks=12), "“Call back” starts"), outside]
    )
    root = parse(str(chart["svg"]))
    labels = [t.text for t in root.findall(".//s:text[@class='chart-annotation-label']", NS)]
    assert labels == ["“Call back” starts"]  # the one outside the dates is not drawn
    assert len(root.findall(".//s:line[@class='chart-annotation']", NS)) == 1
    html = render_to_string("cycles/measures/_chart.html", {"chart": chart})
    assert "31 March 2025: “Call back” starts" in html
    assert "7 December 2024: Moved to Plan" in html
    assert "outside the chart&#x27;s dates" in html or "outside the chart's dates" in html


def test_axes_carry_dates_and_the_unit() -> None:
    root = parse(str(shifted_chart()["svg"]))
    dates = [t.text for t in root.findall(".//s:text[@class='chart-date']", NS)]
    assert dates[0] == "6 Jan 2025"
    assert dates[-1] == "19 May 2025"
    assert 2 <= len(dates) <= svg.MAX_DATE_TICKS
    axis = [t.text for t in root.findall(".//s:text[@class='chart-axis-label']", NS)]
    assert axis == ["Date", "days"]
    assert root.findall(".//s:text[@class='chart-centre-label']", NS)[0].text == "median 10"


def test_a_control_chart_shows_the_mean_the_limits_and_a_point_beyond() -> None:
    values: list[int | Decimal] = [10, 12] * 5 + [20, 12]
    analysis = charts.control_chart(values, baseline=10)
    chart = render_chart(weekly(values), analysis, unit="", annotations=(), title="Calls")
    root = parse(str(chart["svg"]))
    lines = root.findall(".//s:line[@class='chart-limit']", NS)
    assert len(lines) == 2
    assert all(line.get("stroke-dasharray") for line in lines)
    assert len(root.findall(".//s:line[@class='chart-centre']", NS)) == 1
    [flagged] = root.findall(".//s:path", NS)
    assert flagged.get("class") == "chart-point flagged beyond_limits"
    title = root.findall(".//s:a", NS)[10].find("s:title", NS).text  # type: ignore[union-attr]
    assert title == "17 March 2025: 20 (beyond a limit)"
    assert "The mean is 11. The limits are 5.68 and 16.32." in chart["summary"]
    assert chart["signals"] == [
        "Point 11 is above the upper limit (20; the limit is 16.32), on 17 March 2025"
    ]


def test_too_few_points_and_values_as_decimals() -> None:
    values: list[int | Decimal] = [Decimal("1240.00")] * 3 + [Decimal("12.50")]
    points = weekly(values, url=False)
    analysis = charts.run_chart(values)
    chart = render_chart(points, analysis, unit="pounds", annotations=(), title="Arrears")
    root = parse(str(chart["svg"]))
    assert root.findall(".//s:a", NS) == []  # no url: not a link, still titled
    titles = [
        g.find("s:title", NS).text for g in root.findall(".//s:g[@class='chart-point-link']", NS)
    ]  # type: ignore[union-attr]
    assert titles == [
        "6 January 2025: 1240 pounds", "13 January 2025: 1240 pounds",
        "20 January 2025: 1240 pounds", "27 January 2025: 12.5 pounds",
    ]  # fmt: skip
    assert "not applied yet" in chart["summary"]
    assert chart["signals"] == []


def test_one_point_and_all_values_equal_still_draw() -> None:
    one = render_chart(weekly([5]), charts.control_chart([5]), unit="", title="One")
    assert len(parse(str(one["svg"])).findall(".//s:a", NS)) == 1
    assert "A control chart of 1 point, on 6 January 2025." in one["summary"]
    same = render_chart(weekly([7] * 12), charts.run_chart([7] * 12), unit="", title="Same")
    parse(str(same["svg"]))


def test_text_is_escaped() -> None:
    points = [ChartPoint(START, 1, note="<b>", url="/x?a=1&b=2")]
    chart = render_chart(points, charts.run_chart([1]), unit="<u>", title="A & B <c>",
                         annotations=[(START, "<script>")])  # fmt: skip
    markup = str(chart["svg"])
    root = parse(markup)
    assert root.find(".//s:a", NS).get("href") == "/x?a=1&b=2"  # type: ignore[union-attr]
    assert "<script>" not in markup
    assert "<script>" not in render_to_string("cycles/measures/_chart.html", {"chart": chart})


def test_points_must_match_the_analysis() -> None:
    with pytest.raises(ValueError, match="differ"):
        render_svg(weekly([1, 2]), charts.run_chart([1]), unit="", title="x")
    with pytest.raises(ValueError, match="at least one"):
        render_chart([], charts.run_chart([]), unit="", title="x")


def test_coordinates_are_never_localised() -> None:
    markup = str(shifted_chart()["svg"])
    for attribute in re.findall(r' (?:x|y|x1|x2|y1|y2|cx|cy)="([^"]*)"', markup):
        float(attribute)
