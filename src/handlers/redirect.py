"""RedirectFunction: GET and HEAD /{shortId}.

The hot path. No request validation layer and no pydantic here (both cost cold-start
time for nothing: the only input is a path segment), and every request is one
DynamoDB round trip: a real click counts itself and returns the target in one update;
a HEAD, a prefetch or a bot reads without counting.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.clicks import is_countable_click
from domain.lookup import follow_link
from handlers import wiring
from handlers.http_errors import register_error_handlers
from handlers.http_responses import REDIRECT_CACHE
from handlers.observability import log_metrics, record_redirect
from handlers.response_docs import documented, error_responses

logger = Logger()
# The routes, on a router so one OpenAPI document can describe every function's.
router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # unannotated upstream


_REDIRECT_RESPONSES = documented(
    302, "To the link's URL (`Location`); 301, 307 or 308 where the deployment says so."
) | error_responses(404, 410, 503)


@router.get(
    "/<short_id>",
    summary="Follow a short link (a real visit counts as a click)",
    responses=_REDIRECT_RESPONSES,
)
def follow(short_id: str) -> Response[str]:
    return _redirect(short_id)


@router.head(
    "/<short_id>",
    summary="Like GET, without a body and without counting",
    responses=_REDIRECT_RESPONSES,
)
def peek(short_id: str) -> Response[str]:
    return _redirect(short_id)


def _redirect(short_id: str) -> Response[str]:
    event = router.current_event
    settings = wiring.settings()
    headers = event.headers
    counted = is_countable_click(
        method=event.http_method,
        user_agent=headers.get("user-agent"),
        purpose=headers.get("purpose"),
        sec_purpose=headers.get("sec-purpose"),
        x_purpose=headers.get("x-purpose"),
        x_moz=headers.get("x-moz"),
    )
    link = follow_link(
        short_id,
        count_click=counted,
        repository=wiring.link_repository(),
        denied_hosts=settings.denied_hosts,
    )
    record_redirect(counted=counted)
    return Response(
        status_code=settings.redirect_status,
        headers={"Location": link.url, **REDIRECT_CACHE},
        body="",
    )


app = APIGatewayHttpResolver()
app.include_router(router)
register_error_handlers(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
