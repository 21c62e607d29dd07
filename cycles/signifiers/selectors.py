"""Reads for signifier sets and placements. Always by workspace.

A placement is seen exactly as widely as its story: every list of placements starts from
`cycles.selectors.entries_visible_to`. The placements of a cycle (`placement_patterns`) are the
stories of the cycle and the cycles below it that the viewer may read, placed on the cycle's
attached set (on its current version, or on an older one where the signifier is unchanged),
each plot shown only when it holds at least the workspace's small-count threshold of stories.
Nothing here averages, ranks or scores: the dots are the stories, where their tellers put them.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from cycles.models import (
    CycleSignifiers,
    Entry,
    EntryTheme,
    Placement,
    SignifierSet,
    SignifierSetVersion,
)
from cycles.patterns.selectors import PatternFilter, ShownCount
from cycles.selectors import entries_visible_to
from cycles.signifiers.definition import (
    NA,
    Definition,
    DefinitionError,
    Signifier,
    parse,
    same_signifier,
)
from hls.accounts.models import User
from hls.tenancy.models import Workspace

WORDS = 12  # a dot's title: the story's first words


def sets_of(*, workspace: Workspace, archived: bool | None = False) -> QuerySet[SignifierSet]:
    found = SignifierSet.objects.filter(workspace=workspace)
    if archived is not None:
        found = found.filter(archived=archived)
    return found.order_by("name", "pk")


def versions_of(
    *, workspace: Workspace, signifier_set: SignifierSet
) -> QuerySet[SignifierSetVersion]:
    return SignifierSetVersion.objects.filter(
        workspace=workspace, signifier_set=signifier_set
    ).order_by("-version")


def current_version(*, workspace: Workspace, signifier_set: SignifierSet) -> SignifierSetVersion:
    return SignifierSetVersion.objects.get(
        workspace=workspace, signifier_set=signifier_set, version=signifier_set.version
    )


def placed_by_version(*, workspace: Workspace, signifier_set: SignifierSet) -> dict[int, int]:
    """How many stories are placed on each version of the set (every story, whoever may read
    it: a count, for the note that editing the set keeps their versions)."""
    rows = (
        Placement.objects.filter(workspace=workspace, version__signifier_set=signifier_set)
        .order_by()
        .values("version__version")
        .annotate(n=Count("pk"))
    )
    return {row["version__version"]: row["n"] for row in rows}


def attached_to(*, workspace: Workspace, cycle_id: int) -> CycleSignifiers | None:
    """The set a cycle attaches to its story capture (with the set), or None."""
    return (
        CycleSignifiers.objects.filter(workspace=workspace, cycle_id=cycle_id)
        .select_related("signifier_set")
        .first()
    )


def placement_of(*, workspace: Workspace, entry: Entry) -> Placement | None:
    return (
        Placement.objects.filter(workspace=workspace, entry=entry)
        .select_related("version__signifier_set")
        .first()
    )


def placements_visible_to(
    *, workspace: Workspace, user: User, worked_in: Collection[int] | None = None
) -> QuerySet[Placement]:
    """Every placement whose story the user may read (and only those)."""
    visible = entries_visible_to(workspace=workspace, user=user, worked_in=worked_in)
    return Placement.objects.filter(
        workspace=workspace, entry_id__in=visible.values("pk")
    ).select_related("version__signifier_set")


def definition_of(version: SignifierSetVersion) -> Definition | None:
    """A stored version's definition (checked when it was saved; None if it no longer parses,
    so a page never fails on old data)."""
    try:
        return parse(version.definition)
    except DefinitionError:
        return None


def current_definition(signifier_set: SignifierSet) -> Definition | None:
    """The set's current signifiers (kept on the set as on its current version; no query)."""
    try:
        return parse(signifier_set.definition)
    except DefinitionError:
        return None


# The placements of a cycle -------------------------------------------------------------------


@dataclass(frozen=True)
class Dot:
    """One story where its teller placed it on one signifier."""

    entry_id: int
    cycle_id: int
    happened_on: _dt.date
    words: str  # the story's first words
    value: Any  # the weights of a triad, {"x": ..} of a dyad


@dataclass(frozen=True)
class Plot:
    """A triad's or a dyad's stories. `dots` is empty when the plot is suppressed."""

    signifier: Signifier
    dots: tuple[Dot, ...]
    placed: ShownCount  # how many stories are placed on it (not "does not apply")
    not_applicable: ShownCount

    @property
    def suppressed(self) -> bool:
        return self.placed.suppressed


@dataclass(frozen=True)
class Scatter:
    """Stories placed on two dyads: x on the first, y on the second."""

    x: Signifier
    y: Signifier
    dots: tuple[tuple[Dot, float, float], ...]
    placed: ShownCount

    @property
    def suppressed(self) -> bool:
        return self.placed.suppressed


@dataclass(frozen=True)
class ChoiceCounts:
    signifier: Signifier
    counts: tuple[tuple[str, ShownCount], ...]
    not_applicable: ShownCount


@dataclass(frozen=True)
class PlacementPatterns:
    signifier_set: SignifierSet
    definition: Definition
    threshold: int
    stories: ShownCount  # placed stories in the filter's result
    triads: tuple[Plot, ...]
    dyads: tuple[Plot, ...]
    scatter: Scatter | None
    choices: tuple[ChoiceCounts, ...]
    older_versions: int  # how many stories placed on an older version are mapped in

    @property
    def suppressed(self) -> bool:
        return self.stories.suppressed


def _first_words(text: str) -> str:
    words = text.split()
    shown = " ".join(words[:WORDS])
    return shown + ("…" if len(words) > WORDS else "")


