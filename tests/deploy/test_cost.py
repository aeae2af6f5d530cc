"""The cost estimate: hand-computed figures, free tier, both profiles, the prices file."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from deploy import cost
from deploy.cost import Assumptions, Traffic
from sam_template.document import load_template, resources_of_type

ONE_MILLION_REDIRECTS = Traffic(links_created=0, redirects=1_000_000, page_views=0)


@pytest.fixture(scope="module")
def book() -> cost.PriceBook:
    return cost.load_prices()


def by_key(result: cost.Estimate) -> dict[str, cost.Line]:
    return {line.line_key: line for line in result.lines}


def test_one_million_redirects_at_list_prices(book):
    lines = by_key(cost.estimate(ONE_MILLION_REDIRECTS, book))

    assert lines["http_api_requests"].list_cost == Decimal("1.00")
    assert lines["lambda_requests"].list_cost == Decimal("0.20")
    # 1M x 20 ms x 0.5 GB = 10,000 GB-s at $0.0000133334
    assert lines["lambda_arm64_gb_seconds"].quantity == Decimal(10_000)
    assert lines["lambda_arm64_gb_seconds"].list_cost == Decimal("0.133334")
    assert lines["dynamodb_write_request_units"].list_cost == Decimal("0.625")
    assert lines["dynamodb_read_request_units"].quantity == 0
    assert lines["cloudfront_https_requests"].list_cost == Decimal("1.00")
    # A click runs no CloudFront Function (template.yaml: the short links' behaviour).
    assert lines["cloudfront_function_invocations"].quantity == 0
    # 1M x what a click logs
    logged = Assumptions().redirect_log_bytes * 1_000_000
    assert lines["cloudwatch_logs_ingestion_gb"].quantity == Decimal(logged) / cost.GIB


def test_creating_and_managing_run_the_cloudfront_function(book):
    lines = by_key(cost.estimate(Traffic(1_000, 0, 500), book))

    assert lines["cloudfront_function_invocations"].quantity == 1_000 + 500


def test_the_waf_costs_its_fees_and_every_request_to_the_distribution_only_when_on(book):
    traffic = Traffic(1_000, 1_000_000, 1_000)
    assumptions = Assumptions(page_requests=10)
    off = by_key(cost.estimate(traffic, book, assumptions))
    on = by_key(cost.estimate(traffic, book, dataclasses.replace(assumptions, waf=1)))

    assert not cost.OPTIONAL & off.keys()
    assert on["waf_web_acl_month"].list_cost == Decimal("5.00")
    assert on["waf_rule_month"].list_cost == Decimal("1.00")
    # Pages (10 objects each), creations, clicks and the page's own API calls.
    assert on["waf_requests"].quantity == 1_000 * 10 + 1_000 + 1_000_000 + 1_000
    assert cost.cost_per_million_redirects(
        book, dataclasses.replace(assumptions, waf=1)
    ) - cost.cost_per_million_redirects(book, assumptions) == Decimal("0.60")


def test_creation_costs_three_writes_its_index_entry_and_one_api_call(book):
    lines = by_key(cost.estimate(Traffic(1_000_000, 0, 0), book))

    # The address's and the stack's rate counters, the link (an IPv4 client), and its
    # entry in ListIndex (template.yaml: one index, which every link item is in).
    assert lines["dynamodb_write_request_units"].quantity == 4_000_000
    assert lines["http_api_requests"].quantity == 1_000_000
    assert lines["lambda_requests"].quantity == 1_000_000


def test_an_owned_link_costs_its_transaction_and_its_owners_listing_entry(book):
    owned = Assumptions(owned_links_percent=100)

    lines = by_key(cost.estimate(Traffic(1_000_000, 0, 0), book, owned))

    # The key's rate counter; the link and its listing entry, a transaction (2 units an
    # item: tests/integration/test_owned_links.py sees the calls); and both index entries.
    assert lines["dynamodb_write_request_units"].quantity == 7_000_000


def test_page_view_pays_cloudfront_for_every_object_and_the_api_for_its_calls(book):
    assumptions = Assumptions(page_requests=10, api_calls_per_page_view=2)
    lines = by_key(cost.estimate(Traffic(0, 0, 1_000), book, assumptions))

    assert lines["cloudfront_https_requests"].quantity == 1_000 * 10 + 2_000
    assert lines["http_api_requests"].quantity == 2_000
    assert lines["dynamodb_read_request_units"].quantity == 2_000
    assert lines["dynamodb_write_request_units"].quantity == 0


def test_money_rounds_half_up_to_cents():
    assert cost.money(Decimal("0.625")) == "$0.63"
    assert cost.money(Decimal("1234.5")) == "$1,234.50"
    assert cost.money(Decimal("0.133334"), cost.UNIT_PLACES) == "$0.1333"


def test_always_free_tier_is_subtracted(book):
    lines = by_key(cost.estimate(ONE_MILLION_REDIRECTS, book))

    assert lines["lambda_requests"].cost_with_free_tier == 0  # 1M free requests
    assert lines["lambda_arm64_gb_seconds"].cost_with_free_tier == 0  # 400,000 GB-s free
    assert lines["cloudfront_https_requests"].cost_with_free_tier == 0  # 10M free
    # the HTTP API's free million is a 12-month offer: not counted by default
    assert lines["http_api_requests"].cost_with_free_tier == Decimal("1.00")
    assert lines["dynamodb_write_request_units"].cost_with_free_tier == Decimal("0.625")


def test_free_tier_covers_only_its_amount(book):
    lines = by_key(cost.estimate(Traffic(0, 3_000_000, 0), book))

    assert lines["lambda_requests"].free_quantity == 1_000_000
    assert lines["lambda_requests"].cost_with_free_tier == Decimal("0.40")


def test_first_year_adds_the_twelve_month_offers(book):
    lines = by_key(cost.estimate(ONE_MILLION_REDIRECTS, book, first_year=True))

    assert lines["http_api_requests"].cost_with_free_tier == 0


def test_shared_logs_allowance_is_spent_once(book):
    # 10 GB ingested, 10 GB stored: 5 free GB in all, all of it on ingestion
    quantities = {
        "cloudwatch_logs_ingestion_gb": Decimal(10),
        "cloudwatch_logs_storage_gb_month": Decimal(10),
    }
    free = cost.free_quantities(quantities, book, first_year=False)

    assert free["cloudwatch_logs_ingestion_gb"] == 5
    assert free["cloudwatch_logs_storage_gb_month"] == 0


def test_totals_add_up_and_free_tier_never_costs_more(book):
    for traffic in cost.PROFILES.values():
        result = cost.estimate(traffic, book)
        assert result.list_total == sum(line.list_cost for line in result.lines)
        assert 0 <= result.total_with_free_tier <= result.list_total
        assert all(line.cost_with_free_tier >= 0 for line in result.lines)


def test_without_traffic_only_what_the_stack_keeps_costs_anything(book):
    result = cost.estimate(Traffic(0, 0, 0), book)

    costing = {line.price.key for line in result.lines if line.list_cost}
    assert costing
    assert costing <= cost.FIXED


def test_the_alarms_and_secrets_priced_are_the_ones_the_template_declares():
    # A month's fixed cost counts them: one added to template.yaml must be priced too.
    template = load_template()
    assumed = Assumptions()

    assert assumed.alarms == len(resources_of_type(template, "AWS::CloudWatch::Alarm"))
    assert assumed.secrets == len(resources_of_type(template, "AWS::SecretsManager::Secret"))


def test_cost_per_million_redirects_is_in_a_sane_band(book):
    per_million = cost.cost_per_million_redirects(book)

    # API $1 + Lambda ~$0.33 + one write $0.625 at least; CloudFront and logs on top
    assert Decimal("2.00") < per_million < Decimal("5.00")
    keys = {line.price.key for line in cost.redirect_cost_lines(book)}
    assert "secrets_manager_secret_month" not in keys
    assert "dynamodb_read_request_units" not in keys


def test_longer_redirects_cost_more(book):
    slow = cost.cost_per_million_redirects(book, Assumptions(redirect_ms=200))

    assert slow - cost.cost_per_million_redirects(book) == Decimal("1.200006")


def test_usage_past_the_first_tier_is_flagged(book):
    lines = by_key(cost.estimate(Traffic(0, 400_000_000, 0), book))

    assert lines["http_api_requests"].beyond_first_tier
    assert not lines["lambda_requests"].beyond_first_tier


@pytest.mark.parametrize("profile", sorted(cost.PROFILES))
@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_each_profile_renders(profile, output_format, capsys):
    assert cost.main(["--profile", profile, "--format", output_format]) == 0

    out = capsys.readouterr().out
    assert out.startswith(("#### " if output_format == "markdown" else "") + profile)
    for service in ("API Gateway", "Lambda", "DynamoDB", "S3", "CloudFront", "CloudWatch"):
        assert service in out
    assert "Secrets Manager" in out
    assert "Cost per million redirects" in out
    # Whoever reads a price must learn how old it is: the date of the prices file.
    assert f"checked {cost.load_prices().checked}" in out


def test_markdown_table_is_well_formed(capsys):
    cost.main(["--profile", "small-team", "--format", "markdown"])

    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("|")]
    lines = cost.usage(cost.PROFILES["small-team"], Assumptions())
    shown = len(lines) - len(cost.OPTIONAL)  # the WAF is off
    assert len(rows) == 2 + shown + 1  # header, rule, lines, total
    assert {row.count("|") for row in rows} == {7}


def test_output_is_deterministic(capsys):
    cost.main(["--format", "text"])
    first = capsys.readouterr().out
    cost.main(["--format", "text"])

    assert capsys.readouterr().out == first
    assert "small-team" in first
    assert "100m-redirects" in first


def test_the_total_row_shows_the_estimates_totals(capsys, book):
    cost.main(["--profile", "small-team", "--format", "markdown"])
    result = cost.estimate(cost.PROFILES["small-team"], book)

    total_row = (
        f"| **total** | | | | **{cost.money(result.list_total)}** "
        f"| **{cost.money(result.total_with_free_tier)}** |"
    )
    assert total_row in capsys.readouterr().out.splitlines()


def test_custom_traffic_and_assumption_flags(capsys):
    cost.main(["--redirects", "1000000", "--redirect-ms", "40", "--format", "markdown"])

    out = capsys.readouterr().out
    assert out.startswith("#### custom: 0 links created, 1,000,000 redirects")
    assert "| 20,000 GB-seconds |" in out
    assert "redirect_ms=40" in out


def test_negative_counts_are_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cost.main(["--redirects", "-1"])

    assert exit_info.value.code == 2
    assert "must not be negative" in capsys.readouterr().err


def test_every_price_has_source_region_and_date():
    data = json.loads(cost.PRICES_PATH.read_text(encoding="utf-8"))

    assert data["region"] == "us-east-1"
    assert data["currency"] == "USD"
    assert re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", data["checked"]), data["checked"]
    for key, item in [*data["prices"].items(), *data["free_tier"].items()]:
        assert item["source"].startswith("https://aws.amazon.com/"), key
    for key, item in data["prices"].items():
        assert Decimal(item["price"]) > 0, key
        assert item["per"] in (1, 1000, 10_000, 1_000_000), key


def test_every_usage_line_has_a_price_and_every_price_a_line_and_every_free_allowance_a_price(
    book,
):
    lines = cost.usage(ONE_MILLION_REDIRECTS, Assumptions())

    assert {cost.price_key(line) for line in lines} == set(book.prices)
    assert set(cost.SHARED_PRICES) <= set(lines)
    for allowance in book.free_tier.values():
        assert set(allowance.applies_to) <= set(book.prices)


def test_a_free_allowance_for_an_unknown_price_is_refused(tmp_path: Path):
    data = json.loads(cost.PRICES_PATH.read_text(encoding="utf-8"))
    data["free_tier"]["nothing"] = {"amount": 1, "term": "always", "source": "https://x"}
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(ValueError, match="unknown prices"):
        cost.load_prices(path)


def test_click_analytics_adds_the_aggregators_measured_figures_per_click(book):
    assumed = Assumptions()
    lines = by_key(cost.estimate(Traffic(0, 2_000_000, 0), book))

    assert lines["click_stats_write_request_units"].quantity == (
        2 * assumed.click_stats_write_units_per_million
    )
    assert lines["click_stats_read_request_units"].quantity == (
        2 * assumed.click_stats_read_units_per_million
    )
    assert lines["click_stats_lambda_requests"].quantity == (
        2 * assumed.click_stats_invocations_per_million
    )
    assert lines["click_stats_lambda_gb_seconds"].quantity == (
        2 * assumed.click_stats_seconds_per_million * Decimal(assumed.click_stats_memory_mb) / 1024
    )
    # Billed at the memory the seconds were measured at, not the other functions'.
    bigger = by_key(
        cost.estimate(Traffic(0, 2_000_000, 0), book, Assumptions(click_stats_memory_mb=1024))
    )
    assert bigger["click_stats_lambda_gb_seconds"].quantity == (
        2 * assumed.click_stats_seconds_per_million
    )
    # The redirect's own write stays one unit a click: its click map keeps it under 1 KB.
    assert lines["dynamodb_write_request_units"].quantity == 2_000_000
    # Billed at DynamoDB's and Lambda's prices, under names of their own.
    assert lines["click_stats_write_request_units"].price.key == "dynamodb_write_request_units"
    assert lines["click_stats_write_request_units"].item == "on-demand writes, click stats"


def test_analytics_is_on_top_of_the_redirects_cost_and_not_in_it(book):
    redirect = cost.cost_per_million_redirects(book)
    analytics = cost.analytics_cost_per_million_clicks(book)
    every_click_line = [
        line
        for line in cost.estimate(ONE_MILLION_REDIRECTS, book).lines
        if line.line_key not in cost.FIXED
    ]

    assert {line.line_key for line in cost.analytics_cost_lines(book)} == cost.ANALYTICS
    assert not cost.ANALYTICS & {line.line_key for line in cost.redirect_cost_lines(book)}
    assert sum(line.list_cost for line in every_click_line) == redirect + analytics
    assert Decimal("0.10") < analytics < Decimal("1.00")
    none = Assumptions(
        click_stats_write_units_per_million=0,
        click_stats_read_units_per_million=0,
        click_stats_invocations_per_million=0,
        click_stats_seconds_per_million=0,
    )
    assert cost.analytics_cost_per_million_clicks(book, none) == 0
    assert cost.cost_per_million_redirects(book, none) == redirect


def test_click_stats_storage_is_a_share_of_the_links_kept_for_the_retention(book):
    gib = Decimal(1024**3)
    assumed = Assumptions(
        months_retained=12,
        links_clicked_per_day_percent=10,
        click_stats_item_bytes=1_000,
        click_stats_retention_days=400,
    )

    def stored(traffic: Traffic, assumptions: Assumptions = assumed) -> Decimal:
        lines = by_key(cost.estimate(traffic, book, assumptions))
        assert lines["click_stats_pitr_gb_month"].quantity == (
            lines["click_stats_storage_gb_month"].quantity
        )
        return lines["click_stats_storage_gb_month"].quantity

    # 12,000 links kept, 10 % clicked a day: 1,200 day items a day, kept 400 days.
    assert stored(Traffic(1_000, 3_000_000, 0)) == 1_200 * 400 * 1_000 / gib
    # Never more day items than clicks: 30,000 clicks a month, 1,000 a day.
    assert stored(Traffic(100_000, 30_000, 0)) == 1_000 * 400 * 1_000 / gib
    assert stored(Traffic(1_000, 0, 0)) == 0
    longer = dataclasses.replace(assumed, click_stats_retention_days=800)
    assert stored(Traffic(1_000, 3_000_000, 0), longer) == 2 * stored(Traffic(1_000, 3_000_000, 0))
    # Storage, not traffic: no part of the cost per click.
    assert {"click_stats_storage_gb_month", "click_stats_pitr_gb_month"} <= cost.FIXED


def test_the_retention_priced_is_the_templates_default():
    template = load_template()

    assert (
        Assumptions().click_stats_retention_days
        == (template["Parameters"]["ClickStatsRetentionDays"]["Default"])
    )


def test_a_free_allowance_is_shared_by_every_line_at_its_price(book):
    lines = by_key(cost.estimate(ONE_MILLION_REDIRECTS, book))

    # The API's million requests use up Lambda's free million; the aggregator's pay.
    assert lines["lambda_requests"].free_quantity == 1_000_000
    assert lines["click_stats_lambda_requests"].free_quantity == 0
    assert lines["click_stats_lambda_requests"].cost_with_free_tier > 0

    half = by_key(cost.estimate(Traffic(0, 500_000, 0), book))
    assert half["click_stats_lambda_requests"].cost_with_free_tier == 0
    assert (
        half["lambda_requests"].free_quantity + half["click_stats_lambda_requests"].free_quantity
        <= 1_000_000
    )


def test_the_notes_say_what_analytics_adds_per_click_and_where_the_figures_come_from(capsys):
    cost.main(["--profile", "small-team"])

    out = capsys.readouterr().out
    (note,) = [line for line in out.splitlines() if line.startswith("Click analytics on top")]
    book = cost.load_prices()
    assert cost.money(cost.analytics_cost_per_million_clicks(book), cost.UNIT_PLACES) in note
    assert "docs/benchmarks.md" in note
    assert "click stats" in out


def test_a_viral_links_million_clicks_cost_the_aggregator_21_writers_a_window_at_worst(book):
    hot = cost.one_links_clicks(book, 10_000)
    ordinary = cost.one_links_clicks(book, 10)

    # 10,000 a second: 600,000 clicks a window, 5/3 windows a million; 21 writers, each
    # refused by every other at worst: 231 attempts a window, 2 write units and a read each.
    assert (hot.hot, hot.writers) == (True, 21)
    assert hot.write_units == pytest.approx(Decimal(1_000_000) / 600_000 * 231 * 2)
    # 10 a second: an ordinary link, one write a window of 600 clicks.
    assert (ordinary.hot, ordinary.writers) == (False, 1)
    assert ordinary.write_units == pytest.approx(Decimal(1_000_000) / 600 * 2)
    assert ordinary.read_units == pytest.approx(Decimal(1_000_000) / 600)
    assert hot.cost < ordinary.cost  # more clicks a window, fewer writes a click


def test_the_notes_price_a_viral_link_at_both_rates(capsys):
    cost.main(["--profile", "small-team", "--format", "markdown"])
    out = capsys.readouterr().out

    assert "One link's clicks, per million: the redirect's $3.23 at 10,000 a second" in out
    assert "Spreading a link costs 42 write units once" in out
