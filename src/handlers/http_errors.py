"""Domain and validation errors -> HTTP responses, in one place.

Status codes, by what went wrong:
  400  the request cannot be read (not JSON, not UTF-8)
  404  no such link
  413  the body is over the limit (see request_body.py)
  415  the body is not JSON
  422  it was read, but a field breaks a rule; `errors` names each field and reason
  503  no free short id right now; `Retry-After` says when to try again
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from domain.errors import InvalidInput, LinkNotFound, ShortIdsExhausted
from handlers.http_responses import json_error


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    app.exception_handler(InvalidInput)(_invalid_input)
    app.exception_handler(LinkNotFound)(_link_not_found)
    app.exception_handler(ShortIdsExhausted)(_short_ids_exhausted)
    app.exception_handler(RequestValidationError)(_request_invalid)
    app.exception_handler(RequestUnsupportedContentType)(_unsupported_content_type)


def _invalid_input(error: InvalidInput) -> Response[str]:
    problems = [{"field": error.field, "reason": error.reason}]
    return json_error(422, f"{error.field} {error.reason}", errors=problems)


def _link_not_found(error: LinkNotFound) -> Response[str]:
    return json_error(404, f"No link with id {error.short_id!r}")


def _short_ids_exhausted(error: ShortIdsExhausted) -> Response[str]:
    return json_error(503, "Could not allocate a short id; try again", headers={"Retry-After": "1"})


def _unsupported_content_type(error: RequestUnsupportedContentType) -> Response[str]:
    return json_error(415, "Request body must be JSON (Content-Type: application/json)")


def _request_invalid(error: RequestValidationError) -> Response[str]:
    problems = [_field_problem(detail) for detail in error.errors()]
    if any(detail.get("type") == "json_invalid" for detail in error.errors()):
        return json_error(400, "Request body is not valid JSON", errors=problems)
    summary = "; ".join(f"{p['field']}: {p['reason']}" for p in problems)
    return json_error(422, f"Invalid request: {summary}", errors=problems)


def _field_problem(detail: dict[str, Any]) -> dict[str, str]:
    # Powertools reports locations like ("body", "url"); clients know fields as "url".
    location = [str(part) for part in detail.get("loc", ()) if part != "body"]
    field = ".".join(location) or "body"
    if detail.get("type") == "json_invalid":
        return {"field": "body", "reason": str(detail.get("ctx", {}).get("error", "invalid JSON"))}
    reason = str(detail.get("msg") or detail.get("type") or "is invalid")
    # Pydantic prefixes messages from our own validators with "Value error, ".
    return {"field": field, "reason": reason.removeprefix("Value error, ")}
