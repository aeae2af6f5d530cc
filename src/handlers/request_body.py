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
from typing import Any

MAX_BODY_BYTES = 8 * 1024
CSV_MEDIA_TYPE = "text/csv"
JSON_MEDIA_TYPE = "application/json"


class BodyRefused(Exception):
    """The body is refused before it is parsed: `status`, a fixed `reason` for the
    metrics, and a `message` for the client."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message


def check_readable_body(
    event: dict[str, Any], max_bytes: int = MAX_BODY_BYTES, also: str | None = None
) -> None:
    """Raise BodyRefused unless the body is JSON (or of the media type `also`), within
    `max_bytes`, and UTF-8 text.

    The media type is rewritten in the event to the lower-case form Powertools' router
    matches in the links function (media types are case-insensitive; it compares them
    as written).
    """
    body = event.get("body") or ""
    headers = event.get("headers") or {}
    media_type = _media_type(headers.get("content-type"))
    # A body must say it is JSON. Without that, any web page could make its visitors'
    # browsers create and change links: a fetch() in no-cors mode, a sendBeacon() or a
    # form sends a body with no Content-Type, or a CORS-safelisted one, and no preflight
    # asks first; application/json is not safelisted, so a browser asks (and CORS says
    # no). Media types are case-insensitive and may carry parameters ("; charset=utf-8").
    # text/csv is not safelisted either (only text/plain is, of text), and the one route
    # that takes it (POST /links/import) needs an Authorization header as well.
    if body and media_type != JSON_MEDIA_TYPE and (also is None or media_type != also):
        kinds = "JSON (Content-Type: application/json)"
        if also:
            kinds += f" or Content-Type: {also}"
        raise BodyRefused(415, "not_json", f"Request body must be {kinds}")
    if headers.get("content-type"):
        headers["content-type"] = media_type if media_type == also else JSON_MEDIA_TYPE
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except binascii.Error as exc:
            raise BodyRefused(400, "unreadable_body", "Request body is not valid base64") from exc
    else:
        raw = body.encode("utf-8", errors="surrogatepass")
    if len(raw) > max_bytes:
        raise BodyRefused(413, "body_too_large", f"Request body must be at most {max_bytes} bytes")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyRefused(
            400, "unreadable_body", "Request body must be UTF-8 encoded JSON"
        ) from exc


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


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
