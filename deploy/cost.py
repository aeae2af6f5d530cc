"""`python -m deploy cost`: what the stack costs a month for a traffic profile.

Pure arithmetic over deploy/prices.json (one file with region, sources and date) and the
design's requests per operation (docs/architecture.md, "Data model"):

- creating a link: 1 HTTP API request, 1 Lambda invocation, 3 DynamoDB writes (the
  client's and the stack's rate counters, `UpdateItem`s, and the conditional `PutItem`;
  an IPv6 client's /56 and /48 add two), and 1 write of the table's one index, ListIndex
  (the operators' listing: the link's keys and host, well under 1 KB). A link made with an
  API key writes the link and its owner's listing entry in one transaction instead: 1
  counter write, 4 for the transaction (2 per item) and 2 index writes, 7 in all against
  4 (`owned_links_percent`). No click writes the index: DynamoDB writes an index entry
  only when an attribute it holds changes, and it holds nothing a click changes;
- a redirect: 1 HTTP API request, 1 Lambda invocation, 1 `UpdateItem` (~1 WRU: a link item
  is well under 1 KB, and `ReturnValues` costs nothing more), and what it logs: its
  metrics line and the API's access log line (tests/integration/test_redirect_logs.py
  measures both against `redirect_log_bytes`), no Lambda START/REPORT lines;
- a page view: CloudFront requests for index.html, config.json and the assets (S3 only on a
  cache miss), plus the API calls the page makes (`GET /links/{id}`: 1 strongly consistent
  `GetItem`, 1 RRU);
- click analytics, on top of each click (lines "..., click stats"): the aggregator
  (ClickStatsFunction) reads the table's stream for free (GetRecords calls made by Lambda
  are not charged) and writes one item per link and UTC day clicked in each window, a
  strongly consistent `GetItem` and a `PutItem` billed on the whole item; its write and
  read units, invocations and billed seconds per million clicks are what `make bench`
  measured (bench/aggregator.py, docs/benchmarks.md "Click aggregator"), kept here as
  assumptions. They hold for that workload (1,000 clicks a second over 10,000 links, at
  mid-day, when each link's day item is near its largest): a link clicked less often per
  window is written more often per click, up to a read and a whole-item write (1 or 2
  write units) for every click. The day items stay `click_stats_retention_days` (the
  template's ClickStatsRetentionDays) and are priced as storage and point-in-time
  recovery. The redirect's own `click` map
  keeps a link item under 1 KB (bench: the redirect's UpdateItem is 1 write unit; the
  largest click on a 100-character target is measured in tests/unit/test_click_facts.py),
  so a click's write stays one unit. The day's visitor key (one UpdateItem per redirect
  environment and day, a few hundred bytes kept a day) and the aggregator's daily run
  (a Query and a DeleteItem) cost fractions of a cent a month: not priced.

Every API call passes CloudFront first (one domain), so it also pays a CloudFront request;
creating and managing links also run the viewer-request function, a click does not.
With `--waf`, AWS WAF's web ACL (WafRateLimitPerClient) adds its monthly fees and a
charge per request it inspects: every request to the distribution. Money is `Decimal`
throughout, rounded half-up only when shown. Nothing here reads the clock: the output
changes only with the prices file.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

PRICES_PATH = Path(__file__).with_name("prices.json")
GIB = Decimal(1024**3)  # AWS bills storage and transfer in binary gigabytes
MILLION = Decimal(1_000_000)
CENTS = Decimal("0.01")
UNIT_PLACES = Decimal("0.0001")  # per-million unit values
TERM_ALWAYS = "always"


@dataclass(frozen=True)
class Price:
    key: str
    item: str
    service: str
    description: str
    price: Decimal
    per: Decimal
    unit: str
    source: str
    first_tier_limit: Decimal | None = None

    def cost(self, quantity: Decimal) -> Decimal:
        return quantity * self.price / self.per

    def label(self) -> str:
        if self.per == 1:
            return f"${self.price} per {self.unit.removesuffix('s')}"
        return f"${self.price} per {_count(self.per)} {self.unit}"


@dataclass(frozen=True)
class FreeAllowance:
    key: str
    amount: Decimal
    term: str
    applies_to: tuple[str, ...]


@dataclass(frozen=True)
class PriceBook:
    region: str
    currency: str
    checked: str
    basis: str
    prices: Mapping[str, Price]
    free_tier: Mapping[str, FreeAllowance]


def load_prices(path: Path = PRICES_PATH) -> PriceBook:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    prices = {
        key: Price(
            key=key,
            item=item["item"],
            service=item["service"],
            description=item["description"],
            price=Decimal(item["price"]),
            per=Decimal(item["per"]),
            unit=item["unit"],
            source=item["source"],
            first_tier_limit=(
                Decimal(item["first_tier_limit"]) if "first_tier_limit" in item else None
            ),
        )
        for key, item in data["prices"].items()
    }
    free_tier = {
        key: FreeAllowance(
            key=key,
            amount=Decimal(item["amount"]),
            term=item["term"],
            applies_to=tuple(item.get("applies_to", [key])),
        )
        for key, item in data["free_tier"].items()
    }
    for allowance in free_tier.values():
        unknown = set(allowance.applies_to) - prices.keys()
        if unknown:
            raise ValueError(f"free tier {allowance.key!r} names unknown prices {sorted(unknown)}")
    return PriceBook(
        region=data["region"],
        currency=data["currency"],
        checked=data["checked"],
        basis=data["basis"],
        prices=prices,
        free_tier=free_tier,
    )


@dataclass(frozen=True)
class Traffic:
    """What happens in a month."""

    links_created: int
    redirects: int
    page_views: int


@dataclass(frozen=True)
class Assumptions:
    """What the estimate cannot know; each becomes a `--flag` of the command."""

    shorten_ms: int = 60  # POST /shorten: validation, three writes
    redirect_ms: int = 20  # GET /{shortId}: one UpdateItem
    lookup_ms: int = 20  # GET /links/{shortId}: one GetItem
    memory_mb: int = 512  # template.yaml Globals
    # A counted click's metrics line and its access log line, with CloudWatch's 26 bytes
    # per log event (tests/integration/test_redirect_logs.py measures them: must not exceed).
    redirect_log_bytes: int = 450
    # Other requests: their metrics and log lines and the access log line.
    log_bytes_per_request: int = 1200
    log_retention_days: int = 30  # template.yaml LogRetentionInDays default
    page_requests: int = 20  # index.html, config.json and web/assets on a first visit
    page_weight_kb: int = 30  # compressed bytes of those, as transferred
    api_calls_per_page_view: int = 1  # the page's GET /links/{id} for "my links"
    redirect_response_bytes: int = 600  # a 30x with security headers and no body
    api_response_bytes: int = 1000  # a JSON answer of /shorten or /links
    link_item_bytes: int = 300  # ~200 bytes of attributes + DynamoDB's 100 per item
    months_retained: int = 12  # links kept in the table: a year of creations
    # ListIndex: its entry of each link (keys, `created`, `host`), with DynamoDB's 100 bytes.
    index_entry_bytes: int = 250
    # Links created with an API key, owned (a transaction and a second index entry each).
    owned_links_percent: int = 0
    cache_miss_percent: int = 5  # page requests that reach S3
    site_bytes: int = 150_000  # web/ in the bucket
    # EMF metrics x dimension values: 8, and click analytics' 6 (ClickReports,
    # StreamRecords, StreamRecordsSkipped, ClickDaysWritten, VisitorKeysForgotten, and the
    # aggregator's ColdStart).
    custom_metrics: int = 14
    # Errors and throttles of the five HTTP functions; 5xx; p99; DynamoDB; the creation
    # ceiling; click stats x2.
    alarms: int = 16
    secrets: int = 2  # token sealing, origin verify
    waf: int = 0  # 1: the optional per-client rate limit's web ACL (WafRateLimitPerClient)
    # Click analytics, per million clicks: the aggregator's figures from bench/aggregator.py
    # (docs/benchmarks.md, "Click aggregator"), its mid-day run with the deployed settings:
    # 10,000 links, Zipf s = 1, 1,000 clicks/s, one stream shard, each link's day item
    # past 1 KB (2 write units a write), each link written once a window. Units and
    # invocations are counts (DynamoDB Local's reported capacity, equal to AWS's item-size
    # rules; the same every run); seconds are billed Lambda time at the template's
    # 1,769 MB (one vCPU) estimated from the wall clock and CPU time measured on a 2-core
    # x86 machine (noisy, about +-15 % run to run). Measured 2026-12-03 18:08 UTC.
    click_stats_write_units_per_million: int = 244_067
    click_stats_read_units_per_million: int = 122_033
    click_stats_invocations_per_million: int = 1_017
    click_stats_seconds_per_million: int = 797
    # The memory those seconds were measured at (billed GB-seconds are seconds x memory):
    # the template's ClickStatsFunction MemorySize; make bench reads it from there.
    click_stats_memory_mb: int = 1_769
    # Its storage: one item per link and UTC day with clicks. A guess, not a measurement:
    # of the links kept (months_retained of creations), the share clicked on a given day
    # (never more link-days than clicks).
    links_clicked_per_day_percent: int = 10
    # A day item with DynamoDB's 100 bytes of storage overhead, by AWS's item-size rules on
    # the bench's click mix: about 280 for a day of one click, 850 for 50, 1,100 to 1,700
    # for a busy link's (the bench's mid-day mean: 1,364).
    click_stats_item_bytes: int = 850
    click_stats_retention_days: int = 400  # template.yaml ClickStatsRetentionDays default


PROFILES: dict[str, Traffic] = {
    "small-team": Traffic(links_created=1_000, redirects=50_000, page_views=5_000),
    "100m-redirects": Traffic(links_created=100_000, redirects=100_000_000, page_views=1_000_000),
}

# Lines of an option that is off by default: shown only when it is on.
OPTIONAL = frozenset({"waf_web_acl_month", "waf_rule_month", "waf_requests"})

# Lines priced like another line's price, under an item name of their own (the click
# analytics' share of DynamoDB, Lambda and storage): line key -> (price key, item).
SHARED_PRICES: dict[str, tuple[str, str]] = {
    "click_stats_lambda_requests": ("lambda_requests", "requests, click stats"),
    "click_stats_lambda_gb_seconds": ("lambda_arm64_gb_seconds", "duration (arm64), click stats"),
    "click_stats_write_request_units": (
        "dynamodb_write_request_units",
        "on-demand writes, click stats",
    ),
    "click_stats_read_request_units": (
        "dynamodb_read_request_units",
        "on-demand reads, click stats",
    ),
    "click_stats_storage_gb_month": ("dynamodb_storage_gb_month", "table storage, click stats"),
    "click_stats_pitr_gb_month": ("dynamodb_pitr_gb_month", "point-in-time recovery, click stats"),
}

# What click analytics adds per click (on top of the redirect's own lines).
ANALYTICS = frozenset(
    {
        "click_stats_lambda_requests",
        "click_stats_lambda_gb_seconds",
        "click_stats_write_request_units",
        "click_stats_read_request_units",
    }
)

# Lines whose usage does not grow with traffic: left out of the cost per redirect.
FIXED = frozenset(
    {
        "dynamodb_storage_gb_month",
        "dynamodb_pitr_gb_month",
        "click_stats_storage_gb_month",
        "click_stats_pitr_gb_month",
        "s3_standard_storage_gb_month",
        "cloudwatch_custom_metric_month",
        "cloudwatch_alarm_month",
        "secrets_manager_secret_month",
        "waf_web_acl_month",
        "waf_rule_month",
    }
)


def price_key(line_key: str) -> str:
    """The price a line is billed at: its own key, or the one SHARED_PRICES names."""
    return SHARED_PRICES[line_key][0] if line_key in SHARED_PRICES else line_key


def usage(traffic: Traffic, assumptions: Assumptions) -> dict[str, Decimal]:
    """Monthly quantity of every line, in the unit of its price (price_key)."""
    a = assumptions
    creations = Decimal(traffic.links_created)
    redirects = Decimal(traffic.redirects)
    page_views = Decimal(traffic.page_views)
    lookups = page_views * a.api_calls_per_page_view
    api_calls = creations + redirects + lookups
    milliseconds = creations * a.shorten_ms + redirects * a.redirect_ms + lookups * a.lookup_ms
    page_requests = page_views * a.page_requests
    edge_requests = page_requests + api_calls
    bytes_out = (
        page_views * a.page_weight_kb * 1024
        + redirects * a.redirect_response_bytes
        + (creations + lookups) * a.api_response_bytes
    )
    owned = creations * a.owned_links_percent / 100
    # Each link's index entry, and each owned link's listing entry (an item and its entry).
    link_bytes = a.link_item_bytes + a.index_entry_bytes
    table_gb = a.months_retained * (creations * link_bytes + owned * 2 * a.index_entry_bytes) / GIB
    log_gb = (
        redirects * a.redirect_log_bytes + (creations + lookups) * a.log_bytes_per_request
    ) / GIB
    clicks_in_millions = redirects / MILLION  # every redirect counted as a click

    def per_click(per_million: int) -> Decimal:  # requests and units come whole
        return (clicks_in_millions * per_million).to_integral_value(ROUND_HALF_UP)

    gb = Decimal(a.memory_mb) / 1024
    # The day items kept: link-days a day (a share of the links kept, never more than the
    # day's clicks) for the retention's days; the steady state, reached after that long.
    links_kept = creations * a.months_retained
    link_days_a_day = min(redirects / 30, links_kept * a.links_clicked_per_day_percent / 100)
    stats_gb = link_days_a_day * a.click_stats_retention_days * a.click_stats_item_bytes / GIB
    return {
        "http_api_requests": api_calls,
        "lambda_requests": api_calls,
        "click_stats_lambda_requests": per_click(a.click_stats_invocations_per_million),
        "lambda_arm64_gb_seconds": gb * milliseconds / 1000,
        "click_stats_lambda_gb_seconds": Decimal(a.click_stats_memory_mb)
        / 1024
        * clicks_in_millions
        * a.click_stats_seconds_per_million,
        # Per creation: 2 counters, the link, its index entry; an owned one 3 more.
        "dynamodb_write_request_units": 4 * creations + 3 * owned + redirects,
        "click_stats_write_request_units": per_click(a.click_stats_write_units_per_million),
        "dynamodb_read_request_units": lookups,
        "click_stats_read_request_units": per_click(a.click_stats_read_units_per_million),
        "dynamodb_storage_gb_month": table_gb,
        "click_stats_storage_gb_month": stats_gb,
        "dynamodb_pitr_gb_month": table_gb,
        "click_stats_pitr_gb_month": stats_gb,
        "s3_standard_storage_gb_month": Decimal(a.site_bytes) / GIB,
        "s3_get_requests": page_requests * a.cache_miss_percent / 100,
        "cloudfront_data_out_gb": bytes_out / GIB,
        "cloudfront_https_requests": edge_requests,
        # Only /shorten and /links/* run it (template.yaml: not the short links).
        "cloudfront_function_invocations": creations + lookups,
        "cloudwatch_logs_ingestion_gb": log_gb,
        "cloudwatch_logs_storage_gb_month": log_gb * a.log_retention_days / 30,
        "cloudwatch_custom_metric_month": Decimal(a.custom_metrics),
        "cloudwatch_alarm_month": Decimal(a.alarms),
        "secrets_manager_secret_month": Decimal(a.secrets),
        "waf_web_acl_month": Decimal(a.waf),
        "waf_rule_month": Decimal(a.waf),
        "waf_requests": edge_requests * a.waf,
    }


@dataclass(frozen=True)
class Line:
    price: Price
    quantity: Decimal
    free_quantity: Decimal
    key: str = ""  # the line's own key, where it is not its price's (SHARED_PRICES)

    @property
    def line_key(self) -> str:
        return self.key or self.price.key

    @property
    def item(self) -> str:
        shared = SHARED_PRICES.get(self.line_key)
        return shared[1] if shared else self.price.item

    @property
    def list_cost(self) -> Decimal:
        return self.price.cost(self.quantity)

    @property
    def cost_with_free_tier(self) -> Decimal:
        return self.price.cost(self.quantity - self.free_quantity)

    @property
    def beyond_first_tier(self) -> bool:
        limit = self.price.first_tier_limit
        return limit is not None and self.quantity > limit


@dataclass(frozen=True)
class Estimate:
    traffic: Traffic
    assumptions: Assumptions
    lines: tuple[Line, ...]
    first_year: bool

    @property
    def list_total(self) -> Decimal:
        return sum((line.list_cost for line in self.lines), Decimal(0))

    @property
    def total_with_free_tier(self) -> Decimal:
        return sum((line.cost_with_free_tier for line in self.lines), Decimal(0))


def free_quantities(
    quantities: Mapping[str, Decimal], book: PriceBook, *, first_year: bool
) -> dict[str, Decimal]:
    """How much of each line the free tier covers; an allowance is spent in order over the
    prices it names, and over the lines billed at each (the click stats' Lambda requests
    share the account's free million with the API's)."""
    free = dict.fromkeys(quantities, Decimal(0))
    for allowance in book.free_tier.values():
        if allowance.term != TERM_ALWAYS and not first_year:
            continue
        left = allowance.amount
        for key in allowance.applies_to:
            for line_key in [line for line in quantities if price_key(line) == key]:
                covered = min(left, quantities[line_key] - free[line_key])
                free[line_key] += covered
                left -= covered
    return free


def estimate(
    traffic: Traffic,
    book: PriceBook,
    assumptions: Assumptions | None = None,
    *,
    first_year: bool = False,
) -> Estimate:
    chosen = assumptions or Assumptions()
    quantities = usage(traffic, chosen)
    free = free_quantities(quantities, book, first_year=first_year)
    # An option left off (WAF) shows no line rather than a row of zeros.
    lines = tuple(
        Line(book.prices[price_key(key)], quantities[key], free[key], key)
        for key in quantities
        if quantities[key] or key not in OPTIONAL
    )
    return Estimate(traffic, chosen, lines, first_year)


def _per_million_clicks(book: PriceBook, assumptions: Assumptions | None) -> list[Line]:
    one_million = estimate(Traffic(0, 1_000_000, 0), book, assumptions)
    return [line for line in one_million.lines if line.line_key not in FIXED and line.quantity]


def redirect_cost_lines(book: PriceBook, assumptions: Assumptions | None = None) -> list[Line]:
    """What one million redirects add to the bill: list prices, only what grows with clicks,
    without the click analytics on top (analytics_cost_lines)."""
    return [
        line for line in _per_million_clicks(book, assumptions) if line.line_key not in ANALYTICS
    ]


def cost_per_million_redirects(book: PriceBook, assumptions: Assumptions | None = None) -> Decimal:
    return sum((line.list_cost for line in redirect_cost_lines(book, assumptions)), Decimal(0))


def analytics_cost_lines(book: PriceBook, assumptions: Assumptions | None = None) -> list[Line]:
    """What click analytics adds to a million clicks (the aggregator's writes, reads and
    Lambda), on top of the redirect's own cost: list prices."""
    return [line for line in _per_million_clicks(book, assumptions) if line.line_key in ANALYTICS]


