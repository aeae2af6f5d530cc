"""ShortenFunction: POST /shorten."""

from __future__ import annotations

import gc
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.rate_limits import client_of
from handlers import wiring
from handlers.api_models import CreatedLink, ShortenRequest
from handlers.http_errors import register_error_handlers
from handlers.http_responses import base_url, target_rules, viewer_of
from handlers.idempotent_creation import create_link, register_idempotency_error_handlers
from handlers.observability import log_metrics, record_unlabelled_refusal
from handlers.proxy_responses import NO_STORE
from handlers.request_body import parse_json_body, resolve_readable
from handlers.response_docs import error_responses, with_body

logger = Logger()
# The routes, on a router so one OpenAPI document can describe every function's.
router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # unannotated upstream


@router.post(
    "/shorten",
    summary="Shorten a URL",
    responses=with_body(201, "Created; `Location` is the short link.", CreatedLink)
    | error_responses(400, 409, 413, 415, 422, 429, 503),
)
def shorten(request: ShortenRequest) -> Response[CreatedLink]:
    event, settings = router.current_event, wiring.settings()
    created = create_link(
        request,
        idempotency_key=event.headers.get("idempotency-key"),
        client=client_of(viewer_of(event, settings).address),
        rules=target_rules(event, settings),
        base_url=base_url(event, settings),
        lambda_context=router.lambda_context,
    )
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=created,
        headers={"Location": created.short_url, **NO_STORE},
    )


app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=parse_json_body)
app.include_router(router)
register_error_handlers(app)
register_idempotency_error_handlers(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = resolve_readable(app, event, context)
    record_unlabelled_refusal(response)
    return response


# Loaded: what is here lives as long as the environment. Frozen, it is out of every
# later collection's way; the collector, off while it loaded, is back on
# (handlers/__init__.py says why).
gc.freeze()
gc.enable()
