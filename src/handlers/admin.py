"""AdminFunction: /admin/..., the operators' routes (API key with the `admin` scope).

Every link with its state, taking one down and putting it back, blocked hosts, abuse
reports, API keys, and the audit trail every action here writes to
(domain/moderation.py, domain/audit.py). Each route checks the key first: 401 without
one or with an unknown or revoked one, 403 naming the scope for a key without `admin`.
"""

from __future__ import annotations

import gc

gc.disable()  # until this module is loaded: handlers/__init__.py says why

from dataclasses import replace
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import WithJsonSchema

from domain.api_keys import Scope
from domain.audit import Actor
from domain.blocked_hosts import check_blocked_host
from domain.links import Link, utc_now
from domain.moderation import KeyRequest as NewKey
from domain.moderation import (
    block_host,
    check_since,
    create_api_key,
    disable_link,
    enable_link,
    link_status,
    revoke_api_key,
    unblock_host,
)
from domain.pages import MAX_PAGE_SIZE, page_size
from handlers import wiring
from handlers.admin_models import (
    AdminLink,
    AdminLinkPage,
    ApiKeyInfo,
    ApiKeyList,
    AuditEntryInfo,
    AuditPage,
    BlockedHostInfo,
    BlockedHostList,
    BlockRequest,
    DisableRequest,
    KeyRequest,
    NewApiKey,
    ReportInfo,
    ReportPage,
)
from handlers.api_requests import given_once
from handlers.boundary import http_boundary
from handlers.callers import require_api_key
from handlers.moderation_refusals import register_moderation_error_handlers
from handlers.observability import count, log_metrics
from handlers.request_body import check_readable_body, parse_json_body
from handlers.response_docs import documented, error_responses, with_body
from handlers.responses import NO_STORE, register_error_handlers

logger = Logger()
# The routes, on a router so one OpenAPI document can describe every function's.
router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # unannotated upstream

ADMIN_ACTIONS = "AdminActions"
_ADMIN_REFUSALS = (400, 401, 403, 503)
_LIMIT = Annotated[
    str | list[str] | None,
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
    Query(description=f"Per page, 1 to {MAX_PAGE_SIZE}; 50 by default."),
]
_CURSOR = Annotated[
    str | list[str] | None,
    Query(description="The `cursor` of the page before, for the next one."),
]


