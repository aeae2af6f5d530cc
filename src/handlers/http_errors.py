"""Domain and validation errors -> HTTP responses, in one place.

Status codes, by what went wrong:
  400  the request cannot be read (no body, not JSON, not UTF-8: the last in
       request_body.py), or a value breaks a rule (URL policy, alias, expiry);
       `errors` names each field and reason
  401  managing a link without `Authorization: Bearer <token>`
  403  a token that does not manage this link
  404  no such link
  409  the alias is taken
  410  the link expired, was deleted, or points to a blocked host
  413  the body is over the limit (request_body.py, before routing)
  415  the body is not JSON (request_body.py, before routing)
  422  a field is missing, of the wrong type, or unknown (request validation)
  429  too many links created; `Retry-After` says when to try again
  503  no free short id right now, or DynamoDB stayed throttled, failing or out of
       reach through the client's retries; `Retry-After` says when to try again
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from domain.errors import (
    AliasTaken,
    InvalidInput,
    LinkGone,
    LinkNotFound,
    NotAuthenticated,
    NotAuthorized,
    RateLimited,
    ShortIdsExhausted,
    StorageUnavailable,
)
from handlers.http_responses import as_response, json_error, link_gone, link_not_found
from handlers.observability import record_refusal, record_unavailable
from handlers.proxy_responses import storage_unavailable_response

logger = Logger(child=True)


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    def _link_not_found(error: LinkNotFound) -> Response[str]:
        record_unavailable(404, app.current_event.route_key)
        return link_not_found(app.current_event, error.short_id)

    def _link_gone(error: LinkGone) -> Response[str]:
        record_unavailable(410, app.current_event.route_key)
        return link_gone(app.current_event, error.short_id, error.why)

    app.exception_handler(InvalidInput)(_invalid_input)
    app.exception_handler(LinkNotFound)(_link_not_found)
    app.exception_handler(LinkGone)(_link_gone)
    app.exception_handler(AliasTaken)(_alias_taken)
    app.exception_handler(NotAuthenticated)(_not_authenticated)
    app.exception_handler(NotAuthorized)(_not_authorized)
    app.exception_handler(RateLimited)(_rate_limited)
    app.exception_handler(ShortIdsExhausted)(_short_ids_exhausted)
    app.exception_handler(StorageUnavailable)(storage_unavailable)
    app.exception_handler(RequestValidationError)(_request_invalid)


def _invalid_input(error: InvalidInput) -> Response[str]:
    # The field names come from the code (url, alias, expiresAt): a bounded set.
    record_refusal(400, f"invalid_{error.field}")
    problems = [{"field": error.field, "reason": error.reason}]
    return json_error(400, f"{error.field} {error.reason}", errors=problems)


def _alias_taken(error: AliasTaken) -> Response[str]:
    record_refusal(409, "alias_taken")
    problems = [{"field": "alias", "reason": "is taken"}]
    return json_error(409, f"The alias {error.alias!r} is taken", errors=problems)


def _not_authenticated(error: NotAuthenticated) -> Response[str]:
    record_refusal(401, "unauthenticated")
    return json_error(
        401,
        "Send the link's management token as `Authorization: Bearer <token>`",
        headers={"WWW-Authenticate": 'Bearer realm="links"'},
    )


def _not_authorized(error: NotAuthorized) -> Response[str]:
    record_refusal(403, "unauthorized")
    return json_error(403, "This token does not manage this link")


def _rate_limited(error: RateLimited) -> Response[str]:
    record_refusal(429, "rate_limited")
    seconds = error.retry_after_seconds
    return json_error(
        429,
        f"Too many links created from this address; try again in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )


def _short_ids_exhausted(error: ShortIdsExhausted) -> Response[str]:
    record_refusal(503, "short_ids_exhausted")
    return json_error(503, "Could not allocate a short id; try again", headers={"Retry-After": "1"})


def storage_unavailable(error: Exception) -> Response[str]:
    # Logged with its cause (throttling? timeouts?) for whoever is on call; the client
    # learns only that it may retry. The alarm on 5xx counts these too.
    logger.warning("DynamoDB unavailable", exc_info=error)
    record_refusal(503, "storage_unavailable")
    return as_response(storage_unavailable_response())


def _request_invalid(error: RequestValidationError) -> Response[str]:
    problems = [_field_problem(detail) for detail in error.errors()]
    if any(detail.get("type") == "json_invalid" for detail in error.errors()):
        record_refusal(400, "invalid_json")
        return json_error(400, "Request body is not valid JSON", errors=problems)
    if any(_is_missing_body(detail) for detail in error.errors()):
        record_refusal(400, "missing_body")
        return json_error(
            400,
            'Request body is missing: send a JSON object like {"url": "..."}',
            errors=[{"field": "body", "reason": "is required"}],
        )
    record_refusal(422, "invalid_request")
    summary = "; ".join(f"{p['field']}: {p['reason']}" for p in problems)
    return json_error(422, f"Invalid request: {summary}", errors=problems)


def _is_missing_body(detail: dict[str, Any]) -> bool:
    return detail.get("type") == "missing" and tuple(detail.get("loc", ())) == ("body",)


def _field_problem(detail: dict[str, Any]) -> dict[str, str]:
    # Powertools reports locations like ("body", "url"); clients know fields as "url".
    location = [str(part) for part in detail.get("loc", ()) if part != "body"]
    field = ".".join(location) or "body"
    if detail.get("type") == "json_invalid":
        return {"field": "body", "reason": str(detail.get("ctx", {}).get("error", "invalid JSON"))}
    reason = str(detail.get("msg") or detail.get("type") or "is invalid")
    # Pydantic prefixes messages from our own validators with "Value error, ".
    return {"field": field, "reason": reason.removeprefix("Value error, ")}
