"""Most Significant Change: stories of change collected, then chosen at each level with reasons."""

from stewardship.methods.builtins.base import BOOK, Builtin

MSC = Builtin(
    key="msc",
    version=1,
    name="Most Significant Change",
    summary=(
        "People tell stories of change in an agreed domain, and the group chooses the one it "
        "finds most significant, saying why. Each level (team, organisation, place, country) "
        "runs it and draws on the stories chosen by the runs at the level below; the choices "
        "and reasons go back down to the storytellers."
    ),
    source=(
        "The Most Significant Change technique (Dart and Davies, 2003, 'A dialogical, "
        "story-based evaluation tool'); its use as participatory evaluation is described in "
        f"{BOOK}, ch. 9. Selection at each level with reasons is from wider MSC practice."
    ),
    phases=("experiment", "embed"),
    scales=("team", "organisation", "place", "country"),
    minutes=75,
    definition={
        "steps": [
            {
                "key": "domain",
                "title": "The domain of change",
                "who": "group",
                "minutes": 10,
                "prompt": (
                    "Agree what kind of change we are looking for stories about, broadly enough "
                    'to be surprised (for example "changes in people\'s lives" or "changes in '
                    'how we work together"), and the period the stories cover.'
                ),
                "fields": [
                    {
                        "key": "domain",
                        "label": "The domain of change",
                        "type": "text",
                        "required": True,
                    },
                    {
                        "key": "period",
                        "label": "The period the stories cover",
                        "type": "text",
                        "help": 'For example "since the spring".',
                    },
                ],
            },
            {
                "key": "collect",
                "title": "Collect the stories",
                "who": "each",
                "minutes": 20,
                "consent": True,
                "prompt": (
                    "Looking back over the period, what do you think was the most significant "
                    "change in this domain? Tell it as a story: who was involved, what "
                    "happened, what is different now. If it is someone else's story, it needs "
                    "their consent first."
                ),
                "fields": [
                    {
                        "key": "story",
                        "label": "The most significant change, as a story",
                        "type": "story",
                        "required": True,
                    },
                    {
                        "key": "why_significant",
                        "label": "Why is this significant to you?",
                        "type": "long_text",
                        "required": True,
                    },
                ],
            },
            {
                "key": "select",
                "title": "Choose the most significant",
                "who": "group",
                "minutes": 40,
                "prompt": (
                    "Read the stories aloud, including those chosen by the groups this run "
                    "draws from. Talk about what each one shows, then choose the one the group "
                    "finds most significant and say why. The reasons matter as much as the "
                    "choice: they go back to everyone who told a story. Any choice is a "
                    "judgement about the change, never about the storyteller."
                ),
                "fields": [
                    {
                        "key": "chosen",
                        "label": "The most significant change, and why we chose it",
                        "type": "select",
                        "required": True,
                        "from": "collect.story",
                        "pick": 1,
                        "reasons": True,
                    },
                    {
                        "key": "how_we_chose",
                        "label": "How did we choose, and where did we see it differently?",
                        "type": "long_text",
                    },
                ],
                "writes": [{"as": "entry", "kind": "insight", "field": "chosen"}],
            },
        ]
    },
)
