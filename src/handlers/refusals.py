"""Domain and request errors -> HTTP responses, in one place, for every function.

Status codes, by what went wrong:
  400  the request cannot be read (no body, not JSON, not UTF-8: the last in
       request_body.py), or a value breaks a rule (URL policy, alias, expiry);
       `errors` names each field and reason
  401  managing a link without `Authorization: Bearer <token>`
  403  a token that does not manage this link, or a request to the API's own URL that
       did not come through the stack's CloudFront (handlers/cloudfront_only.py)
  404  no such link
  409  the alias is taken, or a request with the same Idempotency-Key is running
  410  the link expired, was deleted, or points to a blocked host
  413  the body is over the limit (request_body.py, before routing)
  415  the body is not JSON (request_body.py, before routing)
  422  a field is missing, of the wrong type, or unknown (request validation), or an
       Idempotency-Key was used with another body
  429  too many links created by this client (rate_limited), or by all clients
       together (creation_ceiling); `Retry-After` says when to try again
  503  no free short id right now, or DynamoDB stayed throttled, failing or out of
       reach through the client's retries; `Retry-After` says when to try again

Plain proxy responses (proxy_responses.py), so the functions that answer without
Powertools' resolver use it as they are, and the one behind it wraps them
(http_errors.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from aws_lambda_powertools import Logger

from domain.errors import (
    AliasTaken,
    CreationCeilingReached,
    DomainError,
    InvalidInput,
    LinkGone,
    LinkNotFound,
    NotAuthenticated,
    NotAuthorized,
    RateLimited,
    ShortIdsExhausted,
    StorageUnavailable,
)
from handlers.observability import record_refusal, record_unavailable
from handlers.proxy_responses import (
    json_error_response,
    link_gone_response,
    link_not_found_response,
    storage_unavailable_response,
)

logger = Logger(child=True)


class KeyReusedWithAnotherRequest(Exception):
    """The Idempotency-Key was used before, with a different body."""


class KeyStillInProgress(Exception):
    """A request with this Idempotency-Key is being processed right now."""


class NotThroughCloudFront(Exception):
    """The request reached the API's own URL without passing the stack's CloudFront."""


RefusedError = DomainError | KeyReusedWithAnotherRequest | KeyStillInProgress | NotThroughCloudFront
REFUSED_ERRORS = (
    DomainError,
    KeyReusedWithAnotherRequest,
    KeyStillInProgress,
    NotThroughCloudFront,
)


def refusal(error: RefusedError, *, method: str, accept: str, route: str) -> dict[str, Any]:
    """The response to `error`, raised answering `method` on `route` for a client that
    accepts `accept`; counted in the metrics on the way."""
    if isinstance(error, LinkNotFound):
        record_unavailable(404, route)
        return link_not_found_response(method, accept, error.short_id)
    if isinstance(error, LinkGone):
        record_unavailable(410, route)
        return link_gone_response(method, accept, error.short_id, error.why)
    for error_type, answer in _ANSWERS:
        if isinstance(error, error_type):
            response = answer(error)
            if method == "HEAD":  # the same status and headers, never a body
                response["body"] = ""
            return response
    raise error  # a DomainError without an answer: a bug, and a loud 500


def invalid_request(details: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The response to a body that failed validation; `details` as pydantic reports them
    (Powertools prefixes their locations with "body")."""
    details = list(details)
    problems = [_field_problem(detail) for detail in details]
    if any(detail.get("type") == "json_invalid" for detail in details):
        record_refusal(400, "invalid_json")
        return json_error_response(400, "Request body is not valid JSON", errors=problems)
    if any(_is_missing_body(detail) for detail in details):
        record_refusal(400, "missing_body")
        return json_error_response(
            400,
            'Request body is missing: send a JSON object like {"url": "..."}',
            errors=[{"field": "body", "reason": "is required"}],
        )
    record_refusal(422, "invalid_request")
    summary = "; ".join(f"{p['field']}: {p['reason']}" for p in problems)
    return json_error_response(422, f"Invalid request: {summary}", errors=problems)


