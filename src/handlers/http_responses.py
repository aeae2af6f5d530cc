"""What the functions behind Powertools' resolver share about HTTP.

JSON errors, the 404 and 410 pages (as Powertools Responses of the bodies in
proxy_responses.py), who the viewer is, and where short links live.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from domain.target_rules import TargetRules
from handlers.proxy_responses import (
    json_error_response,
    link_gone_response,
    link_not_found_response,
)
from handlers.settings import Settings

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
    return as_response(json_error_response(status, message, errors=errors, headers=headers))


def json_error_event_response(status: int, message: str) -> dict[str, Any]:
    """The same error body as a raw Lambda proxy response, for refusals before routing."""
    return json_error_response(status, message)


def link_not_found(event: APIGatewayProxyEventV2, short_id: str) -> Response[str]:
    """404 for an unknown link: a small page for browsers, JSON for everyone else."""
    accept = event.headers.get("accept") or ""
    return as_response(link_not_found_response(event.http_method, accept, short_id))


def link_gone(event: APIGatewayProxyEventV2, short_id: str, why: str) -> Response[str]:
    """410 for a link that expired, was deleted or points to a blocked host."""
    accept = event.headers.get("accept") or ""
    return as_response(link_gone_response(event.http_method, accept, short_id, why))


def as_response(proxy: dict[str, Any]) -> Response[str]:
    """A proxy response (handlers/proxy_responses.py) as Powertools' Response."""
    headers = dict(proxy["headers"])
    return Response(
        status_code=proxy["statusCode"],
        content_type=headers.pop("Content-Type", None),
        body=proxy["body"],
        headers=headers,
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
