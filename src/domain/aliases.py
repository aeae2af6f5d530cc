"""Custom aliases: short ids people choose (`/launch-2026` instead of `/7cp2Xhz`).

Aliases are case-sensitive, like generated ids: `/Promo` and `/promo` are two links.
One namespace holds both kinds, so an alias can never shadow a generated id or the
other way round; every write is conditional. The reserved names are compared without
regard to case, so `/LINKS` cannot pose as the API either.
"""

from __future__ import annotations

import re

from domain.errors import InvalidInput

ALIAS_MIN_LENGTH = 3
ALIAS_MAX_LENGTH = 64
_ALIAS = re.compile(rf"[A-Za-z0-9_-]{{{ALIAS_MIN_LENGTH},{ALIAS_MAX_LENGTH}}}")

# Paths the API, the page or the web's conventions already use, or that would
# mislead a reader of the short link. Names with a dot (index.html, robots.txt,
# favicon.ico, openapi.json) cannot be aliases at all: the pattern has no dot.
RESERVED_ALIASES = frozenset(
    {
        "about", "admin", "api", "app", "assets", "auth", "dashboard", "docs", "favicon",
        "health", "healthz", "help", "index", "links", "login", "logout", "metrics",
        "openapi", "privacy", "qr", "redoc", "reports", "robots", "settings", "shorten",
        "signin", "signup", "sitemap", "static", "status", "swagger", "terms", "well-known",
        "www",
    }
)  # fmt: skip


def check_alias(alias: str) -> str:
    """The alias, if it may be used; raises InvalidInput naming the rule it breaks."""
    if not _ALIAS.fullmatch(alias):
        raise InvalidInput(
            "alias",
            f"must be {ALIAS_MIN_LENGTH} to {ALIAS_MAX_LENGTH} characters of"
            " letters, digits, '-' and '_'",
        )
    if alias.lower() in RESERVED_ALIASES:
        raise InvalidInput("alias", "is reserved")
    return alias
