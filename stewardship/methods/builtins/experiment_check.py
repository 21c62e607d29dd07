"""The experiment design check: is it an experiment, and is it one we can learn from safely?"""

from stewardship.methods.builtins.base import BOOK, Builtin

EXPERIMENT_CHECK = Builtin(
    key="experiment_check",
    version=1,
    name="Experiment design check",
    summary=(
        "Before trying something, the group checks it is an experiment worth the name: the "
        "outcome is uncertain, it is small, it has a clear start and end, the prediction is "
        "written first, we know how we will tell what happened, and we agree the limits that "
        "keep it safe to fail. It writes the experiment into the cycle."
    ),
    source=(
        f"EDUFI's account of what an experiment is and is not, in {BOOK}, ch. 6, with the "
        "book's learning cycle; safe-to-fail experiments after David Snowden's Cynefin "
        "framework."
    ),
    phases=("co_design", "experiment"),
    scales=(),
    minutes=25,
    definition={
        "steps": [
            {
                "key": "design",
                "title": "Check the design",
                "who": "group",
                "minutes": 25,
                "prompt": (
                    "Work down the questions together. If we already know what will happen, it "
                    "is a plan rather than an experiment; if it covers everyone at once, make it "
                    "smaller first. Write the prediction **before** it starts, so that we cannot "
                    "tell the story differently afterwards. An experiment that does not go as "
                    "predicted has still taught us something: that is not a failure to hide."
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
                        "label": "What will we try, and what do we want to learn from it?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "uncertain",
                        "label": "Do we know what will happen?",
                        "type": "choice",
                        "required": True,
                        "choices": [
                            "No: we are genuinely unsure what will happen",
                            "Yes: we are fairly sure already",
                        ],
                    },
                    {
                        "key": "small",
                        "label": "How big is it?",
                        "type": "choice",
                        "required": True,
                        "choices": [
                            "Small: a few people, one team or one neighbourhood",
                            "Large: many people, or everywhere at once",
                        ],
                    },
                    {
                        "key": "start_and_end",
                        "label": "When does it start, and when does it end?",
                        "type": "text",
                        "required": True,
                    },
                    {
                        "key": "prediction",
                        "label": "What do we predict will happen?",
                        "type": "long_text",
                        "required": True,
                    },
                    {
                        "key": "how_we_will_know",
                        "label": "How will we know what happened?",
                        "type": "long_text",
                        "required": True,
                        "help": "What we will notice, ask or count, and who will make sense of it.",
                    },
                    {
                        "key": "safe_to_fail_limits",
                        "label": "What limits keep it safe to fail, and when would we stop early?",
                        "type": "long_text",
                        "required": True,
                    },
                ],
                "writes": [
                    {
                        "as": "experiment",
                        "fields": {
                            "title": "title",
                            "what_we_will_try": "what_we_will_try",
                            "prediction": "prediction",
                            "how_we_will_know": "how_we_will_know",
                            "safe_to_fail_limits": "safe_to_fail_limits",
                        },
                    }
                ],
            }
        ]
    },
)
