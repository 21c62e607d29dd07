"""Settings, read from the environment. Defaults are safe for production.

See the configuration table in README.md. `hls.settings_test` adjusts a few values for tests.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY") if not DEBUG else env.str("SECRET_KEY", default="dev-insecure")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",  # its stock widget templates, behind ours in templates/django/forms/
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "django_otp",  # two-step sign-in (docs/accounts.md)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "hls.accounts",
    "hls.tenancy",  # its `migrate` and `flush` run as the owner (hls/tenancy/rls.py)
    "hls.audit",
    "hls.api",
    "hls.webhooks",
    "systems",
    "cycles",
    "stewardship",
    "dataio",
    "devtools",  # the demo data's `seed_demo`; devstack.py is run as `python -m devtools.devstack`
]

MIDDLEWARE = [
    "hls.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hls.headers.ResponseHeadersMiddleware",  # no-store when signed in; Permissions-Policy
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "hls.accounts.middleware.UserTimezoneMiddleware",
    "hls.accounts.middleware.SessionActivityMiddleware",  # "last seen", once in a few minutes
    "hls.tenancy.middleware.TenancyMiddleware",
    "hls.client_tokens.ClientTokenMiddleware",  # after tenancy: inside its transaction
]

ROOT_URLCONF = "hls.urls"
WSGI_APPLICATION = "hls.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hls.tenancy.context_processors.tenancy",
                "cycles.context_processors.trust",
            ],
        },
    },
]
# Every form field renders through the project's templates (partials/field.html and the widget
# templates in templates/django/forms/widgets/): see hls/renderers.py and docs/ui.md.
FORM_RENDERER = "hls.renderers.FormRenderer"

# Database. DATABASE_URL is the owner account (it runs migrations); requests and tasks run as
# DATABASE_APP_ROLE, which is neither superuser nor BYPASSRLS, so row-level security applies.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="hls_app")
# Set only for `migrate` in production: lets the app role log in, so web and workers can connect
# as it directly (DATABASE_URL=postgres://hls_app:...) and never hold the owner's credentials.
DATABASE_APP_PASSWORD = env.str("DATABASE_APP_PASSWORD", default="")
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/hls")}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"].setdefault("OPTIONS", {})["assume_role"] = DATABASE_APP_ROLE
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Redis is a cache and a broker, never a single point of failure (docs/operations.md): the cache
# answers within REDIS_SOCKET_TIMEOUT or is a miss (hls/cache.py), so sessions (cached_db, below)
# fall through to PostgreSQL while Redis is away or frozen.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)
CACHES = {
    "default": {
        "BACKEND": "hls.cache.FailSoftRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "hls",
        "OPTIONS": {
            "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
        },
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Login throttling (django-axes): five failures for one email from one address lock it out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field (it holds the email)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["code"]  # never keep a typed sign-in code in the attempt log

# Two-step sign-in (docs/accounts.md): a code from an authenticator app (TOTP) or a recovery code,
# asked after the password; wrong codes count towards the lockout above, as wrong passwords do.
OTP_TOTP_ISSUER = "HLS Learning Cycles"
TWO_FACTOR_PENDING_SECONDS = 5 * 60  # how long the code page waits after the password

# Sessions and cookies.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 60 * 60 * 12
# "Where you're signed in" (hls/accounts/services.py): when a session was last used, written at
# most once in this many seconds, never on every request.
SESSION_SEEN_EVERY = 5 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features the product never uses, off for it and anything it embeds (hls/headers.py).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "ambient-light-sensor", "autoplay", "bluetooth", "browsing-topics",
        "camera", "display-capture", "encrypted-media", "geolocation", "gyroscope", "hid",
        "idle-detection", "interest-cohort", "magnetometer", "microphone", "midi", "payment",
        "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
        "xr-spatial-tracking",
    )
}  # fmt: skip

# Content-Security-Policy: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Internationalisation: every user-facing string is marked; each user has a time zone.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: SMTP through EMAIL_URL (smtp://user:pass@host:587/?tls=True); the console in `make run`.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="HLS Learning Cycles <no-reply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery (DESIGN.md §5): late acks, reject on worker loss, one message at a time, time limits.
CELERY_BROKER_URL = REDIS_URL.replace("unix://", "redis+socket://", 1)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
# Publishing never hangs a request (hls/jobs.py): short connect and socket timeouts (the socket
# timeout stays above kombu's one-second BRPOP, so the worker's own polling is unaffected), and
# a publish that fails is not retried in the request: the outbox sweeps send it later.
BROKER_SOCKET_TIMEOUT = env.float("BROKER_SOCKET_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    "socket_connect_timeout": 1.0,
    "socket_timeout": BROKER_SOCKET_TIMEOUT,
    "socket_keepalive": True,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Work published while the broker was away is published again by the outbox sweeps after this.
JOBS_REPUBLISH_AFTER = timedelta(seconds=env.int("JOBS_REPUBLISH_AFTER_SECONDS", default=120))
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "expire-invitations": {
        "task": "hls.tenancy.tasks.expire_invitations",
        "schedule": crontab(minute=15),
    },
    # Reminders (stewardship/notifications/tasks.py): plan ahead, deliver what is due, digests.
    "plan-reminders": {
        "task": "stewardship.notifications.tasks.plan_reminders",
        "schedule": crontab(minute="*/10"),
    },
    "dispatch-due-reminders": {
        "task": "stewardship.notifications.tasks.dispatch_due",
        "schedule": crontab(),  # every minute
    },
    "send-daily-digests": {
        "task": "stewardship.notifications.tasks.digest_due",
        "schedule": crontab(minute=0),
    },
    # Retention (stewardship/privacy/tasks.py): identities and drafts past each workspace's
    # settings, once a day, at a quiet hour.
    "apply-retention": {
        "task": "stewardship.privacy.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=40),
    },
    # Webhooks (hls/webhooks/tasks.py): deliver the outbox, retries included.
    "dispatch-webhooks": {
        "task": "hls.webhooks.tasks.dispatch_webhooks",
        "schedule": crontab(),  # every minute
    },
    # The outbox sweeps (hls/jobs.py): work whose message was lost while the broker was away.
    "republish-report-work": {
        "task": "stewardship.reports.tasks.republish_queued",
        "schedule": crontab(minute="*/2"),
    },
    "republish-imports-exports": {  # dataio/tasks.py, under the name it had in hls/dataio/
        "task": "hls.dataio.tasks.republish_queued",
        "schedule": crontab(minute="*/2"),
    },
    "republish-invitation-emails": {
        "task": "hls.tenancy.tasks.republish_queued",
        "schedule": crontab(minute="*/2"),
    },
}

# Webhooks may go to private or loopback addresses only in development (docs/webhooks.md).
WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("WEBHOOKS_ALLOW_PRIVATE_URLS", default=DEBUG)
# A delivery gets this long in all (connecting, sending, the answer's status and headers), and a
# dispatch run sends this many at once, at most one to each receiver (hls/webhooks/delivery.py).
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_SENDERS = env.int("WEBHOOK_SENDERS", default=4)

INVITATION_TTL = timedelta(days=env.int("INVITATION_TTL_DAYS", default=14))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hls.api.problems.problem_exception_handler",
}
# Partner API (hls/api, docs/api.md): requests per key per minute, and the largest body.
API_RATE = env.str("API_RATE", default="600/min")
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1_000_000)
SPECTACULAR_SETTINGS = {
    "TITLE": "HLS Learning Cycles API",
    "DESCRIPTION": "The partner API of HLS Learning Cycles. Guide: docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hls.api.schema.postprocess",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# People served: identity (name, date of birth, contact) is encrypted at rest with Fernet keys
# (systems/people/crypto.py, docs/people-and-privacy.md). Comma-separated; the first encrypts,
# all decrypt, so keys rotate with `manage.py rotate_identity_keys`. Required in production;
# under DEBUG (`make run`) an empty list means a key derived from SECRET_KEY, for development only.
IDENTITY_KEYS = env.list("IDENTITY_KEYS", default=[])
