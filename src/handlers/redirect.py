"""RedirectFunction: GET and HEAD /{shortId}.

The hot path, so it carries nothing it does not use. Every request is one DynamoDB
round trip: a real click counts itself and returns the target in one update; a HEAD,
a prefetch or a bot reads without counting. No pydantic, no request validation (the
only input is a path segment), and no Powertools resolver: API Gateway routes only
these two methods of one path here, so there is nothing to route, and the resolver
cost ~30 ms of every cold start and ~65 µs of every click (`make bench`,
docs/benchmarks.md). The OpenAPI document describes these routes from their
declarations in handlers/redirect_routes.py.
"""

from __future__ import annotations

import gc

# Lambda imports one function module per execution environment, and all it loads lives
# as long as the environment: collecting garbage while it loads is wasted work (~60 ms
# of the shortener's cold start, ~20 ms of the redirect's: `make bench`). Off until the
# end of this module, which freezes what was loaded and turns the collector back on.
gc.disable()

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.clicks import is_countable_click
from domain.errors import DomainError
from domain.lookup import follow_link
from handlers import wiring
from handlers.cloudfront_only import cloudfront_only
from handlers.observability import log_metrics, record_redirect
from handlers.proxy_responses import REDIRECT_CACHE, proxy_response
from handlers.refusals import refusal

logger = Logger()


def respond(method: str, short_id: str, headers: dict[str, str], route: str) -> dict[str, Any]:
    """The answer to `method` (GET or HEAD) on /{short_id}, as a proxy response."""
    settings = wiring.settings()
    counted = is_countable_click(
        method=method,
        user_agent=headers.get("user-agent"),
        purpose=headers.get("purpose"),
        sec_purpose=headers.get("sec-purpose"),
        x_purpose=headers.get("x-purpose"),
        x_moz=headers.get("x-moz"),
    )
    try:
        link = follow_link(
            short_id,
            count_click=counted,
            repository=wiring.link_repository(),
            denied_hosts=settings.denied_hosts,
        )
    except DomainError as error:
        return refusal(error, method=method, accept=headers.get("accept") or "", route=route)
    record_redirect(counted=counted)
    return proxy_response(
        settings.redirect_status, headers={"Location": link.url, **REDIRECT_CACHE}
    )


@logger.inject_lambda_context
@log_metrics
@cloudfront_only
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = event["requestContext"]
    logger.set_correlation_id(request.get("requestId"))
    return respond(
        request["http"]["method"],
        (event.get("pathParameters") or {}).get("shortId", ""),
        event.get("headers") or {},
        event.get("routeKey", ""),
    )


# Loaded: frozen, all of it is out of every later collection's way (see the top).
gc.freeze()
gc.enable()
