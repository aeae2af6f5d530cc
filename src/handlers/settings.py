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
from domain.hot_links import ITEM_WRITES_PER_SECOND
from domain.rate_limits import CreationRateLimits

REDIRECT_STATUSES = frozenset({301, 302, 307, 308})
DEFAULT_CLICK_STATS_RETENTION_DAYS = 400
DEFAULT_KEY_CREATION_RATE_LIMIT = 1000


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
    creation_rate_limits: CreationRateLimits
    # Seals management tokens in idempotency records; only ShortenFunction has it.
    token_sealing_secret: str | None
    # CloudFront proves a request came through it with one of these (X-Origin-Verify):
    # the secret, and during a rotation its previous value too. Only then are its viewer
    # headers (address, host, the distribution's name) believed.
    origin_verify_secrets: tuple[str, ...]
    # Whether a request that did not come through CloudFront is answered at all.
    allow_direct_api_access: bool
    # The custom domain of the site (template DomainName), or None: a link to it would loop.
    site_domain_name: str | None
    # Days a link's per-day click stats are kept (template ClickStatsRetentionDays);
    # only the aggregator is given it, the others never write stats.
    click_stats_retention_days: int = DEFAULT_CLICK_STATS_RETENTION_DAYS
    # DynamoDB's write limit for one item, which tells the redirect when a link is hot
    # (domain/hot_links.py). Not in the template: DynamoDB's is 1,000. Only a local
    # model of DynamoDB with a lower one (make dev --item-write-limit) sets it.
    item_writes_per_second: int = ITEM_WRITES_PER_SECOND
    # Whether POST /shorten answers without an API key (template PublicCreation).
    public_creation: bool = True

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
            origin_verify_secrets=tuple(
                secret
                for name in ("ORIGIN_VERIFY_SECRET", "ORIGIN_VERIFY_PREVIOUS_SECRET")
                if (secret := environ.get(name, "").strip())
            ),
            allow_direct_api_access=_boolean(environ, "ALLOW_DIRECT_API_ACCESS"),
            site_domain_name=environ.get("SITE_DOMAIN_NAME", "").strip() or None,
            click_stats_retention_days=_positive_int(environ, "CLICK_STATS_RETENTION_DAYS")
            if environ.get("CLICK_STATS_RETENTION_DAYS")
            else DEFAULT_CLICK_STATS_RETENTION_DAYS,
            item_writes_per_second=_positive_int(environ, "DYNAMODB_ITEM_WRITES_PER_SECOND")
            if environ.get("DYNAMODB_ITEM_WRITES_PER_SECOND")
            else ITEM_WRITES_PER_SECOND,
            creation_rate_limits=CreationRateLimits(
                per_client=_positive_int(environ, "CREATION_RATE_LIMIT"),
                per_56=_positive_int(environ, "CREATION_RATE_LIMIT_PER_56"),
                per_48=_positive_int(environ, "CREATION_RATE_LIMIT_PER_48"),
                window=timedelta(seconds=_positive_int(environ, "CREATION_RATE_WINDOW_SECONDS")),
                ceiling_per_minute=_positive_int(environ, "CREATION_CEILING_PER_MINUTE"),
                per_key=_positive_int(environ, "KEY_CREATION_RATE_LIMIT")
                if environ.get("KEY_CREATION_RATE_LIMIT")
                else DEFAULT_KEY_CREATION_RATE_LIMIT,
            ),
            public_creation=_boolean(environ, "PUBLIC_CREATION")
            if environ.get("PUBLIC_CREATION")
            else True,
        )


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise MisconfiguredError(f"{name} is not set (template.yaml sets it for every function)")
    return value


def _boolean(environ: Mapping[str, str], name: str) -> bool:
    text = _required(environ, name).lower()
    if text not in ("true", "false"):
        raise MisconfiguredError(f"{name} must be true or false, got {text!r}")
    return text == "true"


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
