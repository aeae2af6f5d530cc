"""What a million redirects cost, from the project's own cost model (`python -m deploy cost`),
and what click analytics adds on top of each million clicks."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bench.report import Metric, Section, markdown_table
from deploy.cost import (
    UNIT_PLACES,
    Assumptions,
    analytics_cost_lines,
    analytics_cost_per_million_clicks,
    cost_per_million_redirects,
    load_prices,
    money,
    redirect_cost_lines,
)


@dataclass(frozen=True)
class CostResult:
    total: Decimal
    lines: list[tuple[str, str, Decimal]]  # service, item, cost
    prices: str  # region, currency and date of the price list
    assumptions: Assumptions
    analytics_total: Decimal = Decimal(0)
    analytics_lines: list[tuple[str, str, Decimal]] = field(default_factory=list)


def measure() -> CostResult:
    book = load_prices()
    return CostResult(
        total=cost_per_million_redirects(book),
        lines=[
            (line.price.service, line.item, line.list_cost) for line in redirect_cost_lines(book)
        ],
        prices=f"{book.region}, {book.currency}, checked {book.checked}",
        assumptions=Assumptions(),
        analytics_total=analytics_cost_per_million_clicks(book),
        analytics_lines=[
            (line.price.service, line.item, line.list_cost) for line in analytics_cost_lines(book)
        ],
    )


def metrics(result: CostResult) -> list[Metric]:
    return [
        Metric("cost per million redirects", float(result.total), money(result.total)),
        Metric(
            "click analytics on top, per million clicks (the cost model's assumptions)",
            float(result.analytics_total),
            money(result.analytics_total),
        ),
    ]


def section(result: CostResult) -> Section:
    rows = [[service, item, money(cost, UNIT_PLACES)] for service, item, cost in result.lines]
    rows.append(["**total**", "", f"**{money(result.total, UNIT_PLACES)}**"])
    table = markdown_table(["service", "item", "per million redirects"], rows, right_aligned=(2,))
    analytics = [
        [service, item, money(cost, UNIT_PLACES)] for service, item, cost in result.analytics_lines
    ]
    analytics.append(["**total**", "", f"**{money(result.analytics_total, UNIT_PLACES)}**"])
    analytics_table = markdown_table(
        ["service", "item", "per million clicks"], analytics, right_aligned=(2,)
    )
    assumed = result.assumptions
    return Section(
        "Cost per million redirects",
        f"""
From deploy/cost.py (`python -m deploy cost`), list prices ({result.prices}), only the
lines that grow with redirects, with the cost model's default assumptions:

{table}

The model assumes {assumed.redirect_ms} ms per redirect at {assumed.memory_mb} MB and
{assumed.redirect_log_bytes} bytes of logs per click (the handler's metrics line and the
API's access log line; Lambda's START and REPORT lines are off); the warm part above
measures them.

Click analytics adds, per million clicks (the aggregator: its DynamoDB writes and reads,
its Lambda invocations and time):

{analytics_table}

The cost model takes these from assumptions set from the aggregator's mid-day run
(`click_stats_write_units_per_million` {assumed.click_stats_write_units_per_million:,},
`click_stats_read_units_per_million` {assumed.click_stats_read_units_per_million:,},
`click_stats_invocations_per_million` {assumed.click_stats_invocations_per_million:,},
`click_stats_seconds_per_million` {assumed.click_stats_seconds_per_million:,}); the
aggregator part above measures them, and a difference between the two is a reason to
update deploy/cost.py.
""",
    )
