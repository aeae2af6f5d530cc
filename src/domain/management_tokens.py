"""Management tokens: how the creator of a link, and only they, can change or delete it.

There are no accounts. Creation hands out a random token once (256 bits); only its
SHA-256 is stored, so a copy of the table lets nobody manage links. A token is
checked in constant time.

An idempotent retry of a creation must answer with the same token, yet the
idempotency record must not hold it in the clear either. So the record keeps the
token sealed: XORed with a key derived (HMAC-SHA256) from the client's
Idempotency-Key, which the record itself stores only as a hash. Only a client that
knows the Idempotency-Key can unseal it.
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


def seal_token(token: str, *, secret: str, short_id: str) -> str:
    """The token sealed under `secret`; the short id makes every seal's pad its own."""
    raw = _decode(token)
    return _encode(_xor(raw, _keystream(secret, short_id, len(raw))))


def unseal_token(sealed: str, *, secret: str, short_id: str) -> str:
    return seal_token(sealed, secret=secret, short_id=short_id)  # XOR undoes itself


def _keystream(secret: str, short_id: str, length: int) -> bytes:
    message = _SEALING_CONTEXT + b"\x00" + short_id.encode("utf-8")
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
