"""Settings for the real processes tests/hls/test_two_beats.py starts (two beats, two workers):
the outage settings (tasks go to the broker), with every beat entry due every two seconds, so what
is due once a minute, an hour or a day in production falls due many times within the test."""

from datetime import timedelta

from tests.hls.outage_settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": timedelta(seconds=2)}
    for name, entry in CELERY_BEAT_SCHEDULE.items()  # noqa: F405
}
