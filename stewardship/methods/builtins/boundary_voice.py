"""Boundary and voice review: who is invited, taking part and heard; who is missing."""

from stewardship.methods.builtins.base import BOOK, Builtin

BOUNDARY_VOICE = Builtin(
    key="boundary_voice",
    version=1,
    name="Boundary and voice review",
    summary=(
        "A steward's check on where the system's boundary has been drawn: who is invited, who "
        "takes part, whose view is heard, and who is missing or seldom heard. It ends with what "
        "the group will do about it, and adds those missing to the system map."
    ),
    source=(
        "The steward's reflection on system boundaries and on seeking seldom-heard voices in "
        f"{BOOK}, ch. 8 (the Plymouth Alliance, EDUFI, Plymouth Octopus, Surrey Youth Focus); "
        "and boundary critique in systems thinking (Werner Ulrich, Gerald Midgley)."
    ),
    phases=("understand", "co_design", "embed"),
    scales=("team", "organisation", "place", "country"),
    minutes=40,
    definition={
        "steps": [
            {
                "key": "circles",
                "title": "Invited, taking part, heard",
                "who": "group",
                "minutes": 15,
                "prompt": (
                    "Think of the last few meetings, decisions and pieces of work in this "
                    "cycle. Being invited is not the same as taking part, and taking part is "
                    "not the same as being heard. Name groups, roles and organisations rather "
                    "than individuals."
                ),
                "fields": [
                    {
                        "key": "invited",
                        "label": "Who is invited (gets the invitations and the papers)?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "taking_part",
                        "label": "Who actually takes part, and how?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "heard",
                        "label": "Whose view shaped what was decided, and whose did not?",
                        "type": "long_text",
                        "required": True,
                    },
                ],
            },
            {
                "key": "missing",
                "title": "Who is missing",
                "who": "each",
                "private": True,
                "reveal": "answers",
                "minutes": 10,
                "prompt": (
                    "On your own first, so that every view counts before the discussion: who is "
                    "missing, or seldom heard? Think of the people we serve, people with lived "
                    "experience, and anyone who carries the effects of our decisions. What "
                    "keeps them out?"
                ),
                "fields": [
                    {
                        "key": "missing",
                        "label": "Who is missing or seldom heard?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "keeps_them_out",
                        "label": "What keeps them out (times, places, language, power)?",
                        "type": "long_text",
                    },
                ],
            },
            {
                "key": "act",
                "title": "What we will do",
                "who": "group",
                "minutes": 15,
                "prompt": (
                    "Having seen everyone's answers: what will we do to widen who takes part "
                    "and who is heard, and how will we know it made a difference? Consider "
                    "going to people rather than asking them to come to us."
                ),
                "fields": [
                    {
                        "key": "we_will",
                        "label": "What will we do?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "how_we_will_know",
                        "label": "How will we know it made a difference?",
                        "type": "text",
                    },
                    {
                        "key": "add_to_map",
                        "label": "Who should be on our system map and is not? One per line.",
                        "type": "long_text",
                        "help": (
                            "Groups, communities and organisations rather than individuals. "
                            "Each line is added to the map as not yet involved."
                        ),
                    },
                ],
                "writes": [
                    {"as": "entry", "kind": "decision", "field": "we_will"},
                    {
                        "as": "actor",
                        "field": "add_to_map",
                        "kind": "group",
                        "participation": "not_yet",
                    },
                ],
            },
        ]
    },
)