def _placements(
    *,
    workspace: Workspace,
    user: User,
    signifier_set: SignifierSet,
    cycle_ids: Collection[int],
    f: PatternFilter,
    worked_in: Collection[int] | None,
) -> list[dict[str, Any]]:
    """The placements on any version of the set of the stories the user may read, in the
    cycles and period (and theme, scale) asked for: one query."""
    entries = entries_visible_to(workspace=workspace, user=user, worked_in=worked_in).filter(
        cycle_id__in=list(cycle_ids),
        kind=Entry.Kind.STORY,
        happened_on__gte=f.date_from,
        happened_on__lt=f.date_to + _dt.timedelta(days=1),
    )
    if f.scale is not None:
        entries = entries.filter(cycle__system__scale=f.scale)
    if f.theme is not None:
        entries = entries.filter(
            Exists(EntryTheme.objects.filter(entry=OuterRef("pk"), theme=f.theme))
        )
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Placement.objects.filter(
            workspace=workspace,
            version__signifier_set=signifier_set,
            entry_id__in=entries.values("pk"),
        )
        .order_by("entry__happened_on", "entry_id")
        .values(
            "entry_id",
            "entry__cycle_id",
            "entry__happened_on",
            "entry__text",
            "version__version",
            "data",
        )
    ]
    return rows


def placement_patterns(
    *,
    workspace: Workspace,
    user: User,
    signifier_set: SignifierSet,
    cycle_ids: Collection[int],
    f: PatternFilter,
    dyad_pair: tuple[str, str] | None = None,
    worked_in: Collection[int] | None = None,
) -> PlacementPatterns | None:
    """The stories placed on the set, as the patterns show them (two queries whatever their
    number: the versions, the placements). None if the set's current version does not parse."""
    versions = {
        v.version: definition_of(v)
        for v in SignifierSetVersion.objects.filter(
            workspace=workspace, signifier_set=signifier_set
        )
    }
    current = versions.get(signifier_set.version)
    if current is None:
        return None
    rows = _placements(
        workspace=workspace,
        user=user,
        signifier_set=signifier_set,
        cycle_ids=cycle_ids,
        f=f,
        worked_in=worked_in,
    )
    threshold = workspace.small_count_threshold

    def value_of(row: dict[str, Any], s: Signifier) -> Any:
        """The row's value on `s`, where its version's signifier of that key is unchanged."""
        definition = versions.get(row["version__version"])
        theirs = definition.signifier(s.key) if definition is not None else None
        if theirs is None or not same_signifier(s, theirs):
            return None
        return row["data"].get(s.key) if isinstance(row["data"], dict) else None

    def dot(row: dict[str, Any], value: Any) -> Dot:
        return Dot(
            entry_id=row["entry_id"],
            cycle_id=row["entry__cycle_id"],
            happened_on=row["entry__happened_on"],
            words=_first_words(row["entry__text"]),
            value=value,
        )

    def plot(s: Signifier) -> Plot:
        values = [(row, value_of(row, s)) for row in rows]
        placed = [(row, v) for row, v in values if isinstance(v, dict)]
        shown = ShownCount(len(placed), threshold)
        return Plot(
            signifier=s,
            dots=() if shown.suppressed else tuple(dot(row, v) for row, v in placed),
            placed=shown,
            not_applicable=ShownCount(sum(1 for _row, v in values if v == NA), threshold),
        )

    def choice(s: Signifier) -> ChoiceCounts:
        counted: Counter[str] = Counter()
        na = 0
        for row in rows:
            value = value_of(row, s)
            if value == NA:
                na += 1
            elif isinstance(value, str):
                counted[value] += 1
            elif isinstance(value, list):
                counted.update(v for v in value if isinstance(v, str))
        return ChoiceCounts(
            signifier=s,
            counts=tuple((c, ShownCount(counted[c], threshold)) for c in s.choices),
            not_applicable=ShownCount(na, threshold),
        )

    stories = ShownCount(len(rows), threshold)
    if stories.suppressed:
        rows = []  # nothing of a small group is shown, not even per signifier
    dyads = current.of_type("dyad")
    scatter = None
    if len(dyads) >= 2:
        keys = {s.key: s for s in dyads}
        x_key, y_key = dyad_pair or (dyads[0].key, dyads[1].key)
        if x_key not in keys or y_key not in keys or x_key == y_key:
            x_key, y_key = dyads[0].key, dyads[1].key
        x, y = keys[x_key], keys[y_key]
        both = []
        for row in rows:
            vx, vy = value_of(row, x), value_of(row, y)
            if isinstance(vx, dict) and isinstance(vy, dict):
                both.append((dot(row, None), float(vx["x"]), float(vy["x"])))
        placed = ShownCount(len(both), threshold)
        scatter = Scatter(x=x, y=y, dots=() if placed.suppressed else tuple(both), placed=placed)
    return PlacementPatterns(
        signifier_set=signifier_set,
        definition=current,
        threshold=threshold,
        stories=stories,
        triads=tuple(plot(s) for s in current.of_type("triad")),
        dyads=tuple(plot(s) for s in dyads),
        scatter=scatter,
        choices=tuple(choice(s) for s in current.of_type("choice")),
        older_versions=sum(1 for row in rows if row["version__version"] != signifier_set.version),
    )


def unplaced_stories_of(
    *, workspace: Workspace, user: User, cycle_id: int, limit: int = 10
) -> QuerySet[Entry]:
    """The user's own stories in the cycle that are not placed yet, newest first."""
    return (
        Entry.objects.filter(
            workspace=workspace,
            author=user,
            cycle_id=cycle_id,
            kind=Entry.Kind.STORY,
            deleted_at__isnull=True,
        )
        .exclude(Exists(Placement.objects.filter(entry=OuterRef("pk"))))
        .order_by("-happened_on", "-pk")[:limit]
    )
