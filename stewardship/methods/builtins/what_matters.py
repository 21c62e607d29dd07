"""A "What matters to you?" conversation: one person, in their own words, with consent first."""

from stewardship.methods.builtins.base import BOOK, Builtin

WHAT_MATTERS = Builtin(
    key="what_matters",
    version=1,
    name='"What matters to you?" conversation',
    summary=(
        "A conversation with one person about their life as they see it: what matters to them, "
        "what they are good at and who helps them, and what they hope for. It starts with their "
        "consent, and what is written down stays in their own words."
    ),
    source=(
        'After the "What matters to you?" movement in health and care (Barry and '
        "Edgman-Levitan, 2012, asking what matters to a person rather than what is the matter "
        f"with them), and the Human principle of {BOOK}, ch. 1, with its strengths-based case "
        "studies."
    ),
    phases=("understand",),
    scales=("person",),
    minutes=35,
    definition={
        "steps": [
            {
                "key": "consent",
                "title": "Before we start",
                "who": "group",
                "minutes": 3,
                "prompt": (
                    "Explain, in your own way:\n\n"
                    "- we would like to hear what matters to you, and write it down in your "
                    "words;\n"
                    "- it is kept in this cycle, seen by the people working with you here, and "
                    "travels further only if you agree;\n"
                    "- you can stop at any time, skip any question, or ask for something to be "
                    "left out.\n\n"
                    "Ask the person whether they agree. If they do not, stop here: nothing is "
                    "written."
                ),
                "fields": [
                    {
                        "key": "agree",
                        "label": "Do you agree to talk, and for your words to be written down?",
                        "type": "choice",
                        "required": True,
                        "choices": [
                            "Yes, I agree to talk and for my words to be written down",
                            "Not today",
                        ],
                    }
                ],
            },
            {
                "key": "conversation",
                "title": "What matters to you?",
                "who": "group",
                "minutes": 30,
                "consent": True,
                "prompt": (
                    "Listen more than you speak. Write the person's words as they say them, or "
                    "let them write themselves; read it back and change anything they want "
                    "changed. Ask about strengths and hopes, not only problems."
                ),
                "fields": [
                    {
                        "key": "what_matters",
                        "label": "What matters to you?",
                        "type": "story",
                        "required": True,
                        "help": "In the person's own words.",
                    },
                    {
                        "key": "good_day",
                        "label": "What does a good day look like for you?",
                        "type": "long_text",
                    },
                    {
                        "key": "strengths",
                        "label": "What are you good at, and who or what helps you?",
                        "type": "long_text",
                    },
                    {
                        "key": "aspirations",
                        "label": "What would you like to be different, or to keep as it is?",
                        "type": "long_text",
                    },
                    {
                        "key": "next_step",
                        "label": "What is one thing we could do next, together?",
                        "type": "text",
                    },
                ],
                "writes": [{"as": "entry", "kind": "story", "field": "what_matters"}],
            },
        ]
    },
)
