"""Test settings: the real stack (PostgreSQL, Redis), with fast hashing and no HTTPS redirect."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")

from hls.settings import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
WHITENOISE_AUTOREFRESH = True
CACHES["default"]["KEY_PREFIX"] = f"hls-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"  # noqa: F405
IDENTITY_KEYS = ["mrDGeHS_ZoIb0ANH9XlKIWl30Oz371t1BHyl3nrC6pg="]  # a fixed key, for tests only
WEBHOOKS_ALLOW_PRIVATE_URLS = True  # the tests' receivers listen on 127.0.0.1
