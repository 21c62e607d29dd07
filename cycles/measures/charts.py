"""Run charts and control charts: the statistics, computed on the server (issue 16, item 2).

Pure functions, no database: they take a measure's values oldest first and say whether the
variation looks random or shows a signal, in plain words. A measure has no target, so a
signal is never "good" or "bad": it says the process changed, and the people doing the work
decide what that means for them.

Interface (others call these; keep it stable):

    run_chart(values, *, baseline=None) -> RunAnalysis
    control_chart(values, *, baseline=None, floor=None) -> ControlAnalysis

`values` is a sequence of numbers (int, float or Decimal), oldest first; it may be empty (the
analysis is then `too_few`, with no centre line). `baseline`: the centre line (and a control
chart's limits) come from the first `baseline` points only; the rules still look at every
point, which is how a shift after a baseline period shows. `floor`: a control chart's lower
limit is never drawn below it (pass `floor=0` for a count or a duration).

Both analyses carry:
    kind: "run" | "control" (a class attribute)
    values: tuple[float, ...]           the values as given
    baseline: int                       how many points the centre line is from
    centre: float | None                the median (run) or the mean (control); None if empty
    useful: int                         points not on the centre line
    longest_run, longest_run_limit      the Anhøj shift rule
    crossings, crossings_limit          the Anhøj crossings rule
    unusually_long_run, unusually_few_crossings: bool
    long_run_indices: tuple[int, ...]   the points (0-based) in a run longer than the limit
    too_few: bool                       under 10 points to judge by: no rule applied
    signals: tuple[Signal, ...]         each Signal(kind, text, indices), text in plain words
    signal: bool                        any signal (property)
    flagged: tuple[int, ...]            every point that is part of a signal (property)
    rules_text: str                     one or two sentences on what the rules found
RunAnalysis also has `median` (= centre). ControlAnalysis also has `mean` (= centre),
`moving_ranges` (n - 1 of them), `average_moving_range`, `upper_limit`, `lower_limit` (None
with fewer than two baseline points), `floor` and `beyond_limits_indices`.

Signal kinds: "long_run", "few_crossings", "beyond_limits".

The rules (docs/measures.md, "How the charts work"):
- The Anhøj rules (Anhøj & Olesen 2014, "Run charts revisited", PLoS ONE 9(11): e113825), on
  the median for a run chart and on the mean for a control chart, as Anhøj recommends and his
  qicharts2 does for I-charts. Points exactly on the centre line are left out: they neither
  break nor extend a run, and n is the number of the others ("useful" points). A run longer
  than round(log2(n) + 3) is unusually long; fewer crossings than the 5th percentile of the
  binomial distribution with n - 1 trials and p = 0.5 are unusually few. Both limits keep the
  chance of a false signal near 5% whatever n.
- A control chart is an individuals chart (XmR, I-chart): the centre is the mean, the limits
  the mean ± 2.66 x the average moving range (2.66 = 3 / 1.128, three sigma estimated from
  moving ranges of two). Shewhart's rule: a point beyond a limit is a signal. No other
  Western Electric rules are used: more rules mean more false signals.
- With fewer than 10 useful points (10 points for a control chart) no rule is applied: the
  chart shows the centre line and says why no rule is applied yet.

All comparisons are exact (fractions), so a point equal to the median is on it whatever the
float rounding.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import ClassVar, TypedDict

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIN_USEFUL = 10  # fewer useful points than this: the rules are not applied
CONTROL_FACTOR = Fraction(266, 100)  # 3 / d2, d2 = 1.128 for moving ranges of two
FALSE_SIGNAL = Fraction(5, 100)  # the crossings limit is the 5th percentile

LONG_RUN = "long_run"
FEW_CROSSINGS = "few_crossings"
BEYOND_LIMITS = "beyond_limits"

Number = float | int | Decimal


def longest_run_limit(useful: int) -> int:
    """The longest run expected by chance among `useful` points off the centre line:
    round(log2(n) + 3) (Schilling 2012, as used by Anhøj and Olesen 2014)."""
    if useful < 1:
        return 0
    return round(math.log2(useful) + 3)


def crossings_limit(useful: int) -> int:
    """The fewest crossings expected by chance among `useful` points: the 5th percentile of
    Binomial(n - 1, 0.5), i.e. the smallest c with P(X <= c) >= 0.05 (R's qbinom(0.05, n - 1,
    0.5)). Computed exactly with integers."""
    trials = max(useful - 1, 0)
    total = 2**trials
    cumulative = 0
    for c in range(trials + 1):
        cumulative += math.comb(trials, c)
        if Fraction(cumulative, total) >= FALSE_SIGNAL:
            return c
    return trials  # pragma: no cover - the loop always returns (the CDF reaches 1)


def format_number(value: float) -> str:
    """A value for people: whole numbers without decimals, others to at most two decimals
    (four under 1), never in exponent form ("1240", "12.5", "0.0125")."""
    if value == int(value):
        return str(int(value))
    places = 2 if abs(value) >= 1 else 4
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


@dataclass(frozen=True)
class Signal:
    """Something non-random on a chart: `kind` (LONG_RUN, FEW_CROSSINGS, BEYOND_LIMITS),
    `text` in plain words, `indices` the points (0-based) it concerns (empty for few
    crossings: that concerns the whole series)."""

    kind: str
    text: str
    indices: tuple[int, ...]


@dataclass(frozen=True)
class _Runs:
    useful: int
    longest_run: int
    longest_run_limit: int
    crossings: int
    crossings_limit: int
    long_runs: tuple[tuple[int, tuple[int, ...]], ...]  # (side, indices) of each long run
    too_few: bool

    @property
    def unusually_long_run(self) -> bool:
        return bool(self.long_runs)

    @property
    def unusually_few_crossings(self) -> bool:
        return not self.too_few and self.crossings < self.crossings_limit


def _exact(values: Sequence[Number]) -> list[Fraction]:
    return [Fraction(v) for v in values]


def _runs(values: Sequence[Fraction], centre: Fraction | None, min_useful: int) -> _Runs:
    """Runs of useful points on each side of `centre`. A point on the centre is skipped."""
    runs: list[tuple[int, list[int]]] = []  # (side, indices)
    if centre is not None:
        for index, value in enumerate(values):
            if value == centre:
                continue
            side = 1 if value > centre else -1
            if runs and runs[-1][0] == side:
                runs[-1][1].append(index)
            else:
                runs.append((side, [index]))
    useful = sum(len(indices) for _side, indices in runs)
    too_few = useful < min_useful
    run_limit = longest_run_limit(useful)
    long_runs = (
        () if too_few else tuple((side, tuple(ix)) for side, ix in runs if len(ix) > run_limit)
    )
    return _Runs(
        useful=useful,
        longest_run=max((len(ix) for _side, ix in runs), default=0),
        longest_run_limit=run_limit,
        crossings=max(len(runs) - 1, 0),
        crossings_limit=crossings_limit(useful),
        long_runs=long_runs,
        too_few=too_few,
    )


def _run_signals(runs: _Runs, line: str) -> list[Signal]:
    """The Anhøj rules' signals in words; `line` names the centre line ("the median")."""
    found = []
    for side, indices in runs.long_runs:
        where = _("above") if side > 0 else _("below")
        text = _(
            "An unusually long run of %(length)s points %(where)s %(line)s (more than "
            "%(limit)s in a row would be unusual by chance)"
        ) % {"length": len(indices), "where": where, "line": line, "limit": runs.longest_run_limit}
        found.append(Signal(LONG_RUN, text, indices))
    if runs.unusually_few_crossings:
        text = ngettext(
            "Unusually few crossings of %(line)s: the line crosses it %(count)s time (fewer "
            "than %(limit)s would be unusual by chance)",
            "Unusually few crossings of %(line)s: the line crosses it %(count)s times (fewer "
            "than %(limit)s would be unusual by chance)",
            runs.crossings,
        ) % {"line": line, "count": runs.crossings, "limit": runs.crossings_limit}
        found.append(Signal(FEW_CROSSINGS, text, ()))
    return found


