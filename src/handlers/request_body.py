"""Refusing request bodies before anything parses them, and parsing the rest.

The size limit, the media type and the "is this even text" check come first: in the
links function, in front of `app.resolve` (Powertools validates the body before any
middleware runs), and in the shortener before it reads the body. Without them a base64
body of random bytes, or a multipart body without a boundary, would fail inside the
parser and surface as a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from handlers.proxy_responses import json_error_response

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
    from aws_lambda_powertools.utilities.typing import LambdaContext

MAX_BODY_BYTES = 8 * 1024
JSON_MEDIA_TYPE = "application/json"


def resolve_readable(
    app: APIGatewayHttpResolver, event: dict[str, Any], context: LambdaContext
) -> dict[str, Any]:
    """Route the request, unless its body is refused first (see refuse_unreadable_body)."""
    refusal = refuse_unreadable_body(event)
    return refusal if refusal is not None else app.resolve(event, context)


def refuse_unreadable_body(
    event: dict[str, Any], max_bytes: int = MAX_BODY_BYTES
) -> dict[str, Any] | None:
    """A finished Lambda response refusing the body, or None when the body is fine to parse.

    A JSON media type is rewritten in the event to the lower-case form Powertools'
    router matches in the links function (media types are case-insensitive; it
    compares them as written).
    """
    body = event.get("body") or ""
    headers = event.get("headers") or {}
    if body and not _is_json_media_type(headers.get("content-type")):
        return json_error_response(
            415, "Request body must be JSON (Content-Type: application/json)"
        )
    if headers.get("content-type"):
        headers["content-type"] = JSON_MEDIA_TYPE
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except binascii.Error:
            return json_error_response(400, "Request body is not valid base64")
    else:
        raw = body.encode("utf-8", errors="surrogatepass")
    if len(raw) > max_bytes:
        return json_error_response(413, f"Request body must be at most {max_bytes} bytes")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return json_error_response(400, "Request body must be UTF-8 encoded JSON")
    return None


def _is_json_media_type(content_type: str | None) -> bool:
    # A body must say it is JSON. Without that, any web page could make its visitors'
    # browsers create and change links: a fetch() in no-cors mode, a sendBeacon() or a
    # form sends a body with no Content-Type, or a CORS-safelisted one, and no preflight
    # asks first; application/json is not safelisted, so a browser asks (and CORS says
    # no). Media types are case-insensitive and may carry parameters ("; charset=utf-8").
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == JSON_MEDIA_TYPE


def parse_json_body(text: str) -> Any:
    """json.loads, with every way a body can fail to parse reported as a JSON error.

    The stdlib raises plain ValueError for integers over 4,300 digits and
    RecursionError for deep nesting; Powertools turns only JSONDecodeError into a
    client error, so the rest would otherwise become 500s.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as exc:
        raise json.JSONDecodeError(str(exc).split(":", 1)[0], text, 0) from exc
