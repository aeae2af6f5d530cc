"""The bench's pure parts: statistics, targets and verdicts, and the Markdown it writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.report import (
    MET,
    MISSED,
    NO_TARGET,
    NOT_MEASURED,
    Comparison,
    Metric,
    Report,
    Section,
    Target,
    markdown_table,
    megabytes,
    milliseconds,
    render_markdown,
)
from bench.stats import median, percentile, ratio


def test_median_of_odd_and_even_counts():
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_percentiles_interpolate_between_samples():
    samples = [float(n) for n in range(1, 101)]  # 1..100

    assert percentile(samples, 50) == pytest.approx(50.5)
    assert percentile(samples, 99) == pytest.approx(99.01)
    assert percentile(samples, 1) == pytest.approx(1.99)


def test_the_p50_is_the_median():
    samples = [5.0, 1.0, 9.0, 2.0, 7.0]

    assert percentile(samples, 50) == median(samples) == 5.0


def test_one_sample_is_every_percentile_of_itself():
    assert percentile([4.2], 99) == 4.2


@pytest.mark.parametrize("percent", [0, 100])
def test_percentiles_outside_1_to_99_are_refused(percent):
    with pytest.raises(ValueError, match=r"1\.\.99"):
        percentile([1.0, 2.0], percent)


def test_no_samples_have_no_statistics():
    with pytest.raises(ValueError, match="no samples"):
        median([])
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


def test_a_ratio_is_measured_over_baseline():
    assert ratio(0.3, 0.2) == pytest.approx(1.5)


def test_a_ratio_to_nothing_is_refused():
    with pytest.raises(ValueError, match="positive"):
        ratio(1.0, 0.0)


@pytest.mark.parametrize(
    ("target", "value", "met"),
    [
        (Target(Comparison.AT_MOST, 1.3), 1.3, True),
        (Target(Comparison.AT_MOST, 1.3), 1.31, False),
        (Target(Comparison.BELOW, 15_000_000), 14_999_999, True),
        (Target(Comparison.BELOW, 15_000_000), 15_000_000, False),
        (Target(Comparison.EQUAL, 1), 1, True),
        (Target(Comparison.EQUAL, 1), 2, False),
        (Target(Comparison.EQUAL, 1), 0, False),
    ],
)
def test_targets_are_met_on_their_side_of_the_limit(target, value, met):
    assert target.met_by(value) is met


def test_targets_read_as_comparison_and_limit():
    assert str(Target(Comparison.AT_MOST, 1.15)) == "≤ 1.15"
    assert str(Target(Comparison.BELOW, 15_000_000, "15 MB")) == "< 15 MB"


def test_a_metric_says_whether_it_met_its_target():
    target = Target(Comparison.AT_MOST, 1.6)

    assert Metric("shorten", 1.5, "1.50", target).verdict == MET
    assert Metric("shorten", 1.7, "1.70", target).verdict == MISSED
    assert Metric("links", 1.7, "1.70").verdict == NO_TARGET
    assert Metric("layer", None, "not built", target).verdict == NOT_MEASURED


def test_a_table_escapes_pipes_and_aligns_number_columns_right():
    table = markdown_table(["name", "ms"], [["a|b", "12"]], right_aligned=(1,))

    assert table.splitlines() == ["| name | ms |", "| --- | ---: |", "| a\\|b | 12 |"]


def test_a_row_with_a_missing_cell_is_refused():
    with pytest.raises(ValueError, match="one cell per header"):
        markdown_table(["a", "b"], [["only one"]])


def test_durations_and_sizes_read_with_sensible_precision():
    assert milliseconds(0.00285) == "2.85 ms"
    assert milliseconds(0.0314) == "31.4 ms"
    assert milliseconds(0.3124) == "312 ms"
    assert megabytes(14_250_000) == "14.25 MB"


def test_the_report_has_date_machine_command_table_sections_and_warnings():
    report = Report(
        generated_at=datetime(2026, 11, 21, 18, 5, tzinfo=UTC),
        machine=[("CPU", "Test CPU, 2 cores (x86_64)"), ("Python", "CPython 3.13.0")],
        command="python -m bench --cold-runs 3",
        metrics=[
            Metric("cold start: redirect", 1.42, "1.42", Target(Comparison.AT_MOST, 1.3)),
            Metric("cost per million redirects", 3.7, "$3.70"),
        ],
        sections=[Section("Cold start", "details here")],
        how_to_read="ratios, not milliseconds",
        warnings=["a smoke run"],
    )

    markdown = render_markdown(report)

    assert markdown.startswith("# Benchmarks\n")
    # How to make a smoke run, and that it leaves the file alone, before any figure.
    assert "`make bench BENCH_ARGS=" in markdown.split("| metric")[0]
    assert "- Date: 2026-11-21 18:05 UTC" in markdown
    assert "- CPU: Test CPU, 2 cores (x86_64)" in markdown
    assert "- Command: `python -m bench --cold-runs 3`" in markdown
    assert "> **Warning:** a smoke run" in markdown
    assert "| metric | measured | target | met? |" in markdown
    assert "| cold start: redirect | 1.42 | ≤ 1.3 | **no** |" in markdown
    assert "| cost per million redirects | $3.70 | - | - |" in markdown
    assert "## Cold start\n\ndetails here" in markdown
    assert markdown.index("## Cold start") < markdown.index("## How to read this")
