"""What a million redirects cost, from the project's own cost model (`python -m deploy cost`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bench.report import Metric, Section, markdown_table
from deploy.cost import (
    UNIT_PLACES,
    Assumptions,
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


def measure() -> CostResult:
    book = load_prices()
    return CostResult(
        total=cost_per_million_redirects(book),
        lines=[
            (line.price.service, line.price.item, line.list_cost)
            for line in redirect_cost_lines(book)
        ],
        prices=f"{book.region}, {book.currency}, checked {book.checked}",
        assumptions=Assumptions(),
    )


def metrics(result: CostResult) -> list[Metric]:
    return [Metric("cost per million redirects", float(result.total), money(result.total))]


def section(result: CostResult) -> Section:
    rows = [[service, item, money(cost, UNIT_PLACES)] for service, item, cost in result.lines]
    rows.append(["**total**", "", f"**{money(result.total, UNIT_PLACES)}**"])
    table = markdown_table(["service", "item", "per million redirects"], rows, right_aligned=(2,))
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
""",
    )
