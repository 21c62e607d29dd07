"""Settings for a real worker started by the tests: the test settings, not eager, and the
file email backend (tests/stewardship_notifications/mailbackend.py)."""

from hls.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "tests.stewardship_notifications.mailbackend.FileLineBackend"


def _note_done(task_id: str | None = None, **_kwargs: object) -> None:
    """Each task the worker finishes, by id, to a file the test reads (NOTIFY_TASKS_DONE): what
    a test waits on before saying that nothing more was sent."""
    import os

    path = os.environ.get("NOTIFY_TASKS_DONE")
    if path and task_id:
        with open(path, "a") as done:
            done.write(task_id + "\n")


def _connect() -> None:
    from celery.signals import task_postrun

    task_postrun.connect(_note_done, weak=False)


_connect()
