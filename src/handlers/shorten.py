"""ShortenFunction: POST /shorten."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.shortening import shorten_link
from handlers import wiring
from handlers.api_models import CreatedLink, ShortenRequest
from handlers.http_errors import register_error_handlers
from handlers.http_responses import NO_STORE, base_url, own_hosts
from handlers.request_body import parse_json_body, refuse_unreadable_body

logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=parse_json_body)
register_error_handlers(app)


@app.post("/shorten", summary="Shorten a URL")
def shorten(request: ShortenRequest) -> Response[CreatedLink]:
    settings = wiring.settings()
    link = shorten_link(
        request.url,
        repository=wiring.link_repository(),
        own_hosts=own_hosts(app.current_event, settings),
    )
    created = CreatedLink.from_link(link, base_url(app.current_event, settings))
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=created,
        headers={"Location": created.short_url, **NO_STORE},
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refusal = refuse_unreadable_body(event)
    if refusal is not None:
        return refusal
    return app.resolve(event, context)
