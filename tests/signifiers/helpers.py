"""Definitions and makers the signifiers' tests share."""

from __future__ import annotations

from typing import Any

from cycles.models import CycleSignifiers, Entry, Placement, SignifierSet
from cycles.signifiers import selectors, services
from systems.models import ShareLevel
from tests.factories import EntryFactory

TRIAD: dict[str, Any] = {
    "key": "helped",
    "type": "triad",
    "prompt": "What helped most?",
    "labels": ["People", "Place", "Practical help"],
}
DYAD_FELT: dict[str, Any] = {
    "key": "felt",
    "type": "dyad",
    "prompt": "How did it feel?",
    "labels": ["Done to me", "Done with me"],
}
DYAD_PACE: dict[str, Any] = {
    "key": "pace",
    "type": "dyad",
    "prompt": "How fast did things move?",
    "labels": ["Slowly", "Quickly"],
}
CHOICE: dict[str, Any] = {
    "key": "who",
    "type": "choice",
    "prompt": "Who was there?",
    "choices": ["Family", "Friends", "Staff"],
    "multiple": True,
}
TRIAD_SET = {"signifiers": [TRIAD]}
FULL_SET = {"signifiers": [TRIAD, DYAD_FELT, DYAD_PACE, CHOICE]}

PLACED = {
    "helped": {"a": 0.6, "b": 0.3, "c": 0.1},
    "felt": {"x": 0.8},
    "pace": {"x": 0.2},
    "who": ["Family"],
}


def attach(workspace, cycle, user, definition=None, name="What helped") -> SignifierSet:
    """A set attached to `cycle` (written as the services write it, by someone inside)."""
    signifier_set = services.signifier_set_create(
        workspace=workspace, user=user, name=name, definition=definition or FULL_SET
    )
    CycleSignifiers.objects.create(workspace=workspace, cycle=cycle, signifier_set=signifier_set)
    return signifier_set


def placed_story(
    workspace, cycle, author, *, data=None, text="Mrs B told us how her neighbour helped",
    visibility=ShareLevel.TEAM, **extra,
) -> tuple[Entry, Placement]:  # fmt: skip
    """A story of `author` in `cycle`, placed on the cycle's attached set."""
    entry = EntryFactory(
        workspace=workspace, cycle=cycle, author=author, kind=Entry.Kind.STORY, text=text,
        visibility=visibility, **extra,
    )  # fmt: skip
    attached = selectors.attached_to(workspace=workspace, cycle_id=cycle.pk)
    assert attached is not None
    version = selectors.current_version(workspace=workspace, signifier_set=attached.signifier_set)
    placement = Placement.objects.create(
        workspace=workspace, entry=entry, version=version, data=data or PLACED, placed_by=author
    )
    return entry, placement
