"""Action inquiry: rounds of action, observation, reflection and next action."""

from stewardship.methods.builtins.base import BOOK, Builtin

ACTION_INQUIRY = Builtin(
    key="action_inquiry",
    version=1,
    name="Action inquiry: a round of the learning cycle",
    summary=(
        "A group that owns a question goes round a cycle together: what we did, what we "
        "noticed, what we make of it, and what we will do next. Each meeting is one round; the "
        "run goes round again from the action, so the rounds build on each other."
    ),
    source=(
        "Kolb's experiential learning cycle and Bill Torbert's action inquiry; action learning "
        f"and action inquiry as described in {BOOK}, ch. 9 (used by Edberts House and "
        "Lankelly Chase, among others)."
    ),
    phases=("understand", "co_design", "experiment", "embed"),
    scales=(),
    minutes=45,
    definition={
        "repeat_from": "action",
        "steps": [
            {
                "key": "action",
                "title": "Action",
                "who": "group",
                "minutes": 10,
                "prompt": (
                    "Remind each other of the question we are exploring. What did we do since "
                    "last time, and what did we mean it to achieve? In the first round, what "
                    "are we about to do?"
                ),
                "fields": [
                    {
                        "key": "action",
                        "label": "What did we do?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "intended",
                        "label": "What did we mean it to achieve?",
                        "type": "text",
                    },
                ],
            },
            {
                "key": "observation",
                "title": "Observation",
                "who": "each",
                "minutes": 10,
                "prompt": (
                    "Each of us, separately: what did you notice happen? Stay with what you saw "
                    "and heard, including what nobody expected, before anyone explains it."
                ),
                "fields": [
                    {
                        "key": "noticed",
                        "label": "What did you notice happen?",
                        "type": "long_text",
                        "required": True,
                    }
                ],
                "writes": [{"as": "entry", "kind": "observation", "field": "noticed"}],
            },
            {
                "key": "reflection",
                "title": "Reflection",
                "who": "group",
                "minutes": 15,
                "prompt": (
                    "What do we make of it together? Which of our assumptions held, which did "
                    "not, and has it changed how we see the question itself?"
                ),
                "fields": [
                    {
                        "key": "meaning",
                        "label": "What do we make of it?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "reframing",
                        "label": "Has it changed how we see the question?",
                        "type": "text",
                    },
                ],
                "writes": [{"as": "entry", "kind": "reflection", "field": "meaning"}],
            },
            {
                "key": "next_action",
                "title": "Next action",
                "who": "group",
                "minutes": 10,
                "prompt": (
                    "What will we try next, in the light of this? Keep it small enough to do "
                    "before we meet again, and agree when that is."
                ),
                "fields": [
                    {
                        "key": "next",
                        "label": "What will we do next?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "when",
                        "label": "When will we come back to it?",
                        "type": "text",
                    },
                ],
                "writes": [{"as": "entry", "kind": "decision", "field": "next"}],
            },
        ],
    },
)
