"""RedirectFunction: GET and HEAD /{shortId}.

The hot path, so it carries nothing it does not use. Every request is one DynamoDB
round trip: a real click counts itself, keeps what the analytics needs, and returns the
target in one update (on a viral link, on one of its click shards: domain/hot_links.py);
a HEAD, a prefetch or a bot reads without counting. (Plus, once
per execution environment and UTC day, the day's visitor key:
repository/visitor_keys.py.) No pydantic, no request validation (the only input is a
path segment) and no Powertools resolver (docs/architecture.md says
why); handlers/redirect_routes.py declares the routes for the OpenAPI document.
"""

from __future__ import annotations

import gc

gc.disable()  # until this module is loaded: handlers/__init__.py says why

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain.click_facts import ClickFacts, click_facts
from domain.clicks import is_countable_click
from domain.lookup import follow_link
from handlers import wiring
from handlers.api_requests import click_origin
from handlers.boundary import http_boundary
from handlers.observability import log_metrics, record_redirect
from handlers.responses import REDIRECT_CACHE, proxy_response

logger = Logger()


def answer_visit(event: dict[str, Any], short_id: str) -> dict[str, Any]:
    """The answer to the event's GET or HEAD on /{short_id}, as a proxy response;
    refusals raise."""
    settings = wiring.settings()
    method = event["requestContext"]["http"]["method"]
    headers: dict[str, str] = event.get("headers") or {}
    counted = is_countable_click(
        method=method,
        user_agent=headers.get("user-agent"),
        purpose=headers.get("purpose"),
        sec_purpose=headers.get("sec-purpose"),
        x_purpose=headers.get("x-purpose"),
        x_moz=headers.get("x-moz"),
    )

    def describe_click(at: datetime) -> ClickFacts:
        # Only a counted click gets here, so it has a User-Agent.
        address, country = click_origin(event, settings)
        return click_facts(
            at=at,
            referer=headers.get("referer"),
            country=country,
            user_agent=headers.get("user-agent") or "",
            address=address,
            visitor_keys=wiring.visitor_keys(),
        )

    hot_links = wiring.hot_links()
    spread_before = hot_links.spreading(short_id)
    link = follow_link(
        short_id,
        count_click=counted,
        repository=wiring.link_repository(),
        # The template's DeniedHosts and the operators' blocked hosts, as this environment
        # read them at most a minute ago: no request of its own (domain/blocked_hosts.py).
        denied_hosts=wiring.blocked_hosts_cache().on_first_use(),
        describe_click=describe_click,
        hot_links=hot_links,
    )
    record_redirect(counted=counted)
    _log_going_viral(short_id, spread_before, hot_links.spreading(short_id))
    return proxy_response(
        settings.redirect_status, headers={"Location": link.url, **REDIRECT_CACHE}
    )


def _log_going_viral(short_id: str, before: int, after: int) -> None:
    """One line when this environment starts or stops spreading a link's clicks
    (domain/hot_links.py): how an operator learns a link went viral. Rare by design, so
    an ordinary click logs nothing more."""
    if bool(before) != bool(after):
        message = "Link viral: clicks spread" if after else "Link cooled: clicks on its item"
        logger.info(message, extra={"shortId": short_id, "shards": after or before})


@logger.inject_lambda_context
@log_metrics
@http_boundary
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = event["requestContext"]
    logger.set_correlation_id(request.get("requestId"))
    return answer_visit(event, (event.get("pathParameters") or {}).get("shortId", ""))


gc.freeze()  # loaded: out of every later collection's way
gc.enable()