def _runs_text(runs: _Runs, line: str, on_line: int) -> str:
    """What the Anhøj rules found, in words."""
    if runs.too_few:
        return _(
            "The rules for non-random variation need at least %(min)s points off %(line)s "
            "(there are %(useful)s so far), so they are not applied yet: the chart shows "
            "%(line)s only."
        ) % {"useful": runs.useful, "line": line, "min": MIN_USEFUL}
    text = ngettext(
        "The longest run on one side of %(line)s is %(run)s points (more than %(limit)s would "
        "be unusual); the line crosses %(line)s %(crossings)s time (fewer than %(min)s would "
        "be unusual).",
        "The longest run on one side of %(line)s is %(run)s points (more than %(limit)s would "
        "be unusual); the line crosses %(line)s %(crossings)s times (fewer than %(min)s would "
        "be unusual).",
        runs.crossings,
    ) % {
        "line": line,
        "run": runs.longest_run,
        "limit": runs.longest_run_limit,
        "crossings": runs.crossings,
        "min": runs.crossings_limit,
    }
    if on_line:
        text += " " + ngettext(
            "%(count)s point on %(line)s is not counted.",
            "%(count)s points on %(line)s are not counted.",
            on_line,
        ) % {"count": on_line, "line": line}
    return text


def _baseline(values: Sequence[Fraction], baseline: int | None) -> list[Fraction]:
    if baseline is None:
        return list(values)
    if baseline < 1:
        raise ValueError("baseline must be at least 1 point")
    return list(values[:baseline])


