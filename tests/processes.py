"""For tests that start real processes (a Celery worker, a web server): how they reach the
test database. The test database may be on TCP (the machine's PostgreSQL, as in CI with
DATABASE_URL) or on the embedded server's unix socket directory (a newcomer's `make test`)."""

from urllib.parse import quote

from django.db import connection


def live_database_url(name: str = "") -> str:
    """A DATABASE_URL for the test database (or another database `name` on the same server), in
    the form hls/settings.py (django-environ) reads."""
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres", safe="")
    if db["PASSWORD"]:
        user += ":" + quote(db["PASSWORD"], safe="")
    name = quote(name or db["NAME"], safe="")
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):  # a unix socket directory: django-environ reads it from the path
        return f"postgres://{user}@/{quote(host)}/{name}"
    return f"postgres://{user}@{host}:{db['PORT'] or 5432}/{name}"
