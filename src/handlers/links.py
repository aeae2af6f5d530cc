"""LinksFunction: GET /links/{shortId}, a link's details without counting a click."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.lookup import get_link
from handlers import wiring
from handlers.api_models import LinkInfo
from handlers.http_errors import register_error_handlers
from handlers.http_responses import base_url

logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True)
register_error_handlers(app)


@app.get("/links/<short_id>", summary="Show a link and its click count")
def link_info(short_id: str) -> LinkInfo:
    link = get_link(short_id, repository=wiring.link_repository())
    return LinkInfo.from_link(link, base_url(app.current_event, wiring.settings()))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
