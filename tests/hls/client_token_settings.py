"""Settings for the real web server that tests/hls/test_client_tokens.py starts: the test
settings, with `SlowAnswerMiddleware` inside the request's transaction."""

from hls.settings_test import *  # noqa: F403

MIDDLEWARE = [*MIDDLEWARE, "tests.hls.slow_answer.SlowAnswerMiddleware"]  # noqa: F405
DEBUG_PROPAGATE_EXCEPTIONS = False
