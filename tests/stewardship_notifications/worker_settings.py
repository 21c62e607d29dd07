"""Settings for a real worker started by the tests: the test settings, not eager, and the
file email backend (tests/stewardship_notifications/mailbackend.py)."""

from hls.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "tests.stewardship_notifications.mailbackend.FileLineBackend"
