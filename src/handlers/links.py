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

from domain.api_keys import ApiKey, Scope
from domain.link_labels import TAG_PATTERN
from domain.link_listing import LinkFilter
from domain.link_stats import click_report
from domain.links import Link
from domain.lookup import get_link
from domain.management import change_link, delete_link
from domain.pages import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, page_size
from handlers import wiring
from handlers.api_models import ClickStats, LinkChangeRequest, LinkInfo, LinkPage, OwnedLink
from handlers.api_requests import base_url, bearer_token, given_once, target_rules
from handlers.boundary import http_boundary
from handlers.callers import api_key_of, require_api_key
from handlers.link_formats import links_attachment, links_csv
from handlers.observability import (
    CLICK_REPORTS,
    LINK_LISTINGS,
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
    summary="Change a link's target, expiry, title or tags (owner only)",
    responses=with_body(200, "The link as changed.", OwnedLink)
    | error_responses(400, 401, 403, 404, 410, 413, 415, 422, 503),
)
def change(short_id: str, changes: LinkChangeRequest) -> Response[OwnedLink]:
    event, settings = router.current_event, wiring.settings()
    key, token = _credentials()
    link = change_link(
        short_id,
        changes.to_domain(),
        token=token,
        key=key,
        repository=wiring.link_repository(),
        rules=target_rules(event.raw_event, settings),
    )
    count(LINKS_CHANGED)
    return _json(OwnedLink.from_link(link, _base_url()))


@router.delete(
    "/links/<short_id>",
    summary="Delete a link for good (owner only)",
    responses=documented(204, "Deleted; the short link answers 410 from now on.")
    | error_responses(401, 403, 404, 410, 503),
)
def delete(short_id: str) -> Response[str]:
    key, token = _credentials()
    delete_link(short_id, token=token, key=key, repository=wiring.link_repository())
    count(LINKS_DELETED)
    return Response(status_code=204, headers=dict(NO_STORE), body="")


_LINK_PAGE: dict[int, OpenAPIResponse] = {
    200: cast(
        "OpenAPIResponse",
        {
            "description": "A page of your links (JSON), or with `format=csv` (or"
            " `Accept: text/csv`) all of them as CSV, the columns an import takes first:"
            " `alias,url,title,tags,expiresAt,shortUrl,createdAt,clicks`.",
            "content": {
                "application/json": {"model": LinkPage},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
    )
}
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
_TEXT = WithJsonSchema({"type": "string"})
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
    key, token = _credentials()
    report = click_report(
        short_id,
        first=given_once("from", first),
        last=given_once("to", last),
        token=token,
        key=key,
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


@router.get(
    "/links",
    summary="Your links, newest first, or all of them as CSV (API key with links:read)",
    responses=_LINK_PAGE | error_responses(400, 401, 403, 503),
)
def list_links(
    limit: Annotated[
        str | list[str] | None,
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
        Query(description=f"Links per page, 1 to {MAX_PAGE_SIZE}; {DEFAULT_PAGE_SIZE} by default."),
    ] = None,
    cursor: Annotated[
        str | list[str] | None,
        _TEXT,
        Query(description="The `cursor` of the page before, for the next one."),
    ] = None,
    tag: Annotated[
        str | list[str] | None,
        WithJsonSchema({"type": "string", "pattern": f"^{TAG_PATTERN}$"}),
        Query(description="Only links with this tag."),
    ] = None,
    q: Annotated[
        str | list[str] | None,
        _TEXT,
        Query(description="Only links whose alias or target host holds this text (any case)."),
    ] = None,
    format_name: Annotated[
        str | list[str] | None,
        _FORMAT,
        Query(alias="format", description="`csv`: every link (filtered) as CSV, to import."),
    ] = None,
) -> Response[LinkPage | str]:
    event = router.current_event
    key = require_api_key(event.raw_event, Scope.LINKS_READ)
    as_csv = wants_csv(given_once("format", format_name), event.headers.get("accept"))
    wanted = LinkFilter.of(given_once("tag", tag), given_once("q", q))
    size = page_size(given_once("limit", limit))
    listing, base = wiring.link_listing(), _base_url()
    count(LINK_LISTINGS)
    if as_csv:
        links = listing.every_owned_by(key.owner, keep=wanted.keeps)
        return Response(
            status_code=200,
            content_type=CSV_MEDIA_TYPE,
            body=links_csv(links, base),
            headers={**NO_STORE, **links_attachment(key.owner)},
        )
    page = listing.owned_by(
        key.owner, limit=size, cursor=given_once("cursor", cursor), keep=wanted.keeps
    )
    return _json(
        LinkPage(links=[OwnedLink.from_link(link, base) for link in page.items], cursor=page.cursor)
    )


def _credentials() -> tuple[ApiKey | None, str | None]:
    """The request's API key if it sends one (checked: 401 if unknown), else its
    management token: a link's owner may use either."""
    event = router.current_event.raw_event
    key = api_key_of(event)
    return (key, None) if key is not None else (None, bearer_token(event))


def _info(link: Link) -> Response[LinkInfo]:
    return _json(_link_info(link))


def _json(body: Any) -> Response[Any]:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers=dict(NO_STORE),
    )


def _base_url() -> str:
    return base_url(router.current_event.raw_event, wiring.settings())


def _link_info(link: Link) -> LinkInfo:
    return LinkInfo.from_link(link, _base_url())


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
