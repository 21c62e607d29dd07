"""Settings for the real processes tests/hls/test_redis_outage.py starts (web, worker, the
sweep): the test settings, with tasks sent to the broker instead of run in place."""

from hls.settings_test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
