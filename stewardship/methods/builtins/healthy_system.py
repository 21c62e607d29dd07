"""The healthy-system reflection for a place: eight conditions, answered privately, the spread
revealed (never a score, an average or a comparison with other places)."""

from typing import Any

from stewardship.methods.builtins.base import BOOK, Builtin

# The eight conditions of a healthy local system (key, label, what it means: our paraphrase).
CONDITIONS: tuple[tuple[str, str, str], ...] = (
    (
        "shared_purpose",
        "Shared purpose and principles",
        "The partners in this place hold a common purpose that gives their work its reason, and "
        "each knows how it contributes, while keeping their own perspectives.",
    ),
    (
        "trusting_relationships",
        "Trusting relationships",
        "People and organisations know each other and have honest, open relationships to work "
        "from.",
    ),
    (
        "collaborative_behaviours",
        "Collaborative behaviours",
        "People across the place value working together and do it, rather than competing, at "
        "every level.",
    ),
    (
        "sharing_power",
        "Sharing power",
        "Imbalances of power are addressed, different perspectives are sought, and decisions, "
        "including about money, are made as close to the ground as they can be.",
    ),
    (
        "systems_infrastructure",
        "Systems infrastructure",
        "Workforce, commissioning, governance and data are organised around the place as a "
        "whole, not organisation by organisation.",
    ),
    (
        "enabling_leadership",
        "Enabling leadership",
        "Leaders see their job as creating the conditions for others to work together, across "
        "the system rather than only in their organisation.",
    ),
    (
        "learning_and_insight",
        "Learning and insight",
        "Experimenting, convening and making sense of things together are how the place "
        "improves and builds trust.",
    ),
    (
        "embedding_and_influencing",
        "Embedding and influencing",
        "People keep improving these ways of working, embed them, and help others to take them "
        "up; the work is never finished.",
    ),
)


def _condition_fields() -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = []
    for key, label, meaning in CONDITIONS:
        fields.append(
            {
                "key": key,
                "label": label,
                "type": "scale",
                "min": 1,
                "max": 5,
                "low": "hardly yet",
                "high": "strongly",
                "own_anchors": True,
                "help": meaning,
            }
        )
        fields.append({"key": f"{key}_why", "label": "What makes you say so?", "type": "long_text"})
    return fields


HEALTHY_SYSTEM = Builtin(
    key="healthy_system",
    version=1,
    name="Healthy-system reflection for a place",
    summary=(
        "Each participant reflects privately on eight conditions of a healthy local system. "
        "The group then sees where its views differ, never a score, an average or a comparison "
        "with other places, and talks about what the differences mean. Run again later, it "
        "shows how the place's own picture has changed."
    ),
    source=(
        f"The conditions of a healthy local system in {BOOK}, ch. 15 (places as systems), which "
        "draws on Collaborate CIC's Building Collaborative Places (2017) and New Operating "
        "Models for Local Government (2020)."
    ),
    phases=("understand", "embed"),
    scales=("place",),
    minutes=45,
    definition={
        "steps": [
            {
                "key": "conditions",
                "title": "How it looks from where you stand",
                "who": "each",
                "private": True,
                "reveal": "spread",
                "minutes": 15,
                "prompt": (
                    "Answer on your own: your answers stay private. For each condition, say "
                    "where you see this place now, from *hardly yet* to *strongly*, and what "
                    "makes you say so. You may name the ends of each scale in your own words, "
                    "and skip any condition you cannot say anything about.\n\n"
                    "When the step is revealed, the group sees only how the answers spread for "
                    "each condition, with no names, beside the reasons of those who chose to "
                    "share theirs. There is no right answer: where we see it differently is "
                    "what we are here to talk about."
                ),
                "fields": _condition_fields(),
            },
            {
                "key": "differ",
                "title": "Where we differ",
                "who": "group",
                "minutes": 30,
                "prompt": (
                    "Look at the spread for each condition. Where do we see it differently, and "
                    "what might each view be seeing that the others miss? Do not settle on a "
                    "middle: the differences are the finding. If the place has done this "
                    "before, what has changed since, and why?"
                ),
                "fields": [
                    {
                        "key": "differences",
                        "label": "Where do we differ, and what do we make of it?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "since_last_time",
                        "label": "What has changed since we last did this?",
                        "type": "long_text",
                    },
                ],
                "writes": [{"as": "entry", "kind": "insight", "field": "differences"}],
            },
        ]
    },
)
