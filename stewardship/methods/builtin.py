"""The built-in methods: data, in our own words, each attributed to its sources. A workspace
runs one as it is, or copies it into its own templates and adapts it (services.template_copy).
Each method lives in its own module under stewardship/methods/builtins/; this is the registry.

Each has a `version`: raise it whenever its steps change. A run keeps the definition and the
version it started with (MethodRun.definition), so a change here never alters a run in progress.
`scales` are the short scale keys of stewardship/questions/seed.py SCALE_NAMES (empty: any);
`phases` the cycle's phases it serves (cycles.models.Phase values; managing and governing runs
through all of them, so a governing method lists every phase it fits).
"""

from __future__ import annotations

from stewardship.methods.builtins.action_inquiry import ACTION_INQUIRY
from stewardship.methods.builtins.appreciative_inquiry import APPRECIATIVE_INQUIRY
from stewardship.methods.builtins.base import BOOK, Builtin
from stewardship.methods.builtins.boundary_voice import BOUNDARY_VOICE
from stewardship.methods.builtins.experiment_check import EXPERIMENT_CHECK
from stewardship.methods.builtins.healthy_system import HEALTHY_SYSTEM
from stewardship.methods.builtins.learning_get_together import LEARNING_GET_TOGETHER
from stewardship.methods.builtins.msc import MSC
from stewardship.methods.builtins.principles_compass import PRINCIPLES_COMPASS
from stewardship.methods.builtins.rapid_learning import RAPID_LEARNING
from stewardship.methods.builtins.what_matters import WHAT_MATTERS

__all__ = ["BOOK", "BUILTINS", "Builtin", "builtin"]

# In the order the picker lists them: roughly the order of the learning cycle.
BUILTINS: dict[str, Builtin] = {
    b.key: b
    for b in (
        WHAT_MATTERS,
        APPRECIATIVE_INQUIRY,
        BOUNDARY_VOICE,
        HEALTHY_SYSTEM,
        EXPERIMENT_CHECK,
        RAPID_LEARNING,
        ACTION_INQUIRY,
        MSC,
        LEARNING_GET_TOGETHER,
        PRINCIPLES_COMPASS,
    )
}


def builtin(key: str) -> Builtin | None:
    return BUILTINS.get(key)
