"""ShortenFunction: POST /shorten."""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.errors import InvalidInput
from domain.management_tokens import seal_token, unseal_token
from domain.shortening import TargetRules, shorten_link
from handlers import wiring
from handlers.api_models import CreatedLink, ShortenRequest
from handlers.http_errors import register_error_handlers
from handlers.http_responses import NO_STORE, base_url, json_error, own_hosts
from handlers.request_body import parse_json_body, refuse_unreadable_body
from handlers.response_docs import error_responses, with_body

logger = Logger()
# The routes, on a router so one OpenAPI document can describe every function's.
router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # unannotated upstream

# Repeating a creation with the same Idempotency-Key within an hour answers with the
# same link; the same key with another body is refused. The key scopes the replay, so
# it must be hard to guess: a UUID is the usual choice.
CREATION_IDEMPOTENCY = IdempotencyConfig(
    event_key_jmespath="idempotencyKey",
    payload_validation_jmespath="request",
    expires_after_seconds=3600,
    raise_on_no_idempotency_key=False,
    hash_function="sha256",
)
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{16,255}")


@router.post(
    "/shorten",
    summary="Shorten a URL",
    responses=with_body(201, "Created; `Location` is the short link.", CreatedLink)
    | error_responses(400, 409, 413, 415, 422, 429, 503),
)
def shorten(request: ShortenRequest) -> Response[CreatedLink]:
    key = router.current_event.headers.get("idempotency-key")
    if key is not None and not _IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidInput("Idempotency-Key", "must be 16 to 255 visible ASCII characters")
    create = wiring.idempotent(_create_link, CREATION_IDEMPOTENCY) if key else _create_link
    outcome = create(payload={"idempotencyKey": key, "request": request.model_dump(mode="json")})
    link = outcome["link"]
    # The stored outcome holds the token sealed under the Idempotency-Key (see
    # domain/management_tokens.py): unsealing gives a replay the same token.
    token = unseal_token(outcome["sealedToken"], secret=key or "", short_id=link["shortId"])
    created = CreatedLink.model_validate({**link, "managementToken": token})
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=created,
        headers={"Location": created.short_url, **NO_STORE},
    )


def _create_link(payload: dict[str, Any]) -> dict[str, Any]:
    """Creates the link; what it returns is what an idempotent replay answers with."""
    settings = wiring.settings()
    event = router.current_event
    shortened = shorten_link(
        ShortenRequest.model_validate(payload["request"]).to_domain(),
        client=event.request_context.http.source_ip,
        repository=wiring.link_repository(),
        counter=wiring.creation_counter(),
        rate_limit=settings.creation_rate_limit,
        rules=TargetRules(own_hosts=own_hosts(event, settings), denied_hosts=settings.denied_hosts),
    )
    link = shortened.link
    info = CreatedLink.from_created(link, base_url(event, settings), management_token="")
    return {
        "link": info.model_dump(mode="json", by_alias=True, exclude={"management_token"}),
        "sealedToken": seal_token(
            shortened.management_token,
            secret=payload["idempotencyKey"] or "",
            short_id=link.short_id,
        ),
    }


def _idempotency_key_reused(error: IdempotencyValidationError) -> Response[str]:
    return json_error(
        422,
        "This Idempotency-Key was used with a different request; use a new key",
        errors=[{"field": "Idempotency-Key", "reason": "was used with a different request"}],
    )


def _creation_in_progress(error: IdempotencyAlreadyInProgressError) -> Response[str]:
    return json_error(
        409,
        "A request with this Idempotency-Key is still being processed; retry shortly",
        headers={"Retry-After": "1"},
    )


app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=parse_json_body)
app.include_router(router)
register_error_handlers(app)
app.exception_handler(IdempotencyValidationError)(_idempotency_key_reused)
app.exception_handler(IdempotencyAlreadyInProgressError)(_creation_in_progress)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refusal = refuse_unreadable_body(event)
    if refusal is not None:
        return refusal
    CREATION_IDEMPOTENCY.register_lambda_context(context)
    return app.resolve(event, context)
