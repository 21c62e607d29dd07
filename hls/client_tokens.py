"""Client tokens: a form sent twice is saved once (docs/architecture.md, "Client tokens").

static/js/drafts.js adds a hidden `client_token` (a random UUID per form render, kept for
retries of the same text) to every form that takes free text. For a POST under `/w/<slug>/`
carrying one, `ClientTokenMiddleware` (placed after the tenancy middleware, so it runs inside
the request's one transaction and workspace scope) takes a unique row for (workspace, user,
token) before the view runs, in that same transaction:

- the first request inserts the row and runs the view; a success (a redirect, or a 2xx htmx
  fragment) is written into the row and commits with the work; anything else (a form shown
  again with its errors, a server error) deletes the row, so fixing the input and sending it
  again runs normally;
- a retry finds the committed row and gets the first answer again (a redirect as 303, an htmx
  fragment as it was) without running the view;
- a concurrent retry's INSERT waits on the first transaction's uncommitted row: when that one
  commits, the retry is answered from the row; when it rolls back, the retry runs normally.

The rows are the partner API's `IdempotencyRecord`s, with the caller `web:<user id>` (the API
uses a key prefix or `user:<id>`), so they are scoped to the workspace by row-level security
like every tenant row. They are forgotten after `CLIENT_TOKEN_TTL`.

Every successful answer to a POST carrying a token (inside a workspace or not) also sets the
short-lived cookie `hls_saved`, naming the token: the browser then forgets its local draft of
that text (the server confirmed the save).
"""

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from hls.api.models import IdempotencyRecord

FIELD = "client_token"
COOKIE = "hls_saved"
COOKIE_SECONDS = 300
COOKIE_TOKENS = 8  # the cookie names at most this many recent tokens
CLIENT_TOKEN_TTL = dt.timedelta(days=7)
MAX_REMEMBERED_BODY = 256 * 1024  # an htmx fragment larger than this is answered by a refresh
REPLAYED_HEADER = "X-Client-Token-Replayed"
_TOKEN = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_KEPT_HEADERS = ("Content-Type", "HX-Redirect", "HX-Refresh", "HX-Location", "HX-Trigger")


def client_token(request: HttpRequest) -> str | None:
    """The form's client token, when this is a form POST carrying a well-formed one."""
    if request.method != "POST" or request.content_type not in _FORM_TYPES:
        return None
    token = request.POST.get(FIELD, "").strip().lower()
    return token if _TOKEN.match(token) else None


def _caller(request: HttpRequest) -> str:
    return f"web:{request.user.pk}"


def _fingerprint(request: HttpRequest) -> str:
    return hashlib.sha256(request.path.encode()).hexdigest()


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def remembered(request: HttpRequest, response: HttpResponse) -> bool:
    """A success worth answering again: a redirect, or an htmx fragment (htmx forms answer their
    errors with 422, and plain forms with 400, so a 2xx fragment is a success)."""
    if response.streaming:
        return False
    if 300 <= response.status_code < 400:
        return bool(response.get("Location"))
    return _is_htmx(request) and 200 <= response.status_code < 300


def _take(request: HttpRequest, token: str) -> IdempotencyRecord | None:
    """Insert the row for this token, or (the token was sent before) return None. Waits while
    another transaction holds an uncommitted row for the same token."""
    workspace = request.workspace  # type: ignore[attr-defined]
    caller = _caller(request)
    IdempotencyRecord.objects.filter(
        workspace=workspace, caller=caller, created_at__lt=timezone.now() - CLIENT_TOKEN_TTL
    ).delete()
    table = IdempotencyRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 - the table name is the model's own
            "(workspace_id, caller, key, fingerprint, status_code, location, created_at) "
            "VALUES (%s, %s, %s, %s, 0, '', %s) "
            "ON CONFLICT (workspace_id, caller, key) DO NOTHING RETURNING id",
            [workspace.pk, caller, token, _fingerprint(request), timezone.now()],
        )
        row = cursor.fetchone()
    return None if row is None else IdempotencyRecord.objects.get(pk=row[0])


def _replay(request: HttpRequest, found: IdempotencyRecord) -> HttpResponse:
    if 300 <= found.status_code < 400:
        if not _is_htmx(request):
            messages.info(request, _("This was already saved: it was sent twice and kept once."))
        response: HttpResponse = HttpResponseRedirect(found.location, status=303)
    else:
        stored: dict[str, Any] = found.body if isinstance(found.body, dict) else {}
        headers = stored.get("headers", {})
        response = HttpResponse(stored.get("html", ""), status=found.status_code)
        for name, value in headers.items():
            response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _remember(record: IdempotencyRecord, response: HttpResponse) -> None:
    record.status_code = response.status_code
    record.location = response.get("Location", "")[:500]
    if not 300 <= response.status_code < 400:
        content = response.content
        if len(content) <= MAX_REMEMBERED_BODY:
            headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
            html = content.decode(response.charset or "utf-8", errors="replace")
            record.body = {"html": html, "headers": headers}
        else:  # too large to keep: a retry reloads the page, which shows what was saved
            record.status_code = 200
            record.body = {"html": "", "headers": {"HX-Refresh": "true"}}
    record.save(update_fields=["status_code", "location", "body"])


def _confirm(request: HttpRequest, response: HttpResponse, token: str) -> None:
    """Name the token in the `hls_saved` cookie (with the few before it)."""
    earlier = [t for t in request.COOKIES.get(COOKIE, "").split(".") if _TOKEN.match(t)]
    kept = [t for t in earlier if t != token][-(COOKIE_TOKENS - 1) :]
    tokens = [*kept, token]
    response.set_cookie(
        COOKIE,
        ".".join(tokens),
        max_age=COOKIE_SECONDS,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=False,  # static/js/drafts.js reads it
    )


class ClientTokenMiddleware:
    """See the module docstring. The row is taken in `process_view` (after the CSRF check) and
    settled in `__call__` once the view has answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        token: str | None = getattr(request, "_client_token", None)
        if token is None:
            return response
        record: IdempotencyRecord | None = getattr(request, "_client_token_record", None)
        success = remembered(request, response)
        if response.status_code >= 500 and connection.in_atomic_block:
            # A server error keeps nothing of what the view did (its record included), so the
            # retry runs normally instead of finding half the work done.
            transaction.set_rollback(True)
        elif record is not None:
            if success:
                _remember(record, response)
            else:
                record.delete()  # not remembered: a corrected form runs normally
        if success or response.has_header(REPLAYED_HEADER):
            _confirm(request, response, token)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # A view exempt from CSRF (the partner API) reads its own body: leave it unread.
        token = None if getattr(view, "csrf_exempt", False) else client_token(request)
        request._client_token = token  # type: ignore[attr-defined]
        if token is None or getattr(request, "workspace", None) is None:
            return None
        record = _take(request, token)
        if record is not None:
            request._client_token_record = record  # type: ignore[attr-defined]
            return None
        found = IdempotencyRecord.objects.filter(
            workspace=request.workspace,  # type: ignore[attr-defined]
            caller=_caller(request),
            key=token,
        ).first()
        if found is None or found.status_code == 0 or found.fingerprint != _fingerprint(request):
            return None  # not a retry of this form's answer: run it, without a record
        return _replay(request, found)
