"""What every function shares about HTTP.

JSON errors, the 404 and 410 pages, who the viewer is, and where short links live.
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from domain.target_rules import TargetRules
from handlers.settings import Settings

# Errors must never be cached: a 404 today may be a link tomorrow.
NO_STORE = {"Cache-Control": "no-store"}
# A redirect may be cached briefly by the browser alone ("private": never by
# CloudFront or another shared cache), so an edit or delete takes effect within a
# minute while a double click costs one request.
REDIRECT_CACHE = {"Cache-Control": "private, max-age=60"}

# A DNS name or IPv4 address, or a bracketed IPv6 literal, with an optional port.
_HOST_AND_PORT = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)


def json_error(
    status: int,
    message: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    """The one error body every refusal uses: {"message": ..., "errors": [{"field", "reason"}]}."""
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=_error_json(message, errors),
        headers={**NO_STORE, **(headers or {})},
    )


def json_error_event_response(status: int, message: str) -> dict[str, Any]:
    """The same error body as a raw Lambda proxy response, for refusals before routing."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON, **NO_STORE},
        "body": _error_json(message, None),
        "isBase64Encoded": False,
    }


def _error_json(message: str, errors: list[dict[str, str]] | None) -> str:
    body: dict[str, Any] = {"message": message}
    if errors:
        body["errors"] = errors
    return json.dumps(body)


def accepts_html(event: APIGatewayProxyEventV2) -> bool:
    # Browsers put text/html in Accept; curl and API clients send */* or JSON.
    return "text/html" in (event.headers.get("accept") or "").lower()


def link_not_found(event: APIGatewayProxyEventV2, short_id: str) -> Response[str]:
    """404 for an unknown link: a small page for browsers, JSON for everyone else."""
    return _link_unavailable(
        event,
        404,
        message=f"No link with id {short_id!r}",
        title="Link not found",
        explanation=f"There is no short link <code>{html.escape(short_id)}</code>."
        " Check the address for typos.",
    )


def link_gone(event: APIGatewayProxyEventV2, short_id: str, why: str) -> Response[str]:
    """410 for a link that expired, was deleted or points to a blocked host."""
    return _link_unavailable(
        event,
        410,
        message=f"Link {short_id!r} {why}",
        title="Link no longer available",
        explanation=f"The short link <code>{html.escape(short_id)}</code> {html.escape(why)}.",
    )


def _link_unavailable(
    event: APIGatewayProxyEventV2, status: int, *, message: str, title: str, explanation: str
) -> Response[str]:
    """A page for browsers, JSON for everyone else; a HEAD gets the headers, no body."""
    if accepts_html(event):
        page = _page(title, explanation)
        response = Response(
            status, content_types.TEXT_HTML + "; charset=utf-8", page, dict(NO_STORE)
        )
    else:
        response = json_error(status, message)
    if event.http_method == "HEAD":
        response.body = ""
    return response


def _page(title: str, explanation: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head>\n"
        f"<body><main><h1>{title}</h1><p>{explanation}</p>"
        '<p><a href="/">Shorten a link</a></p></main></body></html>\n'
    )


def bearer_token(event: APIGatewayProxyEventV2) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = (event.headers.get("authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking, and which name and scheme they used to reach the shortener."""

    address: str
    host: str
    scheme: str


def viewer_of(event: APIGatewayProxyEventV2, settings: Settings) -> Viewer:
    """The viewer as CloudFront saw them, if CloudFront vouches for the request; else
    as API Gateway sees the caller.

    Behind CloudFront, API Gateway sees an edge server's address and its own host
    name. A CloudFront Function passes the viewer's address (X-Viewer-Address) and host
    (X-Forwarded-Host), and CloudFront proves the request is its own with a secret
    header. Anyone can send those headers straight to API Gateway, so
    without the secret they are ignored.
    """
    headers = event.headers
    context = event.request_context
    if _from_cloudfront(headers.get("x-origin-verify"), settings.origin_verify_secret):
        # Our CloudFront Function's X-Viewer-Address (a plain IP); CloudFront's own
        # CloudFront-Viewer-Address (IP:port) where an origin request policy passes it.
        address = _ip_or_empty(headers.get("x-viewer-address") or "") or _address_of(
            headers.get("cloudfront-viewer-address") or ""
        )
        host = headers.get("x-forwarded-host") or ""
        if address and _HOST_AND_PORT.fullmatch(host):
            return Viewer(address=address, host=host, scheme="https")
    # API Gateway always serves HTTPS and says so in X-Forwarded-Proto; the local
    # stack says http. The Host header carries the port locally, domainName never does;
    # both are checked, since a client can send anything in a header.
    proto = (headers.get("x-forwarded-proto") or "").lower()
    host = headers.get("host") or ""
    return Viewer(
        address=context.http.source_ip,
        host=host if _HOST_AND_PORT.fullmatch(host) else context.domain_name,
        scheme=proto if proto in ("http", "https") else "https",
    )


def base_url(event: APIGatewayProxyEventV2, settings: Settings) -> str:
    """Where short links live: the configured public URL, else this request's own origin."""
    if settings.public_base_url:
        return settings.public_base_url
    viewer = viewer_of(event, settings)
    stage = event.request_context.stage
    # A named stage is part of the path on the API's own host only; CloudFront and
    # custom domains map their root onto the API.
    on_api_host = viewer.host == _api_host(event)
    prefix = f"/{stage}" if on_api_host and stage not in ("$default", "", None) else ""
    return f"{viewer.scheme}://{viewer.host}{prefix}"


def target_rules(event: APIGatewayProxyEventV2, settings: Settings) -> TargetRules:
    """What this deployment refuses as a target, for this request's own host names."""
    return TargetRules(own_hosts=own_hosts(event, settings), denied_hosts=settings.denied_hosts)


def own_hosts(event: APIGatewayProxyEventV2, settings: Settings) -> tuple[str, ...]:
    """Every name this shortener answers to: a link to any of them would loop."""
    context = event.request_context
    names = [context.domain_name, event.headers.get("host") or "", viewer_of(event, settings).host]
    # Behind a custom domain the API still answers on its execute-api name.
    region = os.environ.get("AWS_REGION")
    if context.api_id and region:
        names.append(f"{context.api_id}.execute-api.{region}.amazonaws.com")
    if settings.public_base_url:
        names.append(settings.public_base_url)
    return tuple(name for name in names if name)


def _api_host(event: APIGatewayProxyEventV2) -> str:
    host = event.headers.get("host") or ""
    return host if _HOST_AND_PORT.fullmatch(host) else event.request_context.domain_name


def _from_cloudfront(presented: str | None, secret: str | None) -> bool:
    if not presented or not secret:
        return False
    return hmac.compare_digest(presented.encode(), secret.encode())


def _address_of(viewer_address: str) -> str:
    """The IP of CloudFront-Viewer-Address ("203.0.113.7:51234", "2001:db8::1:51234")."""
    ip, _, port = viewer_address.rpartition(":")
    if not port.isdigit():
        return ""
    return _ip_or_empty(ip.strip("[]"))


def _ip_or_empty(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return ""