def _once(name: str, value: str | list[str] | None) -> str | None:
    """given_once, for Powertools' habit of handing over some single query parameters as
    a one-item list (seen with `cursor`): one value is one value, two are refused."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return given_once(name, value)


def _admin() -> Actor:
    """The caller, who must hold an API key with the `admin` scope."""
    return Actor.of_key(require_api_key(router.current_event.raw_event, Scope.ADMIN))


def _json(body: Any, status: int = 200) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers=dict(NO_STORE),
    )


def _admin_view(link: Link, denied_hosts: frozenset[str] | None = None) -> AdminLink:
    if denied_hosts is None:
        denied_hosts = _denied_hosts()
    return AdminLink.of(link, link_status(link, utc_now(), denied_hosts))


def _denied_hosts() -> frozenset[str]:
    # Read now, not from the minute-old copy: an operator who just blocked a host sees
    # its links as blocked at once (one Query per listing; admin traffic is small).
    return wiring.settings().denied_hosts | wiring.blocked_hosts().hosts()


# --- links ----------------------------------------------------------------------------


@router.get(
    "/admin/links",
    summary="Every link, newest first, with its owner, creator class, clicks and state (admin)",
    responses=with_body(200, "A page of links.", AdminLinkPage) | error_responses(*_ADMIN_REFUSALS),
)
def list_links(
    limit: _LIMIT = None,
    cursor: _CURSOR = None,
    host: Annotated[
        str | list[str] | None,
        Query(description="Only links to this host or its subdomains."),
    ] = None,
    since: Annotated[
        str | list[str] | None,
        WithJsonSchema({"type": "string", "format": "date-time"}),
        Query(description="Only links created at or after this RFC 3339 date-time."),
    ] = None,
) -> Response[AdminLinkPage]:
    _admin()
    size = page_size(_once("limit", limit))
    wanted_host = _once("host", host)
    page = wiring.link_moderation().list_links(
        limit=size,
        cursor=_once("cursor", cursor),
        host=check_blocked_host(wanted_host) if wanted_host is not None else None,
        since=check_since(_once("since", since)),
    )
    denied = _denied_hosts()
    return _json(
        AdminLinkPage(links=[_admin_view(link, denied) for link in page.items], cursor=page.cursor)
    )


@router.post(
    "/admin/links/<short_id>/disable",
    summary="Take a link down: it answers 410, reason disabled (admin)",
    responses=with_body(200, "The link as disabled.", AdminLink)
    | error_responses(*_ADMIN_REFUSALS, 404, 410, 413, 415, 422),
)
def disable(short_id: str, request: DisableRequest) -> Response[AdminLink]:
    link = disable_link(
        short_id,
        request.reason,
        actor=_admin(),
        store=wiring.link_moderation(),
        now=utc_now(),
    )
    count(ADMIN_ACTIONS)
    return _json(_admin_view(_with_all_clicks(link)))


@router.post(
    "/admin/links/<short_id>/enable",
    summary="Put a disabled link back (admin)",
    responses=with_body(200, "The link as enabled.", AdminLink)
    | error_responses(*_ADMIN_REFUSALS, 404, 410),
)
def enable(short_id: str) -> Response[AdminLink]:
    link = enable_link(short_id, actor=_admin(), store=wiring.link_moderation(), now=utc_now())
    count(ADMIN_ACTIONS)
    return _json(_admin_view(_with_all_clicks(link)))


def _with_all_clicks(link: Link) -> Link:
    if not link.shards:
        return link
    return replace(link, clicks=wiring.link_repository().total_clicks(link))


# --- blocked hosts ---------------------------------------------------------------------


@router.get(
    "/admin/blocked-hosts",
    summary="The blocked hosts (admin)",
    responses=with_body(200, "Every blocked host.", BlockedHostList)
    | error_responses(401, 403, 503),
)
def list_blocked_hosts() -> Response[BlockedHostList]:
    _admin()
    hosts = wiring.blocked_hosts().entries()
    return _json(BlockedHostList(hosts=[BlockedHostInfo.of(host) for host in hosts]))


@router.put(
    "/admin/blocked-hosts/<host>",
    summary="Block a host and its subdomains, for new links and existing ones (admin)",
    responses=with_body(
        200, "The host as blocked; in force everywhere within a minute.", BlockedHostInfo
    )
    | error_responses(*_ADMIN_REFUSALS, 413, 415, 422),
)
def block(
    host: str, request: Annotated[BlockRequest | None, Body()] = None
) -> Response[BlockedHostInfo]:
    blocked = block_host(
        host,
        request.reason if request is not None else None,
        actor=_admin(),
        store=wiring.blocked_hosts(),
        now=utc_now(),
    )
    count(ADMIN_ACTIONS)
    return _json(BlockedHostInfo.of(blocked))


@router.delete(
    "/admin/blocked-hosts/<host>",
    summary="Unblock a host (admin)",
    responses=documented(204, "Not blocked (any more); in force everywhere within a minute.")
    | error_responses(*_ADMIN_REFUSALS),
)
def unblock(host: str) -> Response[str]:
    unblock_host(host, actor=_admin(), store=wiring.blocked_hosts(), now=utc_now())
    count(ADMIN_ACTIONS)
    return Response(status_code=204, headers=dict(NO_STORE), body="")


# --- reports ---------------------------------------------------------------------------


@router.get(
    "/admin/reports",
    summary="Abuse reports, newest first, with each link's state now (admin)",
    responses=with_body(200, "A page of reports.", ReportPage) | error_responses(*_ADMIN_REFUSALS),
)
def list_reports(limit: _LIMIT = None, cursor: _CURSOR = None) -> Response[ReportPage]:
    _admin()
    page = wiring.reports().list(page_size(_once("limit", limit)), _once("cursor", cursor))
    links = wiring.link_moderation().links_named([report.short_id for report in page.items])
    denied = _denied_hosts()
    return _json(
        ReportPage(
            reports=[
                ReportInfo.of(
                    report,
                    _admin_view(links[report.short_id], denied)
                    if report.short_id in links
                    else None,
                )
                for report in page.items
            ],
            cursor=page.cursor,
        )
    )


# --- API keys --------------------------------------------------------------------------


@router.post(
    "/admin/keys",
    summary="Issue an API key: shown in this answer only (admin)",
    responses=with_body(201, "The new key, shown this once.", NewApiKey)
    | error_responses(*_ADMIN_REFUSALS, 413, 415, 422),
)
def create_key(request: KeyRequest) -> Response[NewApiKey]:
    issued = create_api_key(
        NewKey(name=request.name, owner=request.owner, scopes=request.scopes),
        actor=_admin(),
        store=wiring.key_admin(),
        now=utc_now(),
    )
    count(ADMIN_ACTIONS)
    return _json(NewApiKey.of(issued), status=201)


@router.get(
    "/admin/keys",
    summary="Every API key, revoked ones too, never the key itself (admin)",
    responses=with_body(200, "Every key.", ApiKeyList) | error_responses(401, 403, 503),
)
def list_keys() -> Response[ApiKeyList]:
    _admin()
    return _json(ApiKeyList(keys=[ApiKeyInfo.of(key) for key in wiring.key_admin().every_key()]))


@router.delete(
    "/admin/keys/<key_id>",
    summary="Revoke an API key: refused everywhere within a minute (admin)",
    responses=with_body(200, "The key as revoked.", ApiKeyInfo)
    | error_responses(*_ADMIN_REFUSALS, 404),
)
def revoke_key(key_id: str) -> Response[ApiKeyInfo]:
    key = revoke_api_key(key_id, actor=_admin(), store=wiring.key_admin(), now=utc_now())
    count(ADMIN_ACTIONS)
    return _json(ApiKeyInfo.of(key))


# --- audit -----------------------------------------------------------------------------


@router.get(
    "/admin/audit",
    summary="Every admin action, newest first (admin)",
    responses=with_body(200, "A page of the audit trail.", AuditPage)
    | error_responses(*_ADMIN_REFUSALS),
)
def list_audit(limit: _LIMIT = None, cursor: _CURSOR = None) -> Response[AuditPage]:
    _admin()
    page = wiring.audit().list(page_size(_once("limit", limit)), _once("cursor", cursor))
    return _json(
        AuditPage(entries=[AuditEntryInfo.of(entry) for entry in page.items], cursor=page.cursor)
    )


app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=parse_json_body)
app.include_router(router)
register_error_handlers(app)
register_moderation_error_handlers(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@log_metrics
@http_boundary
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Every route is an admin's: the key first (401/403 before anything about the
    # request), then the body, both before the resolver validates it.
    require_api_key(event, Scope.ADMIN)
    check_readable_body(event)
    return app.resolve(event, context)


gc.freeze()  # loaded: out of every later collection's way
gc.enable()
