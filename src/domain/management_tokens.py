"""Management tokens: how the creator of a link, and only they, can change or delete it.

There are no accounts. Creation hands out a random token once (256 bits); only its
SHA-256 is stored, so a copy of the table lets nobody manage links. A token is
checked in constant time.

An idempotent retry of a creation must answer with the same token, yet the table
must never give a token back. So the idempotency record keeps it sealed: XORed with
a pad derived (HMAC-SHA256) from a server-side secret that is not in the table
(template.yaml: TokenSealingSecret) and from what the record is about (the client's
Idempotency-Key and the link's id), so no two seals share a pad.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_TOKEN_BYTES = 32
_SEALING_CONTEXT = b"url-shortener management token seal v1"


def new_management_token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(_TOKEN_BYTES)).decode().rstrip("=")


def hash_management_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str | None) -> bool:
    if stored_hash is None:
        return False
    return hmac.compare_digest(hash_management_token(token), stored_hash)


def seal_token(token: str, *, secret: str, context: str) -> str:
    """The token sealed under the server's `secret` for one `context`."""
    raw = _decode(token)
    return _encode(_xor(raw, _pad(secret, context, len(raw))))


def unseal_token(sealed: str, *, secret: str, context: str) -> str:
    return seal_token(sealed, secret=secret, context=context)  # XOR undoes itself


def _pad(secret: str, context: str, length: int) -> bytes:
    message = _SEALING_CONTEXT + b"\x00" + context.encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    if length > len(digest):
        raise ValueError("tokens longer than 32 bytes cannot be sealed")
    return digest[:length]


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