def analytics_cost_per_million_clicks(
    book: PriceBook, assumptions: Assumptions | None = None
) -> Decimal:
    return sum((line.list_cost for line in analytics_cost_lines(book, assumptions)), Decimal(0))


# A link that goes viral (docs/architecture.md, "A link that goes viral")

CLICK_SHARDS = 20  # domain/hot_links.py
CLICK_STATS_WINDOW_SECONDS = 60  # template.yaml ClickStatsWindowSeconds default


@dataclass(frozen=True)
class OneLinksClicks:
    """What a million clicks of ONE link cost at a steady rate, beyond the redirect's own
    $/million (the same for every click: one write unit on the link or on a shard)."""

    clicks_per_second: int
    hot: bool  # its clicks spread over click shards (from a quarter of 1,000 a second)
    windows: Decimal  # aggregator windows per million clicks
    writers: int  # day-item writes per window: 1, or up to one per item when hot
    write_units: Decimal  # the aggregator's, per million clicks
    read_units: Decimal
    cost: Decimal  # the aggregator's DynamoDB units at list prices, per million clicks


def one_links_clicks(book: PriceBook, clicks_per_second: int) -> OneLinksClicks:
    """The aggregator writes a link's day item once a window from every stream shard that
    holds one of its items. A hot link has 21 (its own and 20 click shards) that DynamoDB
    may place in as many stream shards: assumed here, the worst case, with each writer
    refused once by every other (a write, 2 units past 1 KB, and a strongly consistent
    read per attempt: K(K+1)/2 attempts for K writers)."""
    hot = clicks_per_second >= 250
    writers = CLICK_SHARDS + 1 if hot else 1
    attempts = Decimal(writers * (writers + 1) // 2)
    windows = Decimal(1_000_000) / (clicks_per_second * CLICK_STATS_WINDOW_SECONDS)
    writes, reads = windows * attempts * 2, windows * attempts
    prices = book.prices
    cost = prices["dynamodb_write_request_units"].cost(writes) + prices[
        "dynamodb_read_request_units"
    ].cost(reads)
    return OneLinksClicks(clicks_per_second, hot, windows, writers, writes, reads, cost)


SPREADING_WRITE_UNITS = 2 * (CLICK_SHARDS + 1)  # once per viral link: a transaction


def viral_link_note(book: PriceBook, assumptions: Assumptions) -> str:
    redirect = cost_per_million_redirects(book, assumptions)
    fast, slow = one_links_clicks(book, 10_000), one_links_clicks(book, 10)
    lambda_seconds = Decimal(assumptions.click_stats_seconds_per_million)
    spreading = book.prices["dynamodb_write_request_units"].cost(Decimal(SPREADING_WRITE_UNITS))
    return (
        f"One link's clicks, per million: the redirect's {money(redirect)} at 10,000 a second"
        f" as at 10 (every click one write unit, on the link's item or, while it is viral, on"
        f" one of its {CLICK_SHARDS} click shards), and the"
        f" aggregator's day-item writes: at 10,000 clicks a second (hot, up to"
        f" {fast.writers} writers a window) {fast.write_units:,.0f} write and"
        f" {fast.read_units:,.0f} read units, {money(fast.cost, UNIT_PLACES)}; at 10 a second"
        f" (an ordinary link) {slow.write_units:,.0f} and {slow.read_units:,.0f},"
        f" {money(slow.cost, UNIT_PLACES)}; the aggregator's Lambda time as above"
        f" ({lambda_seconds:,.0f} s a million clicks at most). Spreading a link costs"
        f" {SPREADING_WRITE_UNITS} write units once ({money(spreading, Decimal('0.00001'))});"
        f" an owner's change of it as many, a read of its details {CLICK_SHARDS} read units."
    )


# Rendering


def money(amount: Decimal, places: Decimal = CENTS) -> str:
    return f"${amount.quantize(places, rounding=ROUND_HALF_UP):,}"


def _count(number: Decimal) -> str:
    if number >= MILLION and number % MILLION == 0:
        return f"{number / MILLION:,.0f}M"
    return f"{number:,.0f}"


def quantity_text(quantity: Decimal, unit: str) -> str:
    if quantity == quantity.to_integral_value():
        return f"{quantity:,.0f} {unit}"
    return f"{quantity:,.4f} {unit}"


def _title(name: str, traffic: Traffic) -> str:
    return (
        f"{name}: {traffic.links_created:,} links created, {traffic.redirects:,} redirects, "
        f"{traffic.page_views:,} page views a month"
    )


def _rows(result: Estimate) -> list[list[str]]:
    rows = []
    for line in result.lines:
        mark = " (past first tier: upper bound)" if line.beyond_first_tier else ""
        rows.append(
            [
                line.price.service,
                line.item + mark,
                quantity_text(line.quantity, line.price.unit),
                line.price.label(),
                money(line.list_cost),
                money(line.cost_with_free_tier),
            ]
        )
    return rows


HEADERS = ["service", "item", "usage a month", "unit price", "list price", "with free tier"]
RIGHT_ALIGNED = {2, 3, 4, 5}


def _parts(lines: Iterable[Line]) -> str:
    return " + ".join(
        f"{line.price.service} {line.item} {money(line.list_cost, UNIT_PLACES)}" for line in lines
    )


def _notes(result: Estimate, book: PriceBook) -> list[str]:
    per_million = redirect_cost_lines(book, result.assumptions)
    parts = _parts(per_million)
    total = sum((line.list_cost for line in per_million), Decimal(0))
    analytics = analytics_cost_lines(book, result.assumptions)
    a = result.assumptions
    free_tier = (
        "always-free and 12-month offers (--first-year)"
        if result.first_year
        else "always-free offers only (add --first-year for the 12-month ones)"
    )
    defaults = Assumptions()
    changed = [
        f"{f.name}={getattr(result.assumptions, f.name)}"
        for f in dataclasses.fields(Assumptions)
        if getattr(result.assumptions, f.name) != getattr(defaults, f.name)
    ]
    return [
        f"Cost per million redirects (marginal, list prices): {money(total)} = {parts}.",
        "Click analytics on top, per million clicks: "
        f"{money(analytics_cost_per_million_clicks(book, a), UNIT_PLACES)} = "
        f"{_parts(analytics)}; the aggregator's figures measured by `make bench` at 1,000 "
        'clicks a second over 10,000 links, mid-day (docs/benchmarks.md, "Click aggregator"):'
        " fewer clicks per link and window cost more per click, up to a read and a whole-item"
        " write each."
        f" Click stats storage: {a.links_clicked_per_day_percent} % of the links kept clicked"
        f" a day, {a.click_stats_item_bytes:,} bytes a day item, kept"
        f" {a.click_stats_retention_days} days (the steady state once that long has passed).",
        viral_link_note(book, a),
        f"Free tier: {free_tier}.",
        f"Prices: {book.region}, {book.currency}, {book.basis} (deploy/prices.json).",
        "Assumptions: "
        + (", ".join(changed) if changed else "the defaults")
        + " (python -m deploy cost --help lists them).",
    ]


def render_markdown(name: str, result: Estimate, book: PriceBook) -> str:
    rows = _rows(result)
    align = ["---:" if i in RIGHT_ALIGNED else "---" for i in range(len(HEADERS))]
    lines = [f"#### {_title(name, result.traffic)}", ""]
    lines.append("| " + " | ".join(HEADERS) + " |")
    lines.append("| " + " | ".join(align) + " |")
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    lines.append(
        f"| **total** | | | | **{money(result.list_total)}** "
        f"| **{money(result.total_with_free_tier)}** |"
    )
    lines.append("")
    lines.extend(_notes(result, book))
    return "\n".join(lines) + "\n"


def render_text(name: str, result: Estimate, book: PriceBook) -> str:
    rows = [HEADERS, *_rows(result)]
    rows.append(["total", "", "", "", money(result.list_total), money(result.total_with_free_tier)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]

    def fmt(row: list[str]) -> str:
        cells = (
            cell.rjust(widths[i]) if i in RIGHT_ALIGNED else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        )
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    body = [fmt(rows[0]), rule, *(fmt(row) for row in rows[1:-1]), rule, fmt(rows[-1])]
    return "\n".join([_title(name, result.traffic), "", *body, "", *_notes(result, book)]) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown}


# Command line


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def parse_args(argv: Iterable[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m deploy cost",
        description="Monthly cost estimate of the stack for a traffic profile (list prices "
        "from deploy/prices.json).",
    )
    parser.add_argument(
        "--profile",
        choices=[*PROFILES, "all"],
        default="all",
        help="built-in traffic profile; 'all' (default) prints every one",
    )
    parser.add_argument("--links", type=int, help="links created a month (a custom profile)")
    parser.add_argument("--redirects", type=int, help="redirects a month (a custom profile)")
    parser.add_argument("--page-views", type=int, help="page views a month (a custom profile)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text")
    parser.add_argument(
        "--first-year",
        action="store_true",
        help="count the 12-month free tier offers too (accounts made before 2025-07-15)",
    )
    parser.add_argument("--prices", type=Path, default=PRICES_PATH, help=argparse.SUPPRESS)
    group = parser.add_argument_group("assumptions")
    for spec in dataclasses.fields(Assumptions):
        group.add_argument(_flag(spec.name), type=int, default=spec.default, metavar="N")
    arguments = parser.parse_args(list(argv))
    for count in ("links", "redirects", "page_views"):
        value = getattr(arguments, count)
        if value is not None and value < 0:
            parser.error(f"{_flag(count)} must not be negative")
    for spec in dataclasses.fields(Assumptions):
        if getattr(arguments, spec.name) < 0:
            parser.error(f"{_flag(spec.name)} must not be negative")
    return arguments


def profiles_to_show(arguments: argparse.Namespace) -> list[tuple[str, Traffic]]:
    custom = (arguments.links, arguments.redirects, arguments.page_views)
    if any(value is not None for value in custom):
        return [("custom", Traffic(*(value or 0 for value in custom)))]
    if arguments.profile == "all":
        return list(PROFILES.items())
    return [(arguments.profile, PROFILES[arguments.profile])]


def main(argv: Iterable[str] | None = None) -> int:
    arguments = parse_args(sys.argv[1:] if argv is None else argv)
    book = load_prices(arguments.prices)
    assumptions = Assumptions(
        **{spec.name: getattr(arguments, spec.name) for spec in dataclasses.fields(Assumptions)}
    )
    render = RENDERERS[arguments.format]
    outputs = [
        render(name, estimate(traffic, book, assumptions, first_year=arguments.first_year), book)
        for name, traffic in profiles_to_show(arguments)
    ]
    print("\n".join(outputs), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
