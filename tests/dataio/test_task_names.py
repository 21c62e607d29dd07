"""The import and export tasks answer to the names they had before the app moved out of `hls/`
(messages already queued and beat's schedule carry those names), and a worker registers them."""

from django.conf import settings

from dataio import tasks
from hls.celery import app

OLD_NAMES = {
    tasks.run_import: "hls.dataio.tasks.run_import",
    tasks.build_export: "hls.dataio.tasks.build_export",
    tasks.republish_queued: "hls.dataio.tasks.republish_queued",
}


def test_the_tasks_keep_their_names_from_before_the_move() -> None:
    assert {task.name for task in OLD_NAMES} == set(OLD_NAMES.values())


def test_a_worker_finds_each_task_under_its_old_name() -> None:
    app.loader.import_default_modules()  # what a worker does first: every app's tasks module
    for task, name in OLD_NAMES.items():
        assert app.tasks[name].run == task.run


def test_beat_runs_the_sweep_under_its_old_name() -> None:
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "hls.dataio.tasks.republish_queued" in scheduled
