"""The shared-principles compass: where we lived our principles and where we did not."""

from stewardship.methods.builtins.base import BOOK, Builtin

PRINCIPLES_COMPASS = Builtin(
    key="principles_compass",
    version=1,
    name="Shared-principles compass",
    summary=(
        "The group uses its shared principles as compass points: where did we live them "
        "recently, and where did we fall short? Falling short is expected and is treated as "
        "learning, never as a breach; the group decides what it will do differently."
    ),
    source=(
        "Lighthouse Children's Homes' practice of reflecting on its values as compass points, "
        f"and the Plymouth Alliance's shared principles, both in {BOOK}, ch. 8."
    ),
    phases=("understand", "co_design", "experiment", "embed"),
    scales=("team", "organisation", "place"),
    minutes=40,
    definition={
        "steps": [
            {
                "key": "principles",
                "title": "Our principles",
                "who": "group",
                "minutes": 5,
                "prompt": (
                    "Put the principles the group shares in front of everyone (the cycle's "
                    "charter, or the values agreed with the people we serve)."
                ),
                "fields": [
                    {
                        "key": "principles",
                        "label": "The principles we are reflecting on",
                        "type": "long_text",
                        "required": True,
                    }
                ],
            },
            {
                "key": "reflect",
                "title": "Where we lived them, and where we did not",
                "who": "each",
                "private": True,
                "reveal": "answers",
                "minutes": 10,
                "prompt": (
                    "On your own first. Think of a recent moment for each. Principles guide us; "
                    "they are not rules to be checked, and everyone falls short of them "
                    "sometimes. Saying where is how we learn, never a breach."
                ),
                "fields": [
                    {
                        "key": "lived",
                        "label": "A moment when we lived one of our principles",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "not_lived",
                        "label": "A moment when we did not live up to one",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "what_made_it_hard",
                        "label": "What made it hard to live up to?",
                        "type": "long_text",
                    },
                ],
            },
            {
                "key": "learn",
                "title": "What we learn",
                "who": "group",
                "minutes": 25,
                "prompt": (
                    "Look at the moments together. What do they tell us about our practice, and "
                    "about the conditions around it? Does any principle need rewording in the "
                    "light of practice?"
                ),
                "fields": [
                    {
                        "key": "learning",
                        "label": "What do the moments tell us, taken together?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "wording",
                        "label": "Does any principle need rewording?",
                        "type": "text",
                    },
                    {
                        "key": "differently",
                        "label": "What will we do differently?",
                        "type": "long_text",
                    },
                ],
                "writes": [
                    {"as": "entry", "kind": "insight", "field": "learning"},
                    {"as": "entry", "kind": "idea", "field": "differently"},
                ],
            },
        ]
    },
)
