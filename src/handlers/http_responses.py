"""Response shapes every function shares: JSON errors, the 404 page, short URLs."""

from __future__ import annotations

import html
import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from handlers.settings import Settings

# Errors must never be cached: a 404 today may be a link tomorrow.
NO_STORE = {"Cache-Control": "no-store"}


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


def not_found_page(short_id: str) -> str:
    shown = html.escape(short_id)
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Link not found</title></head>\n"
        "<body><main><h1>Link not found</h1>"
        f"<p>There is no short link <code>{shown}</code>. Check the address for typos.</p>"
        '<p><a href="/">Shorten a link</a></p></main></body></html>\n'
    )


def base_url(event: APIGatewayProxyEventV2, settings: Settings) -> str:
    """Where short links live: the configured public URL, else this request's own origin."""
    if settings.public_base_url:
        return settings.public_base_url
    # API Gateway always serves HTTPS and says so in X-Forwarded-Proto; the local
    # stack says http. The Host header carries the port locally, domainName never does.
    scheme = event.headers.get("x-forwarded-proto") or "https"
    host = event.headers.get("host") or event.request_context.domain_name
    stage = event.request_context.stage
    prefix = "" if stage in ("$default", "", None) else f"/{stage}"
    return f"{scheme}://{host}{prefix}"


def own_hosts(event: APIGatewayProxyEventV2, settings: Settings) -> tuple[str, ...]:
    """Every name this shortener answers to: a link to any of them would loop."""
    names = [event.request_context.domain_name, event.headers.get("host") or ""]
    if settings.public_base_url:
        names.append(settings.public_base_url)
    return tuple(name for name in names if name)
