"""What each route answers, for the OpenAPI document, refusals included.

Plain JSON Schema rather than a pydantic model, so the redirect function can
declare its responses without importing pydantic (cold start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # the module imports pydantic; only its TypedDict is wanted here
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

ERROR_BODY_SCHEMA: dict[str, Any] = {
    "title": "ErrorBody",
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "description": "What went wrong, for people."},
        "errors": {
            "type": "array",
            "description": "Each field at fault and the rule it breaks.",
            "items": {
                "type": "object",
                "required": ["field", "reason"],
                "properties": {
                    "field": {"type": "string", "examples": ["url"]},
                    "reason": {
                        "type": "string",
                        "examples": ["must be an absolute http or https URL"],
                    },
                },
            },
        },
    },
}

_STATUS_MEANINGS = {
    400: "The request cannot be read, or a value breaks a rule; `errors` names each.",
    401: "No `Authorization: Bearer <managementToken>`.",
    403: "The token does not manage this link.",
    404: "No such link.",
    409: "The alias is taken, or a request with this Idempotency-Key is still running.",
    410: "The link expired, was deleted, or points to a blocked host.",
    413: "The body is over 8 KiB.",
    415: "The body is not `application/json`.",
    422: "A field is missing, of the wrong type or unknown, or an Idempotency-Key was reused.",
    429: "Too many links created from this address; see `Retry-After`.",
    503: "No free short id right now; see `Retry-After`.",
}


def error_responses(*statuses: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI `responses` for refusals, all with the one error body."""
    return {
        status: cast(
            "OpenAPIResponse",
            {
                "description": _STATUS_MEANINGS[status],
                "content": {"application/json": {"schema": ERROR_BODY_SCHEMA}},
            },
        )
        for status in statuses
    }


def documented(status: int, description: str) -> dict[int, OpenAPIResponse]:
    """One OpenAPI response with a description and no documented body."""
    return {status: cast("OpenAPIResponse", {"description": description})}


def with_body(status: int, description: str, model: type[Any]) -> dict[int, OpenAPIResponse]:
    """One OpenAPI response whose JSON body is `model` (a pydantic model)."""
    return {
        status: cast(
            "OpenAPIResponse",
            {"description": description, "content": {"application/json": {"model": model}}},
        )
    }
