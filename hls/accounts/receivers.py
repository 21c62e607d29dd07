"""Keeps the user's list of sessions (hls/accounts/models.py, UserSession) in step with Django's
session store: a row when someone signs in, gone when they sign out. Connected in apps.py; the
work is in the services."""

from typing import Any

from django.http import HttpRequest

from hls.accounts.middleware import note_session_seen
from hls.accounts.models import User
from hls.accounts.services import session_forget, session_record


def signed_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    key = request.session.session_key
    if key:
        session_record(user=user, session_key=key, user_agent=request.headers.get("User-Agent", ""))
        note_session_seen(request)


def signed_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    key = request.session.session_key
    if key:
        session_forget(session_key=key)
