"""Responses as API Gateway takes them from Lambda (payload format 2.0), built from plain
dicts with the standard library alone.

The redirect and shortener functions answer with these directly: they carry no
Powertools resolver (handlers/redirect.py and shorten.py say why). The links function,
behind the resolver, wraps the same bodies in Powertools' Response
(handlers/http_errors.py), so every function refuses in exactly the same words and
shapes.
"""

from __future__ import annotations

import html
import json
from typing import Any

from domain.links import is_plausible_short_id

JSON = "application/json"
HTML = "text/html; charset=utf-8"
# Errors must never be cached: a 404 today may be a link tomorrow.
NO_STORE = {"Cache-Control": "no-store"}
# A redirect may be cached briefly by the browser alone ("private": never by
# CloudFront or another shared cache), so an edit or delete takes effect within a
# minute while a double click costs one request.
REDIRECT_CACHE = {"Cache-Control": "private, max-age=60"}
# Long enough for DynamoDB's adaptive capacity to absorb a burst, short enough that a
# person clicking a link would still wait for it.
STORAGE_RETRY_AFTER_SECONDS = "2"
STORAGE_UNAVAILABLE_MESSAGE = "Storage is briefly unavailable; try again shortly"


def proxy_response(
    status: int, body: str = "", headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": headers or {},
        "body": body,
        "isBase64Encoded": False,
    }


def error_json(message: str, errors: list[dict[str, str]] | None = None) -> str:
    """The one error body every refusal uses: {"message": ..., "errors": [{"field", "reason"}]}."""
    body: dict[str, Any] = {"message": message}
    if errors:
        body["errors"] = errors
    return json.dumps(body)


def json_error_response(
    status: int,
    message: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    return proxy_response(
        status, error_json(message, errors), {"Content-Type": JSON, **NO_STORE, **(headers or {})}
    )


def storage_unavailable_response() -> dict[str, Any]:
    return json_error_response(
        503,
        STORAGE_UNAVAILABLE_MESSAGE,
        headers={"Retry-After": STORAGE_RETRY_AFTER_SECONDS},
    )


def link_not_found_response(method: str, accept: str, short_id: str) -> dict[str, Any]:
    """404 for an unknown link: a small page for browsers, JSON for everyone else.

    The id is shown back only if it could be one: a path that no link can have is
    anybody's text ("/Your account is locked, call ..."), and a page on this domain must
    not say it."""
    if not is_plausible_short_id(short_id):
        return _link_unavailable(
            404,
            method,
            accept,
            message="No link at this address",
            title="Link not found",
            explanation="There is no short link at this address. Check it for typos.",
        )
    return _link_unavailable(
        404,
        method,
        accept,
        message=f"No link with id {short_id!r}",
        title="Link not found",
        explanation=f"There is no short link <code>{html.escape(short_id)}</code>."
        " Check the address for typos.",
    )


def link_gone_response(method: str, accept: str, short_id: str, why: str) -> dict[str, Any]:
    """410 for a link that expired, was deleted or points to a blocked host."""
    return _link_unavailable(
        410,
        method,
        accept,
        message=f"Link {short_id!r} {why}",
        title="Link no longer available",
        explanation=f"The short link <code>{html.escape(short_id)}</code> {html.escape(why)}.",
    )


def accepts_html(accept: str) -> bool:
    # Browsers put text/html in Accept; curl and API clients send */* or JSON.
    return "text/html" in accept.lower()


def _link_unavailable(
    status: int, method: str, accept: str, *, message: str, title: str, explanation: str
) -> dict[str, Any]:
    """A page for browsers, JSON for everyone else; a HEAD gets the headers, no body."""
    if accepts_html(accept):
        response = proxy_response(
            status, _page(title, explanation), {"Content-Type": HTML, **NO_STORE}
        )
    else:
        response = json_error_response(status, message)
    if method == "HEAD":
        response["body"] = ""
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
