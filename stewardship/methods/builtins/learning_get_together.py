"""A learning get-together after something went wrong: no blame, and accountability."""

from stewardship.methods.builtins.base import BOOK, Builtin

LEARNING_GET_TOGETHER = Builtin(
    key="learning_get_together",
    version=1,
    name="Learning get-together (after something went wrong)",
    summary=(
        "When something has gone wrong, the people involved meet to understand what happened, "
        "what they have learnt, what needs to change and who needs to know. There is no blame, "
        "but there is accountability: the group answers for what it will change."
    ),
    source=(
        "The 'Learning Get Together' of the Empowerment case study, and the positive error "
        f"culture and peer accountability described in {BOOK}, ch. 8."
    ),
    phases=("understand", "co_design", "experiment", "embed"),
    scales=("team", "organisation", "place"),
    minutes=60,
    definition={
        "steps": [
            {
                "key": "what_happened",
                "title": "What happened",
                "who": "group",
                "minutes": 15,
                "prompt": (
                    "Thank whoever raised it: honesty is what makes this possible. Describe "
                    "**what** happened, not **who** is to blame: the events in order, what "
                    "people knew at the time, and the conditions around them (workload, rules, "
                    "handovers, information). Start with how the people affected are now."
                ),
                "fields": [
                    {
                        "key": "happened",
                        "label": "What happened?",
                        "type": "long_text",
                        "required": True,
                        "help": "Events, decisions and conditions, in order.",
                    },
                    {
                        "key": "affected",
                        "label": "How are the people affected now, and what support do they have?",
                        "type": "long_text",
                    },
                ],
            },
            {
                "key": "learnt",
                "title": "What we learnt",
                "who": "group",
                "minutes": 15,
                "prompt": (
                    "What does this tell us about how our work is set up? Look for what made "
                    "it likely to happen, and what would make it likely again."
                ),
                "fields": [
                    {
                        "key": "learnt",
                        "label": "What have we learnt?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "surprised",
                        "label": "What surprised us?",
                        "type": "text",
                    },
                ],
                "writes": [{"as": "entry", "kind": "insight", "field": "learnt"}],
            },
            {
                "key": "change",
                "title": "What needs to change",
                "who": "group",
                "minutes": 20,
                "prompt": (
                    "Agree what we will adapt or change, and what we will check later to see "
                    "whether it helped. If the change is beyond this group (a rule, a contract, "
                    "a system), say so: raise it as a barrier for the scale that can change it."
                ),
                "fields": [
                    {
                        "key": "change",
                        "label": "What will we adapt or change?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "beyond_us",
                        "label": "What is beyond this group to change, and who can change it?",
                        "type": "long_text",
                    },
                ],
                "writes": [{"as": "entry", "kind": "decision", "field": "change"}],
            },
            {
                "key": "tell",
                "title": "Who needs to know",
                "who": "group",
                "minutes": 10,
                "prompt": (
                    "Who should hear what we learnt: the people affected, colleagues who could "
                    "meet the same thing, partners? Agree how they will hear it."
                ),
                "fields": [
                    {
                        "key": "who_needs_to_know",
                        "label": "Who needs to know, and how will they hear it?",
                        "type": "long_text",
                        "required": True,
                    }
                ],
            },
        ]
    },
)
