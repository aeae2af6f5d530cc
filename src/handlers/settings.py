"""The functions' configuration, read from the environment once and checked.

A frozen dataclass rather than pydantic-settings: the redirect function reads it
too, and importing pydantic there would add ~70 ms to every cold start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from domain.host_rules import parse_denied_hosts
from domain.rate_limits import CreationRateLimit

REDIRECT_STATUSES = frozenset({301, 302, 307, 308})


class MisconfiguredError(RuntimeError):
    """The deployment is broken (a required setting is missing or malformed)."""


@dataclass(frozen=True, slots=True)
class Settings:
    links_table_name: str
    # Where short links live, e.g. "https://sho.rt". None: derive it from each request.
    public_base_url: str | None
    redirect_status: int
    # Hosts (and their subdomains) no link may point to, now or later.
    denied_hosts: frozenset[str]
    creation_rate_limit: CreationRateLimit
    # Seals management tokens in idempotency records; only ShortenFunction has it.
    token_sealing_secret: str | None
    # CloudFront proves a request came through it with this (X-Origin-Verify); only
    # then are its viewer headers (address, host) believed.
    origin_verify_secret: str | None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        redirect_status = _positive_int(environ, "REDIRECT_STATUS")
        if redirect_status not in REDIRECT_STATUSES:
            raise MisconfiguredError(f"REDIRECT_STATUS must be one of {sorted(REDIRECT_STATUSES)}")
        try:
            denied_hosts = parse_denied_hosts(environ.get("DENIED_HOSTS", ""))
        except ValueError as exc:
            raise MisconfiguredError(f"DENIED_HOSTS: {exc}") from exc
        return cls(
            links_table_name=_required(environ, "LINKS_TABLE_NAME"),
            public_base_url=_base_url(environ.get("PUBLIC_BASE_URL", "")),
            redirect_status=redirect_status,
            denied_hosts=denied_hosts,
            token_sealing_secret=environ.get("TOKEN_SEALING_SECRET") or None,
            origin_verify_secret=environ.get("ORIGIN_VERIFY_SECRET") or None,
            creation_rate_limit=CreationRateLimit(
                max_creations=_positive_int(environ, "CREATION_RATE_LIMIT"),
                window=timedelta(seconds=_positive_int(environ, "CREATION_RATE_WINDOW_SECONDS")),
            ),
        )


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise MisconfiguredError(f"{name} is not set (template.yaml sets it for every function)")
    return value


def _positive_int(environ: Mapping[str, str], name: str) -> int:
    text = _required(environ, name)
    if not text.isdigit() or int(text) < 1:
        raise MisconfiguredError(f"{name} must be a positive whole number, got {text!r}")
    return int(text)


def _base_url(raw: str) -> str | None:
    # Empty is a real choice (template default), not a missing value.
    base = raw.strip().rstrip("/")
    if not base:
        return None
    parts = urlsplit(base)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
        or "#" in base
        or "?" in base
    ):
        raise MisconfiguredError(
            f"PUBLIC_BASE_URL must be an http(s) origin (and path) with no user, query"
            f" or fragment, got {raw!r}"
        )
    return base
