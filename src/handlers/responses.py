"""What the functions answer: API Gateway proxy responses (payload format 2.0), and
every refusal, from the error that causes it to its status, body, headers and metric.

The one place an error becomes a response, for all three functions: the redirect and
the shortener return these dicts as they are, and the links function, behind
Powertools' resolver, registers `refusal` as its error handler
(`register_error_handlers`). Each refusal records its metric here, where its status
and reason are decided. The statuses and what they mean: handlers/response_docs.py.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from domain.api_keys import ApiKeyRequired, MissingScope, UnknownApiKey
from domain.errors import (
    AliasTaken,
    CreationCeilingReached,
    DomainError,
    InvalidInput,
    LinkGone,
    LinkNotFound,
    NotAuthenticated,
    NotAuthorized,
    NotOwner,
    RateLimited,
    ShortIdsExhausted,
    StorageUnavailable,
)
from domain.links import is_plausible_short_id
from handlers.api_requests import NotThroughCloudFront
from handlers.observability import record_refusal, record_unavailable
from handlers.request_body import BodyRefused
from repository.idempotency_store import KeyReusedWithAnotherRequest, KeyStillInProgress

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

logger = Logger(child=True)

JSON = "application/json"
HTML = "text/html; charset=utf-8"
# Errors must never be cached: a 404 today may be a link tomorrow.
NO_STORE = {"Cache-Control": "no-store"}
# A redirect is never cached, not even by the browser: a changed or deleted link takes
# effect on the very next click, in the browser that followed it before too, and every
# click reaches the redirect to be counted. A minute's browser cache saved only a repeat
# follow by the same browser (docs/api.md, "GET /{shortId}" has the choice and its cost).
REDIRECT_CACHE = NO_STORE
# Long enough for DynamoDB's adaptive capacity to absorb a burst, short enough that a
# person clicking a link would still wait for it.
STORAGE_RETRY_AFTER_SECONDS = "2"

Event = dict[str, Any]


REFUSED_ERRORS = (
    DomainError,
    BodyRefused,
    KeyReusedWithAnotherRequest,
    KeyStillInProgress,
    NotThroughCloudFront,
)
RefusedError = (
    DomainError
    | BodyRefused
    | KeyReusedWithAnotherRequest
    | KeyStillInProgress
    | NotThroughCloudFront
)


def proxy_response(
    status: int, body: str = "", headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": headers or {},
        "body": body,
        "isBase64Encoded": False,
    }


def json_error_response(
    status: int,
    message: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """The one error body every refusal uses: {"message": ..., "errors": [{"field",
    "reason"}]}, and for a link that is gone, why in one word ("reason")."""
    body: dict[str, Any] = {"message": message}
    if reason:
        body["reason"] = reason
    if errors:
        body["errors"] = errors
    return proxy_response(
        status, json.dumps(body), {"Content-Type": JSON, **NO_STORE, **(headers or {})}
    )


def refusal(error: RefusedError, event: Event) -> dict[str, Any]:
    """The response to `error`, raised answering `event`; counted in the metrics on the way."""
    method = event["requestContext"]["http"]["method"]
    if isinstance(error, LinkNotFound | LinkGone):
        record_unavailable(404 if isinstance(error, LinkNotFound) else 410, event.get("routeKey"))
        response = _link_unavailable(error, accept=(event.get("headers") or {}).get("accept"))
    else:
        response = _answer_to(error)
    if method == "HEAD":  # the same status and headers, never a body
        response["body"] = ""
    return response


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


def storage_unavailable_response() -> dict[str, Any]:
    return json_error_response(
        503,
        "Storage is briefly unavailable; try again shortly",
        headers={"Retry-After": STORAGE_RETRY_AFTER_SECONDS},
    )


# --- behind Powertools' resolver (the links function) ------------------------------


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    """Answer every refusal raised behind `app` with `refusal`, and a body that fails
    validation with `invalid_request`."""
    # Imported here, not above: the redirect function never loads the resolver's package.
    from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

    def refuse(error: RefusedError) -> Response[str]:
        return as_response(refusal(error, app.current_event.raw_event))

    def refuse_request(error: RequestValidationError) -> Response[str]:
        return as_response(invalid_request(error.errors()))

    for error_type in REFUSED_ERRORS:
        app.exception_handler(error_type)(refuse)
    app.exception_handler(RequestValidationError)(refuse_request)


def as_response(proxy: dict[str, Any]) -> Response[str]:
    """A proxy response as Powertools' Response."""
    from aws_lambda_powertools.event_handler import Response

    headers = dict(proxy["headers"])
    return Response(
        status_code=proxy["statusCode"],
        content_type=headers.pop("Content-Type", None),
        body=proxy["body"],
        headers=headers,
    )


# --- each refusal --------------------------------------------------------------------


def _answer_to(error: RefusedError) -> dict[str, Any]:
    for error_type, answer in _ANSWERS:
        if isinstance(error, error_type):
            return answer(error)
    raise error  # a DomainError without an answer: a bug, and a loud 500


def _invalid_input(error: InvalidInput) -> dict[str, Any]:
    # The field names come from the code (url, alias, expiresAt): a bounded set.
    record_refusal(400, f"invalid_{error.field}")
    problems = [{"field": error.field, "reason": error.reason}]
    return json_error_response(400, f"{error.field} {error.reason}", errors=problems)


def _body_refused(error: BodyRefused) -> dict[str, Any]:
    record_refusal(error.status, error.reason)
    return json_error_response(error.status, error.message)