@dataclass(frozen=True)
class _Analysis:
    values: tuple[float, ...]
    baseline: int
    centre: float | None
    useful: int
    longest_run: int
    longest_run_limit: int
    crossings: int
    crossings_limit: int
    unusually_long_run: bool
    unusually_few_crossings: bool
    long_run_indices: tuple[int, ...]
    too_few: bool
    signals: tuple[Signal, ...]
    rules_text: str

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def signal(self) -> bool:
        return bool(self.signals)

    @property
    def flagged(self) -> tuple[int, ...]:
        """Every point that is part of a signal, in order."""
        return tuple(sorted({i for s in self.signals for i in s.indices}))


class _RunFields(TypedDict):
    useful: int
    longest_run: int
    longest_run_limit: int
    crossings: int
    crossings_limit: int
    unusually_long_run: bool
    unusually_few_crossings: bool
    long_run_indices: tuple[int, ...]
    too_few: bool


def _run_fields(runs: _Runs, *, too_few: bool | None = None) -> _RunFields:
    return {
        "useful": runs.useful,
        "longest_run": runs.longest_run,
        "longest_run_limit": runs.longest_run_limit,
        "crossings": runs.crossings,
        "crossings_limit": runs.crossings_limit,
        "unusually_long_run": runs.unusually_long_run,
        "unusually_few_crossings": runs.unusually_few_crossings,
        "long_run_indices": tuple(sorted(i for _side, ix in runs.long_runs for i in ix)),
        "too_few": runs.too_few if too_few is None else too_few,
    }


@dataclass(frozen=True)
class RunAnalysis(_Analysis):
    """A run chart: the median and the Anhøj rules (module docstring)."""

    kind: ClassVar[str] = "run"

    @property
    def median(self) -> float | None:
        return self.centre


@dataclass(frozen=True)
class ControlAnalysis(_Analysis):
    """An individuals (XmR) control chart: the mean, limits from the average moving range,
    Shewhart's rule (a point beyond a limit) and the Anhøj rules on the mean."""

    moving_ranges: tuple[float, ...]
    average_moving_range: float | None
    upper_limit: float | None
    lower_limit: float | None
    floor: float | None
    beyond_limits_indices: tuple[int, ...]

    kind: ClassVar[str] = "control"

    @property
    def mean(self) -> float | None:
        return self.centre


