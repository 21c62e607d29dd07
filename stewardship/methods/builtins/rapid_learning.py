"""Rapid learning: a weekly reflection, under a minute on a phone."""

from stewardship.methods.builtins.base import BOOK, Builtin

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
        f"After the rapid learning environments described in {BOOK}, ch. 9 (Audit Wales, "
        "Collaborate CIC, The Children's Society); rooted in David Snowden's work with the "
        "Cynefin framework."
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
                "prompt": "A line or two is plenty. Skip the rest if nothing comes to mind.",
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