def _invalid_input(error: InvalidInput) -> dict[str, Any]:
    # The field names come from the code (url, alias, expiresAt): a bounded set.
    record_refusal(400, f"invalid_{error.field}")
    problems = [{"field": error.field, "reason": error.reason}]
    return json_error_response(400, f"{error.field} {error.reason}", errors=problems)


def _alias_taken(error: AliasTaken) -> dict[str, Any]:
    record_refusal(409, "alias_taken")
    problems = [{"field": "alias", "reason": "is taken"}]
    return json_error_response(409, f"The alias {error.alias!r} is taken", errors=problems)


def _not_authenticated(error: NotAuthenticated) -> dict[str, Any]:
    record_refusal(401, "unauthenticated")
    return json_error_response(
        401,
        "Send the link's management token as `Authorization: Bearer <token>`",
        headers={"WWW-Authenticate": 'Bearer realm="links"'},
    )


def _not_authorized(error: NotAuthorized) -> dict[str, Any]:
    record_refusal(403, "unauthorized")
    return json_error_response(403, "This token does not manage this link")


def _rate_limited(error: RateLimited) -> dict[str, Any]:
    record_refusal(429, "rate_limited")
    seconds = error.retry_after_seconds
    return json_error_response(
        429,
        f"Too many links created from this address; try again in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )


def _creation_ceiling(error: CreationCeilingReached) -> dict[str, Any]:
    # Its own reason: operators alarm on it (a flood spread over many addresses).
    record_refusal(429, "creation_ceiling")
    seconds = error.retry_after_seconds
    return json_error_response(
        429,
        "The service is creating too many links right now, for all its users together"
        f" (not just you); try again in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )


def _not_through_cloudfront(error: NotThroughCloudFront) -> dict[str, Any]:
    record_refusal(403, "not_through_cloudfront")
    return json_error_response(
        403,
        "This API answers only requests made through its site's address, not its own URL",
    )


def _short_ids_exhausted(error: ShortIdsExhausted) -> dict[str, Any]:
    record_refusal(503, "short_ids_exhausted")
    return json_error_response(
        503, "Could not allocate a short id; try again", headers={"Retry-After": "1"}
    )


def _storage_unavailable(error: StorageUnavailable) -> dict[str, Any]:
    # Logged with its cause (throttling? timeouts?) for whoever is on call; the client
    # learns only that it may retry. The alarm on 5xx counts these too.
    logger.warning("DynamoDB unavailable", exc_info=error)
    record_refusal(503, "storage_unavailable")
    return storage_unavailable_response()


# These two are counted by the shortener's record_unlabelled_refusal (observability.py).
def _key_reused(error: KeyReusedWithAnotherRequest) -> dict[str, Any]:
    return json_error_response(
        422,
        "This Idempotency-Key was used with a different request; use a new key",
        errors=[{"field": "Idempotency-Key", "reason": "was used with a different request"}],
    )


def _in_progress(error: KeyStillInProgress) -> dict[str, Any]:
    return json_error_response(
        409,
        "A request with this Idempotency-Key is still being processed; retry shortly",
        headers={"Retry-After": "1"},
    )


_ANSWERS: tuple[tuple[type[Any], Callable[[Any], dict[str, Any]]], ...] = (
    (InvalidInput, _invalid_input),
    (AliasTaken, _alias_taken),
    (NotAuthenticated, _not_authenticated),
    (NotAuthorized, _not_authorized),
    (RateLimited, _rate_limited),
    (CreationCeilingReached, _creation_ceiling),
    (ShortIdsExhausted, _short_ids_exhausted),
    (StorageUnavailable, _storage_unavailable),
    (NotThroughCloudFront, _not_through_cloudfront),
    (KeyReusedWithAnotherRequest, _key_reused),
    (KeyStillInProgress, _in_progress),
)


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