def run_chart(values: Sequence[Number], *, baseline: int | None = None) -> RunAnalysis:
    """A run chart's analysis: the median of the baseline (all points, or the first
    `baseline`) and the Anhøj rules over every point."""
    exact = _exact(values)
    base = _baseline(exact, baseline)
    median = Fraction(statistics.median(base)) if base else None
    line = _("the median")
    runs = _runs(exact, median, MIN_USEFUL)
    on_line = sum(1 for v in exact if v == median)
    return RunAnalysis(
        values=tuple(float(v) for v in exact),
        baseline=len(base),
        centre=None if median is None else float(median),
        signals=tuple(_run_signals(runs, line)),
        rules_text=_runs_text(runs, line, on_line),
        **_run_fields(runs),
    )


def control_chart(
    values: Sequence[Number], *, baseline: int | None = None, floor: Number | None = None
) -> ControlAnalysis:
    """An individuals (XmR) chart's analysis: the mean and the limits (mean ± 2.66 x the
    average moving range) of the baseline; over every point, Shewhart's rule (a point beyond
    a limit) and the Anhøj rules on the mean. Under 10 points no rule is applied."""
    exact = _exact(values)
    base = _baseline(exact, baseline)
    mean = sum(base, Fraction(0)) / len(base) if base else None
    ranges = [abs(b - a) for a, b in pairwise(exact)]
    base_ranges = ranges[: max(len(base) - 1, 0)]
    amr = sum(base_ranges, Fraction(0)) / len(base_ranges) if base_ranges else None
    upper = lower = None
    if mean is not None and amr is not None:
        upper = mean + CONTROL_FACTOR * amr
        lower = mean - CONTROL_FACTOR * amr
        if floor is not None:
            lower = max(lower, Fraction(floor))
    too_few = len(exact) < MIN_USEFUL
    line = _("the mean")
    runs = _runs(exact, mean, MIN_USEFUL)
    if too_few:
        runs = _Runs(
            runs.useful, runs.longest_run, runs.longest_run_limit, runs.crossings,
            runs.crossings_limit, (), True,
        )  # fmt: skip
    beyond: list[int] = []
    signals: list[Signal] = []
    if not too_few and upper is not None and lower is not None:
        for index, value in enumerate(exact):
            if value > upper or value < lower:
                beyond.append(index)
                above = value > upper
                text = (
                    _(
                        "Point %(number)s is above the upper limit (%(value)s; the limit is "
                        "%(limit)s)"
                    )
                    if above
                    else _(
                        "Point %(number)s is below the lower limit (%(value)s; the limit "
                        "is %(limit)s)"
                    )
                ) % {
                    "number": index + 1,
                    "value": format_number(float(value)),
                    "limit": format_number(float(upper if above else lower)),
                }
                signals.append(Signal(BEYOND_LIMITS, text, (index,)))
    signals.extend(_run_signals(runs, line))
    if too_few:
        rules_text = _(
            "The rules for special causes need at least %(min)s points (there are %(n)s so "
            "far), so they are not applied yet: the chart shows the mean and limits only."
        ) % {"n": len(exact), "min": MIN_USEFUL}
    else:
        on_line = sum(1 for v in exact if v == mean)
        beyond_text = ngettext(
            "%(count)s point is beyond the limits.",
            "%(count)s points are beyond the limits.",
            len(beyond),
        ) % {"count": len(beyond)}
        rules_text = beyond_text + " " + _runs_text(runs, line, on_line)
    return ControlAnalysis(
        values=tuple(float(v) for v in exact),
        baseline=len(base),
        centre=None if mean is None else float(mean),
        signals=tuple(signals),
        rules_text=rules_text,
        moving_ranges=tuple(float(r) for r in ranges),
        average_moving_range=None if amr is None else float(amr),
        upper_limit=None if upper is None else float(upper),
        lower_limit=None if lower is None else float(lower),
        floor=None if floor is None else float(floor),
        beyond_limits_indices=tuple(beyond),
        **_run_fields(runs, too_few=too_few),
    )
