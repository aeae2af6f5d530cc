"""Which redirect requests count as clicks.

A click is a person following the link, so a request counts only if it is all of:

- a ``GET`` (method compared case-insensitively): ``HEAD`` and everything else are
  link checkers and tools, not visits;
- not speculative: browsers fetch links ahead of a visit that may never happen, and
  say so in a header (see ``_SPECULATION_HEADERS`` below for which, with sources);
- not from a bot or a link-preview fetcher (Slack, WhatsApp, Discord, Googlebot,
  curl, ...), as recognised by crawlerdetect, the Python port of the maintained
  JayBizzle/Crawler-Detect user-agent list. A missing, empty or absurdly long
  User-Agent does not count either: real browsers always send a short one.

Cold start: the redirect function runs this on every request. Importing this module
costs nothing; crawlerdetect is imported and its detector built on the first request
that gets as far as the user-agent check (its patterns compile on that first check,
tens of milliseconds), so a ``HEAD`` or a prefetch never pays for it.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

# The headers browsers use to announce a speculative fetch, each parsed the same way
# (see `_tokens`), and the tokens that mean "not a visit":
#
# - `Sec-Purpose` (Fetch Metadata; Chrome 110+, Firefox 115+): "prefetch", or a
#   structured-field list item with parameters. Chromium sends "prefetch",
#   "prefetch;anonymous-client-ip", "prefetch;prerender" and
#   "prefetch;prerender;preview" (chromium/src chrome/browser/prefetch/
#   prefetch_headers.cc and third_party/blink/common/navigation/preloading_headers.cc).
#   MDN: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Sec-Purpose
#   ("... treat it differently when counting page visits").
# - `Purpose: prefetch`: the legacy header Chrome and Edge still send for
#   <link rel="prefetch"> (MDN browser-compat-data for Sec-Purpose, crbug.com/1358419).
# - `X-Moz: prefetch`: what Firefox sent before Sec-Purpose (the same compat data:
#   "Sec-Purpose: prefetch replaces the non-standard X-moz: prefetch header"; the WPT
#   test preload/prefetch-headers.https.html checks it is no longer sent).
# - `X-Purpose: preview`: Safari's Top Sites thumbnail fetch, an ordinary-looking
#   page load with the browser's usual User-Agent (sunpig.com/martin/2010/01/08/
#   how-to-detect-a-page-request-from-safari-4s-top-sites-feature/).
#
# Being liberal is cheap here: any of these tokens in any of these headers, as an item
# or as a parameter, means the request is not counted. A value that merely contains
# one (``prefetching``) is a different token and does not.
_SPECULATIVE_TOKENS = frozenset({"prefetch", "prerender", "preview"})

MAX_USER_AGENT_LENGTH = 512
"""Longer User-Agents are not counted, and never reach the crawler patterns.

Real browsers send 100 to 400 characters. Crawler-Detect's catch-all pattern
(``[a-z0-9\\-_]*(bot|crawl|...)``, searched unanchored) takes time quadratic in the
length of a User-Agent that does not match: measured on CPython 3.13, ~47 ms at 512
characters, ~170 ms at 1 KiB and ~10 s at 8 KiB, which API Gateway would let anyone
send. The JavaScript port of the same list caps the length for the same reason
(JefferyHus/es6-crawler-detect#25).
"""


def is_countable_click(
    *,
    method: str,
    user_agent: str | None,
    purpose: str | None = None,
    sec_purpose: str | None = None,
    x_purpose: str | None = None,
    x_moz: str | None = None,
) -> bool:
    """Whether a redirect request is a real visit that should count as a click.

    Header arguments are the raw header values (``None`` when absent; repeated headers
    joined with commas, as API Gateway does). The cheap checks run first, so only a
    request that could be a click pays for the user-agent check.
    """
    if method.upper() != "GET":
        return False
    if any(_announces_speculation(value) for value in (purpose, sec_purpose, x_purpose, x_moz)):
        return False
    if user_agent is None or not user_agent.strip():
        return False
    if len(user_agent) > MAX_USER_AGENT_LENGTH:
        return False
    return not _crawler_detector().is_crawler(user_agent)


def _announces_speculation(header_value: str | None) -> bool:
    return header_value is not None and not _SPECULATIVE_TOKENS.isdisjoint(_tokens(header_value))


def _tokens(header_value: str) -> set[str]:
    """The item and parameter names of a structured-field list, lower-cased.

    ``"prefetch;prerender, other;x=1"`` gives ``{"prefetch", "prerender", "other",
    "x"}``. Deliberately forgiving rather than an RFC 8941 parser: a malformed value
    still yields its tokens (a strict parser would reject it, and the prefetch would
    be counted). Quotes around an item are dropped; parameter values are ignored.
    """
    tokens: set[str] = set()
    for member in header_value.split(","):
        for part in member.split(";"):
            name = part.split("=", 1)[0].strip().strip('"').lower()
            if name:
                tokens.add(name)
    return tokens


class _CrawlerDetector(Protocol):
    """The one method of crawlerdetect.CrawlerDetect used here (it ships no types)."""

    def is_crawler(self, user_agent: str | None = None) -> bool: ...


@cache
def _crawler_detector() -> _CrawlerDetector:
    # Imported here, not at the top, so that importing this module (and answering a
    # HEAD or a prefetch) does not load crawlerdetect. Construction is cheap and
    # idempotent (one invocation at a time per process, as on Lambda). The patterns
    # compile once per process, on the first check (a
    # module-level cache in crawlerdetect), and each detector keeps an LRU of the
    # last 1024 User-Agents it has seen, so repeated visitors cost a dict lookup.
    from crawlerdetect import CrawlerDetect

    detector: _CrawlerDetector = CrawlerDetect()
    return detector
