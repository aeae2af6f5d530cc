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
        "reason": {
            "type": "string",
            "enum": ["deleted", "expired", "disabled", "blocked", "unavailable"],
            "description": "A 410's cause, for programs: why the link no longer redirects.",
        },
    },
}

_STATUS_MEANINGS = {
    400: "The request cannot be read, or a value breaks a rule; `errors` names each.",
    401: "No `Authorization: Bearer` with the credential the route needs (the link's"
    " management token, or an API key), or an API key that is unknown or revoked.",
    403: "The token does not manage this link, the API key lacks the route's scope or"
    " belongs to another owner, or the request reached the API's own URL without passing"
    " the site's CloudFront.",
    404: "No such link.",
    409: "The alias is taken, or a request with this Idempotency-Key is still running.",
    410: "The link expired, was deleted or disabled, or points to a blocked host;"
    " `reason` says which in one word.",
    413: "The body is over 8 KiB.",
    415: "The body is not `application/json`.",
    422: "A field is missing, of the wrong type or unknown, or an Idempotency-Key was reused.",
    429: "Too many links created from this address or with this API key (or reports sent),"
    " or by everyone together in the last minute; see `Retry-After`.",
    503: "Briefly unavailable (storage throttled or unreachable, or no free short id);"
    " nothing to fix in the request: retry after `Retry-After` seconds.",
}


# Headers a response of that status always carries (responses.py, the handlers), so
# clients may rely on them and schemathesis holds the API to them.
_LOCATION_OF_SHORT_LINK = {
    "description": "The short link, absolute.",
    "required": True,
    "schema": {"type": "string"},
}
_LOCATION_OF_TARGET = {
    "description": "The link's URL.",
    "required": True,
    "schema": {"type": "string"},
}
_RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
_STATUS_HEADERS: dict[int, dict[str, dict[str, Any]]] = {
    201: {"Location": _LOCATION_OF_SHORT_LINK},
    **{redirect: {"Location": _LOCATION_OF_TARGET} for redirect in (301, 302, 307, 308)},
    401: {
        "WWW-Authenticate": {
            "description": "How to authenticate: `Bearer`.",
            "required": True,
            "schema": {"type": "string", "pattern": "^Bearer "},
        }
    },
    429: {"Retry-After": _RETRY_AFTER},
    503: {"Retry-After": _RETRY_AFTER},
}
# A browser asking for a missing or gone link (Accept: text/html) gets a small page
# instead of JSON (responses.py).
_PAGE_FOR_BROWSERS = {404, 410}


def error_responses(*statuses: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI `responses` for refusals, all with the one error body."""
    return {
        status: _response(status, _STATUS_MEANINGS[status], _error_content(status))
        for status in statuses
    }


def documented(status: int, description: str) -> dict[int, OpenAPIResponse]:
    """One OpenAPI response with a description and no body."""
    # An empty `content`, not a missing one: Powertools fills a missing one with the
    # route function's return type (`Response[str]`: a JSON string), which is not sent.
    # devserver/openapi.py drops the empty map from the document.
    return {status: _response(status, description, {})}


def with_body(status: int, description: str, model: type[Any]) -> dict[int, OpenAPIResponse]:
    """One OpenAPI response whose JSON body is `model` (a pydantic model)."""
    return {status: _response(status, description, {"application/json": {"model": model}})}


def _error_content(status: int) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": ERROR_BODY_SCHEMA}}
    if status in _PAGE_FOR_BROWSERS:
        content["text/html"] = {"schema": {"type": "string"}}
    return content


def _response(status: int, description: str, content: dict[str, Any]) -> OpenAPIResponse:
    response: dict[str, Any] = {"description": description, "content": content}
    if status in _STATUS_HEADERS:
        response["headers"] = _STATUS_HEADERS[status]
    return cast("OpenAPIResponse", response)
