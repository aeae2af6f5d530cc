"""What every function reads from a request: whether it came through CloudFront, who
the viewer is, their token, and where short links live.

Functions take the Lambda event as API Gateway sends it (payload format 2.0, header
names in lower case), so those without Powertools' resolver need none of it.

Behind CloudFront, the API answers only the requests that came through it. API
Gateway's own URL (https://<api>.execute-api.<region>.amazonaws.com) is public: without
that rule anyone could skip the distribution (its security headers, its optional WAF
rule) and, sending their own X-Viewer-Address, pose as any viewer. The distribution
adds the origin secret to every request it sends the API (X-Origin-Verify).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidInput
from domain.target_rules import TargetRules
from handlers import wiring
from handlers.settings import Settings

# A DNS name or IPv4 address, or a bracketed IPv6 literal, with an optional port.
_HOST_AND_PORT = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)


Event = dict[str, Any]


def _headers(event: Event) -> dict[str, str]:
    headers: dict[str, str] = event.get("headers") or {}
    return headers


def bearer_token(event: Event) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = (_headers(event).get("authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def given_once(name: str, value: str | list[str] | None) -> str | None:
    """A query parameter's value, which must not be repeated: Powertools hands a repeated
    one over as a list (`?to=a&to=b`; API Gateway joins it as "a,b"). Raises
    InvalidInput naming the parameter."""
    if isinstance(value, list):
        raise InvalidInput(name, "must be given once")
    return value


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking, and which name and scheme they used to reach the shortener."""

    address: str
    host: str
    scheme: str


class NotThroughCloudFront(Exception):
    """The request reached the API's own URL without passing the stack's CloudFront."""


def require_cloudfront(event: Event, settings: Settings) -> None:
    """Raise NotThroughCloudFront unless CloudFront vouches for the request, or the
    stack allows direct access (AllowDirectApiAccess, e.g. for `sam local`)."""
    if not (settings.allow_direct_api_access or came_through_cloudfront(event, settings)):
        raise NotThroughCloudFront


def came_through_cloudfront(event: Event, settings: Settings) -> bool:
    """Whether CloudFront vouches for the request: it carries the origin secret that the
    distribution adds to every request it sends the API (X-Origin-Verify)."""
    presented = _headers(event).get("x-origin-verify")
    if not presented:
        return False
    # Every secret compared, each in constant time: which one matched, or how far a
    # guess got, takes no different time.
    matches = [
        hmac.compare_digest(presented.encode(), secret.encode())
        for secret in settings.origin_verify_secrets
    ]
    return any(matches)


def viewer_of(event: Event, settings: Settings) -> Viewer:
    """The viewer as CloudFront saw them, if CloudFront vouches for the request; else
    as API Gateway sees the caller.

    Behind CloudFront, API Gateway sees an edge server's address and its own host
    name. A CloudFront Function passes the viewer's address (X-Viewer-Address) and host
    (X-Forwarded-Host), and CloudFront proves the request is its own with a secret
    header. Anyone can send those headers straight to API Gateway, so
    without the secret they are ignored.
    """
    headers = _headers(event)
    context = event["requestContext"]
    if came_through_cloudfront(event, settings):
        # Our CloudFront Function's X-Viewer-Address (a plain IP); CloudFront's own
        # CloudFront-Viewer-Address (IP:port) where an origin request policy passes it.
        address = _ip_or_empty(headers.get("x-viewer-address") or "") or _address_of(
            headers.get("cloudfront-viewer-address") or ""
        )
        host = headers.get("x-forwarded-host") or ""
        if address and _HOST_AND_PORT.fullmatch(host):
            # Viewers reach CloudFront over HTTPS (redirect-to-https); `make dev`,
            # which stands in for it, over plain HTTP, and says so like API Gateway.
            return Viewer(address=address, host=host, scheme=_scheme(headers))
    # The Host header carries the port locally, domainName never does;
    # both are checked, since a client can send anything in a header.
    host = headers.get("host") or ""
    return Viewer(
        address=context["http"]["sourceIp"],
        host=host if _HOST_AND_PORT.fullmatch(host) else context["domainName"],
        scheme=_scheme(headers),
    )


def click_origin(event: Event, settings: Settings) -> tuple[str, str | None]:
    """Who followed a short link, for the analytics: their address and the country
    header's value (None unless CloudFront vouches for the request).

    Short links run no CloudFront Function (it would cost every click), so this reads
    what CloudFront itself adds where the short links' origin request policy lists it:
    CloudFront-Viewer-Address and CloudFront-Viewer-Country (CloudFront Developer Guide,
    "Add CloudFront request headers"). Without CloudFront, API Gateway's own view.
    """
    headers = _headers(event)
    if came_through_cloudfront(event, settings):
        address = _address_of(headers.get("cloudfront-viewer-address") or "")
        if address:
            return address, headers.get("cloudfront-viewer-country")
    return event["requestContext"]["http"]["sourceIp"], None


def _scheme(headers: dict[str, str]) -> str:
    # API Gateway always serves HTTPS and says so in X-Forwarded-Proto; the local
    # stack says http.
    proto = (headers.get("x-forwarded-proto") or "").lower()
    return proto if proto in ("http", "https") else "https"


def base_url(event: Event, settings: Settings) -> str:
    """Where short links live: the configured public URL, else this request's own origin."""
    if settings.public_base_url:
        return settings.public_base_url
    viewer = viewer_of(event, settings)
    stage = event["requestContext"].get("stage")
    # A named stage is part of the path on the API's own host only; CloudFront and
    # custom domains map their root onto the API.
    on_api_host = viewer.host == _api_host(event)
    prefix = f"/{stage}" if on_api_host and stage not in ("$default", "", None) else ""
    return f"{viewer.scheme}://{viewer.host}{prefix}"


def target_rules(event: Event, settings: Settings) -> TargetRules:
    """What this deployment refuses as a target, for this request's own host names: its
    own names, and the hosts denied by the template (DeniedHosts) or blocked by an
    operator since (this environment's copy, at most a minute old)."""
    return TargetRules(
        own_hosts=own_hosts(event, settings),
        denied_hosts=wiring.blocked_hosts_cache().on_first_use(),
    )


def own_hosts(event: Event, settings: Settings) -> tuple[str, ...]:
    """Every name this shortener answers to, whichever the request came in on: a link
    to any of them would loop."""
    context = event["requestContext"]
    names = [
        context["domainName"],
        _headers(event).get("host") or "",
        viewer_of(event, settings).host,
        settings.site_domain_name or "",
    ]
    # The distribution's own *.cloudfront.net name, which its CloudFront Function tells
    # (the functions cannot be given it without a cycle): believed only from CloudFront.
    if came_through_cloudfront(event, settings):
        names.append(_headers(event).get("x-distribution-host") or "")
    # Behind a custom domain the API still answers on its execute-api name.
    region = os.environ.get("AWS_REGION")
    if context.get("apiId") and region:
        names.append(f"{context['apiId']}.execute-api.{region}.amazonaws.com")
    if settings.public_base_url:
        names.append(settings.public_base_url)
    return tuple(name for name in names if name)


def _api_host(event: Event) -> str:
    host = _headers(event).get("host") or ""
    return host if _HOST_AND_PORT.fullmatch(host) else str(event["requestContext"]["domainName"])


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
