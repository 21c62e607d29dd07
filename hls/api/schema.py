"""Post-processing of the OpenAPI schema (drf-spectacular hook): what every operation shares.

- The error responses every operation may give, as `application/problem+json`.
- The conditional and idempotency headers: `If-None-Match` on reads, `If-Match` (required) on
  PATCH and DELETE, `Idempotency-Key` on POST.
- OpenAPI links from each create to the operations on what it made (its id, and its ETag as the
  `If-Match` of an update), so stateful clients and tests can follow them.
"""

from typing import Any

PROBLEM = {
    "type": "object",
    "description": "An error (RFC 9457). `errors` maps each field to its messages.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["type", "title", "status"],
}
ERRORS = {
    "400": "Invalid input: see `errors` for each field.",
    "401": "No key, or a key that is unknown, revoked or expired.",
    "403": "The key lacks the scope, or the member's role does not allow this.",
    "404": "No such object in this workspace (or not visible to the caller).",
    "413": "The body is larger than the API accepts.",
    "415": "Send `Content-Type: application/json`.",
    "429": "Too many requests: wait for `Retry-After` seconds.",
}
WRITE_ERRORS = {
    "409": "The change conflicts with the object's state (e.g. a published report).",
    "422": "The Idempotency-Key was already used with a different request.",
}
CONDITIONAL_ERRORS = {
    "412": "The object changed since you read it (stale If-Match).",
    "428": "Send If-Match with the ETag you last read.",
}


def _header(name: str, description: str, *, required: bool = False) -> dict[str, Any]:
    return {
        "in": "header",
        "name": name,
        "required": required,
        "schema": {"type": "string"},
        "description": description,
    }


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def postprocess(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    paths: dict[str, Any] = result.get("paths", {})
    for item in paths.values():
        for method, operation in item.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            errors = dict(ERRORS)
            parameters = operation.setdefault("parameters", [])
            if method == "get":
                parameters.append(
                    _header("If-None-Match", "An ETag you hold: 304 if it is still current.")
                )
                responses.setdefault("304", {"description": "Not modified."})
            if method == "post":
                parameters.append(
                    _header("Idempotency-Key", "Retries with the same key return the first answer.")
                )
                errors.update(WRITE_ERRORS)
            if method in ("patch", "put", "delete"):
                parameters.append(
                    _header("If-Match", "The ETag you last read of this object.", required=True)
                )
                errors.update(WRITE_ERRORS)
                errors.update(CONDITIONAL_ERRORS)
            for status, description in errors.items():
                responses.setdefault(status, _problem(description))
            for status, response in responses.items():
                # An error documented by its operation with a description only: its body is a
                # problem too (the exception handler answers every error so).
                if str(status).startswith("4") and "content" not in response:
                    response.update(_problem(response.get("description", "")))
    _add_links(paths)
    return result


def _add_links(paths: dict[str, Any]) -> None:
    """From `POST /x/` (201 with an `id`) to every operation on `/x/{id}/...`."""
    for path, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if created is None or "{" in path:
            continue
        links: dict[str, Any] = {}
        for other, other_item in paths.items():
            if not other.startswith(path + "{id}/"):
                continue
            for method, operation in other_item.items():
                if method not in ("get", "post", "patch", "put", "delete"):
                    continue
                parameters: dict[str, str] = {"id": "$response.body#/id"}
                if method in ("patch", "put", "delete") and other == path + "{id}/":
                    parameters["header.If-Match"] = "$response.header.ETag"
                name = operation["operationId"]
                links[name] = {"operationId": name, "parameters": parameters}
        if links:
            created["links"] = links
