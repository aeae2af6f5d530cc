"""API keys: how programs and operators call the API as someone, with scopes.

A key is `usk_<id>_<secret>`: 16 hex digits that name it, then 256 random bits. The table
keeps only the id and the SHA-256 of the secret (high-entropy, so no slow hash is
needed), so a copy of the table lets nobody call the API. The prefix lets secret
scanners find leaked keys, and tells a key from a link's management token (43
characters, no prefix) in the same `Authorization: Bearer` header.

Each key belongs to an owner (any id the operator chooses: a person, a team, a program)
and carries scopes:
    links:write   create links, and change or delete the owner's links
    links:read    list and read the owner's links and their click stats
    admin         the moderation routes (/admin/...)
A link created with a key is owned by the key's owner, and every key of that owner
manages it.

Checking a key costs one DynamoDB read, then nothing for a minute: an execution
environment keeps what it read (`ApiKeyCache`), so a revoked key stops working
everywhere within a minute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import DomainError, InvalidInput, StorageUnavailable


class Scope(StrEnum):
    LINKS_WRITE = "links:write"
    LINKS_READ = "links:read"
    ADMIN = "admin"


ALL_SCOPES = tuple(Scope)
KEY_PREFIX = "usk_"
_KEY = re.compile(r"usk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
_KEY_ID = re.compile(r"[0-9a-f]{16}")
# An owner is whatever the operator calls someone: kept short and printable, since it
# is part of an index key and shown in listings.
_OWNER = re.compile(r"[A-Za-z0-9._@+-]{1,64}")
_NAME_MAX = 100
# How long an execution environment trusts what it read about a key.
KEY_CACHE_SECONDS = 60
# Keys an environment remembers at most (unknown ones included, so that a client
# sending random keys costs one read each, and the memory stays bounded).
_CACHE_SIZE = 1000


class UnknownApiKey(DomainError):
    """The key is not one of this shortener's, or was revoked (401)."""

    def __init__(self) -> None:
        super().__init__("unknown or revoked API key")


class MissingScope(DomainError):
    """The key is valid but lacks the scope the route needs (403)."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(f"this API key lacks the scope {scope.value!r}")
        self.scope = scope


class ApiKeyRequired(DomainError):
    """The route needs an API key with `scope`, and none was sent (401)."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(f"an API key with the scope {scope.value!r} is required")
        self.scope = scope


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A key as stored: everything but the secret, of which only a hash is kept."""

    key_id: str
    name: str
    owner: str
    scopes: frozenset[Scope]
    created_at: datetime
    secret_hash: str
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def allows(self, scope: Scope) -> bool:
        return self.revoked_at is None and scope in self.scopes


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A new key: what is stored, and the key itself, shown once."""

    record: ApiKey
    key: str


def issue_api_key(
    *,
    name: str,
    owner: str,
    scopes: Iterable[str],
    now: datetime,
    random_bytes: Callable[[int], bytes] = secrets.token_bytes,
) -> IssuedKey:
    """A new key for `owner`. Raises InvalidInput naming the field that is wrong."""
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > _NAME_MAX or not name.isprintable():
        raise InvalidInput("name", f"must be 1 to {_NAME_MAX} printable characters")
    check_owner(owner)
    wanted = check_scopes(scopes)
    key_id = random_bytes(8).hex()
    secret = _urlsafe(random_bytes(32))
    record = ApiKey(
        key_id=key_id,
        name=name,
        owner=owner,
        scopes=wanted,
        created_at=now,
        secret_hash=hash_secret(secret),
    )
    return IssuedKey(record, f"{KEY_PREFIX}{key_id}_{secret}")


def check_owner(owner: object) -> str:
    if not isinstance(owner, str) or not _OWNER.fullmatch(owner):
        raise InvalidInput("owner", "must be 1 to 64 of A-Z a-z 0-9 . _ @ + -")
    return owner


def check_scopes(scopes: Iterable[str]) -> frozenset[Scope]:
    known = {scope.value: scope for scope in Scope}
    wanted = [] if isinstance(scopes, str) else list(scopes)  # "admin" is not a list
    unknown = [scope for scope in wanted if scope not in known]
    if not wanted or unknown:
        allowed = ", ".join(known)
        raise InvalidInput("scopes", f"must be a non-empty list of: {allowed}")
    return frozenset(known[scope] for scope in wanted)


def check_key_id(key_id: str) -> str:
    if not _KEY_ID.fullmatch(key_id):
        raise InvalidInput("keyId", "must be 16 hexadecimal digits")
    return key_id


def looks_like_api_key(credential: str) -> bool:
    """Whether a bearer credential is meant as an API key (not a management token)."""
    return credential.startswith(KEY_PREFIX)


def parse_api_key(credential: str) -> tuple[str, str]:
    """The key's id and secret. Raises UnknownApiKey for anything not shaped as a key."""
    match = _KEY.fullmatch(credential)
    if match is None:
        raise UnknownApiKey
    return match.group(1), match.group(2)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, key: ApiKey) -> bool:
    return hmac.compare_digest(hash_secret(secret), key.secret_hash)


@dataclass
class ApiKeyCache:
    """What one execution environment knows of keys, for at most KEY_CACHE_SECONDS.

    `read` is the store's lookup (None: no such key). A key that was read is trusted
    for a minute, revoked or not: that minute is how long a revocation takes to reach
    every environment (docs/operations.md). A key's last use is stamped once an hour
    at most, by `touch`, never on the request's own path of reads.
    """

    read: Callable[[str], ApiKey | None]
    touch: Callable[[str, datetime], None] | None = None
    _known: OrderedDict[str, tuple[datetime, ApiKey | None]] = field(default_factory=OrderedDict)

    def authenticate(self, credential: str, now: datetime) -> ApiKey:
        """The key `credential` is, if valid and not revoked. Raises UnknownApiKey."""
        key_id, secret = parse_api_key(credential)
        key = self._lookup(key_id, now)
        if key is None or key.revoked_at is not None or not secret_matches(secret, key):
            raise UnknownApiKey
        if self.touch is not None and _stale_use(key, now):
            try:
                self.touch(key_id, now)
            except StorageUnavailable:
                return key  # only the stamp is late; the next request tries again
            self._known[key_id] = (self._known[key_id][0], _used(key, now))
        return key

    def _lookup(self, key_id: str, now: datetime) -> ApiKey | None:
        cached = self._known.get(key_id)
        if cached is not None and now - cached[0] < timedelta(seconds=KEY_CACHE_SECONDS):
            self._known.move_to_end(key_id)
            return cached[1]
        key = self.read(key_id)
        self._known[key_id] = (now, key)
        self._known.move_to_end(key_id)
        while len(self._known) > _CACHE_SIZE:
            self._known.popitem(last=False)
        return key


def require_scope(key: ApiKey, scope: Scope) -> ApiKey:
    if not key.allows(scope):
        raise MissingScope(scope)
    return key


def _stale_use(key: ApiKey, now: datetime) -> bool:
    return key.last_used_at is None or now - key.last_used_at >= timedelta(hours=1)


def _used(key: ApiKey, now: datetime) -> ApiKey:
    return replace(key, last_used_at=now)


def _urlsafe(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
