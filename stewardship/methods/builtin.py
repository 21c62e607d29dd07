"""The built-in methods: data, in our own words, each attributed to its sources. A workspace
runs one as it is, or copies it into its own templates and adapts it (services.template_copy).

Each has a `version`: raise it whenever its steps change. A run keeps the definition and the
version it started with (MethodRun.definition), so a change here never alters a run in progress.
`scales` are the short scale keys of stewardship/questions/seed.py SCALE_NAMES (empty: any);
`phases` the cycle's phases it serves (cycles.models.Phase values).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stewardship.methods.definition import Definition, parse


@dataclass(frozen=True)
class Builtin:
    key: str
    version: int
    name: str
    summary: str
    source: str
    phases: tuple[str, ...]
    scales: tuple[str, ...]
    minutes: int  # about how long a run takes, for the picker's "will it add burden?"
    definition: dict[str, Any]

    def parsed(self) -> Definition:
        return parse(self.definition)


RAPID_LEARNING = Builtin(
    key="rapid_learning",
    version=1,
    name="Rapid learning: this week's reflection",
    summary=(
        "A weekly micro-reflection, under a minute on a phone: what happened, what surprised "
        "us, what we will try. Short and frequent, so the time between an event and reflecting "
        "on it stays short."
    ),
    source=(
        "After the rapid learning environments described in Human Learning Systems: Public "
        "Service for the Real World (Lowe, French, Hawkins, Hesselgreaves, Wilson), ch. 9, "
        "CC BY-NC 4.0; rooted in Snowden's Cynefin."
    ),
    phases=("experiment",),
    scales=(),
    minutes=1,
    definition={
        "steps": [
            {
                "key": "week",
                "title": "This week",
                "who": "each",
                "minutes": 1,
                "fields": [
                    {
                        "key": "noticed",
                        "label": "What did you notice this week?",
                        "type": "long_text",
                        "required": True,
                    },
                    {"key": "surprised", "label": "What surprised you?", "type": "text"},
                    {"key": "next", "label": "What will you try next?", "type": "text"},
                ],
                "writes": [{"as": "entry", "kind": "reflection", "field": "noticed"}],
            }
        ]
    },
)

BUILTINS: dict[str, Builtin] = {b.key: b for b in (RAPID_LEARNING,)}


def builtin(key: str) -> Builtin | None:
    return BUILTINS.get(key)
