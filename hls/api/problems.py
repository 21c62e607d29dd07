"""Errors as `application/problem+json` (RFC 9457), with field details for invalid input."""

import sys
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from hls.outage import DATABASE_RETRY_AFTER_SECONDS, database, database_unreachable

PROBLEM_BASE = "https://hls-learning-cycles.example/problems/"
CONTENT_TYPE = "application/problem+json"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag you last read, so no change is overwritten."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object changed since you read it: read it again and reapply your change."
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used with a different request."
    default_code = "idempotency_key_reused"


TITLES = {
    400: "Invalid request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    428: "Precondition required",
    429: "Too many requests",
    503: "Service unavailable",
}


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {str(k): _field_errors(v) if isinstance(v, dict) else v for k, v in detail.items()}
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + str(code),
        "title": TITLES.get(response.status_code, "Error"),
        "status": response.status_code,
    }
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = "Some fields need attention."
        body["errors"] = _field_errors(response.data)
    else:
        data = response.data
        body["detail"] = str(data.get("detail", "")) if isinstance(data, dict) else str(data)
    response.data = body
    response.content_type = CONTENT_TYPE
    return response


def _problem_response(status: int, detail: str, code: str = "") -> JsonResponse:
    code = code or ("not_found" if status == 404 else "error")
    body = {
        "type": PROBLEM_BASE + code,
        "title": TITLES.get(status, "Server error"),
        "status": status,
        "detail": detail,
    }
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Under /api/ a URL that matches no route is a problem+json 404 too; elsewhere the page."""
    if request.path.startswith("/api/"):
        return _problem_response(404, "No such resource.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, called while the exception is being handled: the database being
    away is a 503 (`service_unavailable`); anything else a 500, logged with its traceback."""
    error = sys.exception()
    if database_unreachable(error):
        assert error is not None
        return service_unavailable(request, error)
    if request.path.startswith("/api/"):
        return _problem_response(500, "Something went wrong on our side; it has been logged.")
    return defaults.server_error(request)


def service_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 with Retry-After while the database is away: problem+json under /api/, else the
    outage page (templates/503.html, drawn without the request: it needs no database). Logged
    once per outage (hls.outage.database), not once per request with a traceback."""
    if request.path.startswith("/api/"):
        response: HttpResponse = _problem_response(
            503,
            "The service cannot reach its database just now. Try again in a moment; a POST "
            "sent again with the same Idempotency-Key is kept once.",
            "service_unavailable",
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    database.failed(error)
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log.log_response
    return response
