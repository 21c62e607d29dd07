import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from hls.accounts.services import session_seen


class UserTimezoneMiddleware:
    """Show times in the signed-in user's own time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            timezone.activate(zoneinfo.ZoneInfo(request.user.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)


SEEN_AT = "_hls_seen_at"  # in the session: when its "last seen" was last written (Unix time)


def note_session_seen(request: HttpRequest) -> None:
    """Remember in the session that its "last seen" was just written."""
    request.session[SEEN_AT] = int(time.time())


class SessionActivityMiddleware:
    """Keeps "last seen" on the user's list of sessions (hls/accounts/services.py) coarse: it is
    written when more than SESSION_SEEN_EVERY seconds have passed since the last time, never on
    every request. The time of the last write rides in the session itself, so checking costs
    nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        key = request.session.session_key
        if user.is_authenticated and key:
            now = int(time.time())
            if now - int(request.session.get(SEEN_AT, 0)) >= settings.SESSION_SEEN_EVERY:
                session_seen(
                    user=user,
                    session_key=key,
                    user_agent=request.headers.get("User-Agent", ""),
                )
                note_session_seen(request)
        return self.get_response(request)
