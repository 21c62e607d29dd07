"""Response conformance against the committed schema (docs/openapi.yaml): a real response's
status must be documented for its operation, its content type among those documented for that
status, and its body valid against the documented schema (issue 11, finding 5).

Used by test_conformance.py (every operation, a world with objects in every state) and by the
autouse fixture in tests/api/conftest.py (every API response any API test makes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
import schemathesis
from schemathesis.core.transport import Response

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
schema = schemathesis.openapi.from_path(COMMITTED)


def operations() -> list[Any]:
    """Every operation the committed schema documents."""
    return [result.ok() for result in schema.get_all_operations()]


def _media_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


def check(response: Any) -> None:
    """Fail unless the Django test response conforms to its operation in the committed schema.
    Responses outside the schema's paths (pages, the schema itself) are not checked."""
    request = response.wsgi_request
    operation = schema.find_operation_by_path(request.method, request.path)
    if operation is None:
        return
    where = f"{request.method} {request.path} answered {response.status_code}"
    definition = operation.responses.find_by_status_code(response.status_code)
    assert definition is not None, f"{where}: this status is not documented"
    if response.status_code == 304 or not response.content:
        return
    content_type = response.get("Content-Type", "")
    wrapped = Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=requests.Request(method=request.method, url=request.build_absolute_uri()).prepare(),
        elapsed=0.0,
        verify=False,
    )
    documented = [_media_type(t) for t in schema.get_content_types(operation, wrapped)]
    assert _media_type(content_type) in documented, (
        f"{where} with {content_type!r}; documented: {documented}"
    )
    if _media_type(content_type).endswith("json"):
        try:
            operation.validate_response(wrapped)
        except AssertionError as error:  # schemathesis' failure groups are AssertionErrors
            raise AssertionError(f"{where}: {error}\n{response.content[:2000]!r}") from None
