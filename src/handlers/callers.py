"""Who is calling: the API key of an `Authorization: Bearer` header, checked.

The same header carries a link's management token on /links/{shortId}; a key is told
apart by its prefix (domain/api_keys.py), so each route reads whichever it accepts.
"""

from __future__ import annotations

from typing import Any

from domain.api_keys import ApiKey, ApiKeyRequired, Scope, looks_like_api_key, require_scope
from domain.links import utc_now
from handlers import wiring
from handlers.api_requests import bearer_token


def api_key_of(event: dict[str, Any]) -> ApiKey | None:
    """The request's API key, or None if it sends none (a management token is none).
    Raises UnknownApiKey (401) for a key that is not valid."""
    credential = bearer_token(event)
    if credential is None or not looks_like_api_key(credential):
        return None
    return wiring.api_key_cache().authenticate(credential, utc_now())


def require_api_key(event: dict[str, Any], scope: Scope) -> ApiKey:
    """The request's API key, which must have `scope`. Raises ApiKeyRequired (401),
    UnknownApiKey (401) or MissingScope (403)."""
    key = api_key_of(event)
    if key is None:
        raise ApiKeyRequired(scope)
    return require_scope(key, scope)
