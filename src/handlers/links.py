"""LinksFunction: /links/{shortId}, a link's details, its QR code, and its owner's changes,
deletion and click stats."""

from __future__ import annotations

import gc

gc.disable()  # until this module is loaded: handlers/__init__.py says why

from typing import TYPE_CHECKING, Annotated, Any, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import WithJsonSchema

from domain.link_stats import click_report
from domain.links import Link
from domain.lookup import get_link
from domain.management import change_link, delete_link
from handlers import wiring
from handlers.api_models import ClickStats, LinkChangeRequest, LinkInfo
from handlers.api_requests import base_url, bearer_token, given_once, target_rules
from handlers.boundary import http_boundary
from handlers.observability import (
    CLICK_REPORTS,
    LINK_LOOKUPS,
    LINKS_CHANGED,
    LINKS_DELETED,
    count,
    log_metrics,
)
from handlers.qr_codes import SVG_MEDIA_TYPE, qr_code_svg
from handlers.request_body import check_readable_body, parse_json_body
from handlers.response_docs import documented, error_responses, with_body
from handlers.responses import NO_STORE, register_error_handlers
from handlers.stats_formats import (
    CSV_MEDIA_TYPE,
    FORMATS,
    csv_attachment,
    report_csv,
    wants_csv,
)

if TYPE_CHECKING:  # the module imports pydantic; only its TypedDict is wanted here
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

logger = Logger()
# The routes, on a router so one OpenAPI document can describe every function's.
router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # unannotated upstream


@router.get(
    "/links/<short_id>",
    summary="Show a link and its click count",
    responses=with_body(200, "The link and its click count.", LinkInfo)
    | error_responses(403, 404, 410, 503),
)
def link_info(short_id: str) -> Response[LinkInfo]:
    link = get_link(short_id, repository=wiring.link_repository())
    count(LINK_LOOKUPS)
    return _info(link)


