"""What the redirect writes down about a click, for analytics, on the hot path.

Only what costs nothing to find out: the referring host, the country CloudFront saw,
the User-Agent as sent, and the visitor's 15-bit digest (domain/visitors.py). Telling
browsers and devices apart needs a User-Agent parser, which is slow to load and is
run by the aggregator instead (domain/user_agents.py), off the redirect's path.

Everything here is bounded, so a click's attributes stay well under 1 KB and a link
item of ordinary size stays one write unit per click (tests/unit/test_click_facts.py
measures an item with the largest attributes a click can bring).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from domain.errors import StorageUnavailable
from domain.visitors import visitor_digest

if TYPE_CHECKING:
    from domain.ports import VisitorKeys

DIRECT = "(direct)"
MAX_STORED_USER_AGENT = 256
"""Browsers send 100 to 250 characters; the parser needs the start, where the product
tokens are. Longer ones are cut (counted clicks never exceed 512, domain/clicks.py)."""
MAX_HOST_LENGTH = 253  # the longest DNS name (RFC 1035, in its dotted form)
_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True, slots=True)
class ClickFacts:
    referrer: str  # the referring host, or DIRECT
    country: str | None  # ISO 3166-1 alpha-2 as CloudFront saw the viewer, if it says so
    user_agent: str
    visitor: int | None  # None when the day's key could not be had: the click still counts


def click_facts(
    *,
    at: datetime,
    referer: str | None,
    country: str | None,
    user_agent: str,
    address: str,
    visitor_keys: VisitorKeys,
) -> ClickFacts:
    """What a counted click at `at` keeps for the analytics. `country` is the viewer's
    country header where CloudFront vouches for the request, else None; `address` is
    hashed with `user_agent` under the day's key and then forgotten."""
    try:
        day_key = visitor_keys.key_for(at.astimezone(UTC).date())
    except StorageUnavailable:
        visitor = None  # the click counts all the same; only its visitor is unknown
    else:
        visitor = visitor_digest(day_key, address, user_agent)
    return ClickFacts(
        referrer=referrer_host(referer),
        country=viewer_country(country),
        user_agent=stored_user_agent(user_agent),
        visitor=visitor,
    )


def referrer_host(referer: str | None) -> str:
    """The host of a Referer header, lower-cased and without `www.`; DIRECT for none.

    A value that is not an absolute URL with a host (browsers never send one) counts as
    direct too: there is no site to credit.
    """
    if not referer:
        return DIRECT
    try:
        host = urlsplit(referer.strip()).hostname
    except ValueError:  # e.g. an unbalanced "[" in the host
        return DIRECT
    if not host:
        return DIRECT
    host = host.rstrip(".").removeprefix("www.")
    if not host or len(host) > MAX_HOST_LENGTH:
        return DIRECT
    return host


def viewer_country(header: str | None) -> str | None:
    """CloudFront-Viewer-Country's value if it is a country code. CloudFront sends
    ISO 3166-1 alpha-2 codes; the caller believes the header only on requests that
    carry the origin secret, since anyone can send it to the API's own URL."""
    value = (header or "").strip().upper()
    return value if _COUNTRY.fullmatch(value) else None


def stored_user_agent(user_agent: str) -> str:
    return user_agent[:MAX_STORED_USER_AGENT]
