"""What a built-in method is: its definition (steps as data, stewardship/methods/definition.py)
and what the picker and the docs say about it. Kept apart from the registry so that each
method's module can import it without importing the registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stewardship.methods.definition import Definition, parse

# The book most of the methods are described in; each method adds its own originators.
BOOK = (
    "Human Learning Systems: Public Service for the Real World (Lowe, French, Hawkins, "
    "Hesselgreaves, Wilson), CC BY-NC 4.0"
)


@dataclass(frozen=True)
class Builtin:
    key: str
    version: int
    name: str
    summary: str
    source: str  # at most 400 characters: a workspace's copy keeps it (MethodTemplate.source)
    phases: tuple[str, ...]
    scales: tuple[str, ...]
    minutes: int  # about how long a run takes, for the picker's "will it add burden?"
    definition: dict[str, Any]

    def parsed(self) -> Definition:
        return parse(self.definition)