# A link's QR code never changes while the link exists (it encodes only the short URL,
# which is fixed), so browsers and shared caches may keep it. For a day, not forever
# ("immutable"): once a link is deleted its code should stop being handed out within a
# day. The body depends on nothing but the request's URL (Accept only chooses the shape
# of the 404 and 410, which are no-store), so no Vary.
QR_CODE_CACHE = {"Cache-Control": "public, max-age=86400"}
_QR_CODE_IMAGE: dict[int, OpenAPIResponse] = {
    200: cast(
        "OpenAPIResponse",
        {
            "description": "An SVG image of a QR code that encodes the link's `shortUrl`,"
            " titled with it. Cacheable for a day.",
            "content": {SVG_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
    )
}


@router.get(
    "/links/<short_id>/qr",
    summary="A QR code of the short link, as SVG",
    responses=_QR_CODE_IMAGE | error_responses(403, 404, 410, 503),
)
def qr_code(short_id: str) -> Response[str]:
    # Like the details, an expired link still has its code: the owner may revive it, and
    # the code encodes only the short link, never the target. Deleted is 410.
    link = get_link(short_id, repository=wiring.link_repository())
    short_url = _short_url(link)
    count(LINK_LOOKUPS)
    return Response(
        status_code=200,
        content_type=SVG_MEDIA_TYPE,
        body=qr_code_svg(short_url),
        headers=dict(QR_CODE_CACHE),
    )


@router.patch(
    "/links/<short_id>",
    summary="Change a link's target or expiry (owner only)",
    responses=with_body(200, "The link as changed.", LinkInfo)
    | error_responses(400, 401, 403, 404, 410, 413, 415, 422, 503),
)
def change(short_id: str, changes: LinkChangeRequest) -> Response[LinkInfo]:
    event, settings = router.current_event, wiring.settings()
    link = change_link(
        short_id,
        changes.to_domain(),
        token=bearer_token(event.raw_event),
        repository=wiring.link_repository(),
        rules=target_rules(event.raw_event, settings),
    )
    count(LINKS_CHANGED)
    return _info(link)


@router.delete(
    "/links/<short_id>",
    summary="Delete a link for good (owner only)",
    responses=documented(204, "Deleted; the short link answers 410 from now on.")
    | error_responses(401, 403, 404, 410, 503),
)
def delete(short_id: str) -> Response[str]:
    delete_link(
        short_id,
        token=bearer_token(router.current_event.raw_event),
        repository=wiring.link_repository(),
    )
    count(LINKS_DELETED)
    return Response(status_code=204, headers=dict(NO_STORE), body="")


_CLICK_STATS: dict[int, OpenAPIResponse] = {
    200: cast(
        "OpenAPIResponse",
        {
            "description": "The link's clicks over the range: JSON, or with `format=csv` (or"
            " `Accept: text/csv`) the days as CSV, `date,clicks,visitors`, as an attachment.",
            "content": {
                "application/json": {"model": ClickStats},
                "text/csv": {"schema": {"type": "string"}},
            },
            "headers": {
                "Content-Disposition": {
                    "description": "With CSV: `attachment;"
                    ' filename="<shortId>-clicks-<from>-to-<to>.csv"`.',
                    "schema": {"type": "string"},
                }
            },
        },
    )
}
# What the domain checks (a 400 naming the parameter), stated for clients. Documentation
# only, as in api_models.py: pydantic checking it would answer 422 in its own words. For
# the same reason each is taken as a list too (repeated), which given_once refuses.
_DAY = WithJsonSchema({"type": "string", "format": "date"})
_FORMAT = WithJsonSchema({"type": "string", "enum": list(FORMATS)})
_RANGE = "A UTC day, YYYY-MM-DD; the range is at most 366 days."


@router.get(
    "/links/<short_id>/stats",
    summary="A link's clicks by day, referrer, country, device, browser and OS (owner only)",
    responses=_CLICK_STATS | error_responses(400, 401, 403, 404, 410, 503),
)
def stats(
    short_id: str,
    first: Annotated[
        str | list[str] | None,
        _DAY,
        Query(alias="from", description=f"{_RANGE} By default 29 days before `to`."),
    ] = None,
    last: Annotated[
        str | list[str] | None, _DAY, Query(alias="to", description=f"{_RANGE} By default today.")
    ] = None,
    format_name: Annotated[
        str | list[str] | None,
        _FORMAT,
        Query(
            alias="format",
            description="`csv`: the days as CSV; `json` (the default): the whole report.",
        ),
    ] = None,
) -> Response[ClickStats | str]:
    event = router.current_event
    as_csv = wants_csv(given_once("format", format_name), event.headers.get("accept"))
    report = click_report(
        short_id,
        first=given_once("from", first),
        last=given_once("to", last),
        token=bearer_token(event.raw_event),
        links=wiring.link_repository(),
        stats=wiring.click_stats(),
    )
    count(CLICK_REPORTS)
    if as_csv:
        return Response(
            status_code=200,
            content_type=CSV_MEDIA_TYPE,
            body=report_csv(report),
            headers={**NO_STORE, **csv_attachment(report)},
        )
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=ClickStats.from_report(report),
        headers=dict(NO_STORE),
    )


def _info(link: Link) -> Response[LinkInfo]:
    info = _link_info(link)
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=info,
        headers=dict(NO_STORE),
    )


def _link_info(link: Link) -> LinkInfo:
    return LinkInfo.from_link(link, base_url(router.current_event.raw_event, wiring.settings()))


def _short_url(link: Link) -> str:
    # Built as the details build it, so the code always matches `shortUrl`.
    return _link_info(link).short_url


app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=parse_json_body)
app.include_router(router)
register_error_handlers(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@log_metrics
@http_boundary
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Before the resolver, which validates the body before any middleware could.
    check_readable_body(event)
    return app.resolve(event, context)


gc.freeze()  # loaded: out of every later collection's way
gc.enable()
