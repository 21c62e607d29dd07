"""Objects for the outsider matrix (tests/outsider_objects.py): experiments' and themes' URL
keywords. `cycle_id` is registered by tests/cycles/objects.py."""

from tests.factories import ExperimentFactory, ThemeFactory

MAKERS = {
    "experiment_id": lambda workspace, membership: ExperimentFactory(workspace=workspace).pk,
    "theme_id": lambda workspace, membership: ThemeFactory(workspace=workspace).pk,
}
