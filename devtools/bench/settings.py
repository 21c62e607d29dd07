"""The production settings (hls.settings) for `make bench`, with two differences, both stated in
docs/performance.md: a middleware that reports the SQL queries each request ran in a response
header, and cookies allowed over plain HTTP (the server listens on loopback only)."""

from hls.settings import *  # noqa: F403
from hls.settings import MIDDLEWARE

MIDDLEWARE = ["devtools.bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
