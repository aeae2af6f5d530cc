"""Refusing request bodies before the router ever parses them.

Powertools validates the body before any middleware runs, so the size limit and
the "is this even text" check have to come first, in front of `app.resolve`.
Without them a base64 body of random bytes would fail to decode inside the
router and surface as a 500.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from handlers.http_responses import json_error_event_response

MAX_BODY_BYTES = 8 * 1024


def refuse_unreadable_body(
    event: dict[str, Any], max_bytes: int = MAX_BODY_BYTES
) -> dict[str, Any] | None:
    """A finished Lambda response refusing the body, or None when the body is fine to parse."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except binascii.Error:
            return json_error_event_response(400, "Request body is not valid base64")
    else:
        raw = body.encode("utf-8", errors="surrogatepass")
    if len(raw) > max_bytes:
        return json_error_event_response(413, f"Request body must be at most {max_bytes} bytes")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return json_error_event_response(400, "Request body must be UTF-8 encoded JSON")
    return None
