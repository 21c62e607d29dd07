"""Appreciative inquiry: define, discover (paired interviews), dream, design, deliver."""

from stewardship.methods.builtins.base import BOOK, Builtin

APPRECIATIVE_INQUIRY = Builtin(
    key="appreciative_inquiry",
    version=1,
    name="Appreciative inquiry",
    summary=(
        "Start from what already works rather than what is broken. The group agrees a topic, "
        "people interview each other in pairs about times it went well, then imagine what could "
        "be, say what should be, and agree a first experiment to make it so."
    ),
    source=(
        "Appreciative Inquiry, first developed by David Cooperrider and Suresh Srivastva, and "
        "its cycle as set out by Cooperrider and Whitney; as used for paired narrative "
        f"interviews in the Plymouth Alliance and described in {BOOK}, ch. 9."
    ),
    phases=("understand", "co_design"),
    scales=(),
    minutes=120,
    definition={
        "steps": [
            {
                "key": "define",
                "title": "Define: what are we curious about?",
                "who": "group",
                "minutes": 15,
                "prompt": (
                    "Agree the topic of the inquiry, put as something we want more of (for "
                    'example "times people felt listened to at the front desk"), not as a '
                    "problem to fix."
                ),
                "fields": [
                    {
                        "key": "topic",
                        "label": "What do we want to learn more about?",
                        "type": "text",
                        "required": True,
                    },
                    {
                        "key": "why",
                        "label": "Why does it matter to us, and to the people we serve?",
                        "type": "long_text",
                    },
                ],
            },
            {
                "key": "discover",
                "title": "Discover: the best of what is",
                "who": "each",
                "minutes": 30,
                "consent": True,
                "prompt": (
                    "Work in pairs. Interview your partner for about ten minutes each way: ask "
                    "for a time when this went really well, what happened, and what made it "
                    "possible. Then write down **your partner's** story, as they told it, and "
                    "check it with them."
                ),
                "fields": [
                    {
                        "key": "story",
                        "label": "Your partner's story of a time it went really well",
                        "type": "story",
                        "required": True,
                    },
                    {
                        "key": "made_it_possible",
                        "label": "What made it possible?",
                        "type": "long_text",
                        "help": "The people, conditions and strengths behind it.",
                    },
                ],
                "writes": [{"as": "entry", "kind": "story", "field": "story"}],
            },
            {
                "key": "dream",
                "title": "Dream: what could be",
                "who": "group",
                "minutes": 25,
                "prompt": (
                    "Read some of the stories aloud. What runs through them? Then imagine a "
                    "time when the best of these happens most days: what is different?"
                ),
                "fields": [
                    {
                        "key": "themes",
                        "label": "What runs through the stories?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "dream",
                        "label": "If the best of this happened most days, what would we see?",
                        "type": "long_text",
                        "required": True,
                    },
                ],
                "writes": [{"as": "entry", "kind": "insight", "field": "themes"}],
            },
            {
                "key": "design",
                "title": "Design: what should be",
                "who": "group",
                "minutes": 25,
                "prompt": (
                    "Turn the dream into a few bold statements, written as if already true "
                    '("we meet people where they are"), that the group could build towards.'
                ),
                "fields": [
                    {
                        "key": "propositions",
                        "label": "What should be: our statements, in the present tense",
                        "type": "long_text",
                        "required": True,
                    }
                ],
                "writes": [{"as": "entry", "kind": "idea", "field": "propositions"}],
            },
            {
                "key": "deliver",
                "title": "Deliver: what will be",
                "who": "group",
                "minutes": 20,
                "prompt": (
                    "Choose one small thing to try first, as an experiment with a start and an "
                    "end. You can check it with the experiment design check later."
                ),
                "fields": [
                    {
                        "key": "title",
                        "label": "A short name for the experiment",
                        "type": "text",
                        "required": True,
                    },
                    {
                        "key": "what_we_will_try",
                        "label": "What will we try?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "prediction",
                        "label": "What do we think will happen?",
                        "type": "long_text",
                    },
                ],
                "writes": [
                    {
                        "as": "experiment",
                        "fields": {
                            "title": "title",
                            "what_we_will_try": "what_we_will_try",
                            "prediction": "prediction",
                        },
                    }
                ],
            },
        ]
    },
)