def _alias_taken(error: AliasTaken) -> dict[str, Any]:
    record_refusal(409, "alias_taken")
    problems = [{"field": "alias", "reason": "is taken"}]
    return json_error_response(409, f"The alias {error.alias!r} is taken", errors=problems)


def _not_authenticated(error: NotAuthenticated) -> dict[str, Any]:
    record_refusal(401, "unauthenticated")
    return json_error_response(
        401,
        "Send the link's management token, or an API key of its owner, as"
        " `Authorization: Bearer <token>`",
        headers={"WWW-Authenticate": 'Bearer realm="links"'},
    )


def _not_authorized(error: NotAuthorized) -> dict[str, Any]:
    record_refusal(403, "unauthorized")
    return json_error_response(403, "This token does not manage this link")


def _unknown_api_key(error: UnknownApiKey) -> dict[str, Any]:
    record_refusal(401, "unknown_api_key")
    return json_error_response(
        401,
        "This API key is unknown or revoked",
        headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
    )


def _api_key_required(error: ApiKeyRequired) -> dict[str, Any]:
    record_refusal(401, "api_key_required")
    return json_error_response(
        401,
        f"Send an API key with the scope {error.scope.value!r} as `Authorization: Bearer <key>`",
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


def _missing_scope(error: MissingScope) -> dict[str, Any]:
    record_refusal(403, "missing_scope")
    return json_error_response(
        403,
        f"This API key lacks the scope {error.scope.value!r}",
        errors=[{"field": "scopes", "reason": f"must include {error.scope.value!r}"}],
    )


def _not_owner(error: NotOwner) -> dict[str, Any]:
    record_refusal(403, "not_owner")
    return json_error_response(403, "This API key's owner does not own this link")


def _not_through_cloudfront(error: NotThroughCloudFront) -> dict[str, Any]:
    record_refusal(403, "not_through_cloudfront")
    return json_error_response(
        403,
        "This API answers only requests made through its site's address, not its own URL",
    )


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


def _key_reused(error: KeyReusedWithAnotherRequest) -> dict[str, Any]:
    record_refusal(422, "idempotency_key_reused")
    return json_error_response(
        422,
        "This Idempotency-Key was used with a different request; use a new key",
        errors=[{"field": "Idempotency-Key", "reason": "was used with a different request"}],
    )


def _in_progress(error: KeyStillInProgress) -> dict[str, Any]:
    record_refusal(409, "request_in_progress")
    return json_error_response(
        409,
        "A request with this Idempotency-Key is still being processed; retry shortly",
        headers={"Retry-After": "1"},
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


_ANSWERS: tuple[tuple[type[Any], Callable[[Any], dict[str, Any]]], ...] = (
    (InvalidInput, _invalid_input),
    (BodyRefused, _body_refused),
    (AliasTaken, _alias_taken),
    (NotAuthenticated, _not_authenticated),
    (NotOwner, _not_owner),
    (NotAuthorized, _not_authorized),
    (UnknownApiKey, _unknown_api_key),
    (ApiKeyRequired, _api_key_required),
    (MissingScope, _missing_scope),
    (NotThroughCloudFront, _not_through_cloudfront),
    (RateLimited, _rate_limited),
    (CreationCeilingReached, _creation_ceiling),
    (KeyReusedWithAnotherRequest, _key_reused),
    (KeyStillInProgress, _in_progress),
    (ShortIdsExhausted, _short_ids_exhausted),
    (StorageUnavailable, _storage_unavailable),
)


# --- a missing or gone link: a page for browsers, JSON for everyone else ------------


def accepts_html(accept: str | None) -> bool:
    # Browsers put text/html in Accept; curl and API clients send */* or JSON.
    return "text/html" in (accept or "").lower()


def _link_unavailable(error: LinkNotFound | LinkGone, *, accept: str | None) -> dict[str, Any]:
    short_id = html.escape(error.short_id)
    report = ""
    if isinstance(error, LinkGone):
        status, title = 410, "Link no longer available"
        message = f"Link {error.short_id!r} {error.why}"
        explanation = f"The short link <code>{short_id}</code> {html.escape(error.why)}."
        report = short_id
    elif is_plausible_short_id(error.short_id):
        status, title = 404, "Link not found"
        message = f"No link with id {error.short_id!r}"
        explanation = (
            f"There is no short link <code>{short_id}</code>. Check the address for typos."
        )
        report = short_id
    else:
        # A path no link can have is anybody's text ("/Your account is locked, call
        # ..."): a page on this domain must not say it back.
        status, title = 404, "Link not found"
        message = "No link at this address"
        explanation = "There is no short link at this address. Check it for typos."
    if accepts_html(accept):
        page = _page(title, explanation, report)
        return proxy_response(status, page, {"Content-Type": HTML, **NO_STORE})
    reason = error.reason if isinstance(error, LinkGone) else None
    return json_error_response(status, message, reason=reason)


def _page(title: str, explanation: str, report: str = "") -> str:
    # The page's report form (web/, #report) takes the short id from the fragment, which
    # never reaches a server or a log. `report` is escaped already, and a plausible id.
    reporting = (
        f'<p><a href="/#report={report}">Report this link as abuse</a></p>' if report else ""
    )
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head>\n"
        f"<body><main><h1>{title}</h1><p>{explanation}</p>"
        f'<p><a href="/">Shorten a link</a></p>{reporting}</main></body></html>\n'
    )


# --- validation details, as clients read them -----------------------------------------


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
