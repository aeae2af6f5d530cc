"""RedirectFunction: GET and HEAD /{shortId}.

The hot path. No request validation layer and no pydantic here (both cost cold-start
time for nothing: the only input is a path segment), and a GET is one DynamoDB round
trip that counts the click and returns the target.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.links import Link
from domain.lookup import follow_link, get_link
from handlers import wiring
from handlers.http_errors import register_error_handlers
from handlers.http_responses import NO_STORE

logger = Logger()
app = APIGatewayHttpResolver()
register_error_handlers(app)


@app.get("/<short_id>")
def follow(short_id: str) -> Response[str]:
    return _redirect_to(follow_link(short_id, repository=wiring.link_repository()))


@app.head("/<short_id>")
def peek(short_id: str) -> Response[str]:
    # Same status and headers as GET, but a HEAD is not a click: read, don't count.
    return _redirect_to(get_link(short_id, repository=wiring.link_repository()))


def _redirect_to(link: Link) -> Response[str]:
    # no-store: every click must reach us to be counted.
    return Response(status_code=302, headers={"Location": link.url, **NO_STORE}, body="")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
