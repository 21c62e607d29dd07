"""The events a webhook can subscribe to, and the API path of each kind of object."""

from django.utils.translation import gettext_lazy as _

ENTRY_SHARED = "entry.shared"
EXPERIMENT_ENDED = "experiment.ended"
BARRIER_RAISED = "barrier.raised"
BARRIER_ANSWERED = "barrier.answered"
SESSION_SCHEDULED = "session.scheduled"
OUTPUTS_RECORDED = "session.outputs_recorded"
REPORT_PUBLISHED = "report.published"
METHOD_RUN_COMPLETED = "method_run.completed"

EVENTS = {
    ENTRY_SHARED: _("An entry is shared upward or with the whole workspace"),
    EXPERIMENT_ENDED: _("An experiment ends (amplify, adapt, or stop: learnt)"),
    BARRIER_RAISED: _("A barrier is raised to a cycle above"),
    BARRIER_ANSWERED: _("A barrier is answered"),
    SESSION_SCHEDULED: _("A sense-making session is scheduled"),
    OUTPUTS_RECORDED: _("A meeting's outputs are recorded"),
    REPORT_PUBLISHED: _("A learning report is published"),
    METHOD_RUN_COMPLETED: _("A guided method run is completed (its results are in the cycle)"),
}

# The object named in an event's data → its collection under /api/v1/.
RESOURCES = {
    "entry": "entries",
    "experiment": "experiments",
    "barrier": "barriers",
    "session": "sessions",
    "report": "reports",
    "method_run": "method-runs",
}


def api_path(resource: str, object_id: int) -> str:
    return f"/api/v1/{RESOURCES[resource]}/{object_id}/"
