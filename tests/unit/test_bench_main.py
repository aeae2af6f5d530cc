"""`make bench` end to end without measuring: a smoke run prints, a full run writes.

The measuring parts are replaced by canned results (their own tests are in
test_bench_parts.py); everything else runs as `python -m bench` does.
"""

from __future__ import annotations

import shlex
import subprocess
from contextlib import nullcontext
from pathlib import Path

import pytest

import bench.__main__ as bench_main
from bench import aggregator, cold_start, round_trips, sizes, viral_link, warm
from bench.click_workload import Workload
from bench.redirect_logs import ClickLogs
from tests.conftest import REPO_ROOT
from tests.unit.test_bench_aggregator import scenario_result
from tests.unit.test_bench_parts import cold_result

MEASURED = "# Benchmarks\n\nfigures from a full run\n"


@pytest.fixture
def nothing_measured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every part answers at once with made-up figures; no process, no DynamoDB."""
    timings = warm.Timings([0.002] * 3, [0.001] * 3)
    warm_result = warm.WarmResult(
        iterations=3,
        batch_size=1,
        warm_up=0,
        handler=timings,
        repository=timings,
        raw=timings,
        stdout_bytes_per_redirect=250,
        update_parameters={},
        logs=ClickLogs(handler_bytes=200, handler_lines=1, access_log_bytes=170),
    )
    monkeypatch.setattr(
        cold_start, "measure", lambda *_: cold_result([0.2, 0.2, 0.2], [0.25, 0.25, 0.25])
    )
    monkeypatch.setattr(bench_main, "handlers_on_dynamodb_local", nullcontext)
    monkeypatch.setattr(round_trips, "measure", lambda: round_trips.RoundTripResult([], "abc1234"))
    monkeypatch.setattr(warm, "measure", lambda *_, **__: warm_result)
    clicks = aggregator.AggregatorResult(Workload(), 512, 60.0, 200, 60, 1_000, [scenario_result()])
    monkeypatch.setattr(aggregator, "measure", lambda *_, **__: clicks)
    monkeypatch.setattr(viral_link, "measure", lambda *_, **__: viral_run())
    monkeypatch.setattr(sizes, "BUILD_DIR", tmp_path / "no-build")


def viral_run() -> viral_link.ViralRun:
    hot = viral_link.LinkLoad(["viral01"], sent=100, counted=100, in_analytics=100)
    hot.statuses[302], hot.latencies = 100, [0.01] * 100
    cold = viral_link.LinkLoad(["calm001"], sent=20, counted=20, in_analytics=20)
    cold.statuses[302], cold.latencies = 20, [0.01] * 20
    return viral_link.ViralRun(viral_link.Load(seconds=1), hot, cold, 1.0, shard_writes=[5] * 20)


@pytest.mark.parametrize(
    ("arguments", "smoke"),
    [
        ([], False),
        (["--cold-runs", "15", "--warm-iterations", "1000"], False),
        (["--cold-runs", "14"], True),
        (["--warm-iterations", "999"], True),
        (["--cold-runs", "3", "--warm-iterations", "100"], True),
        (["--aggregator-seconds", "59"], True),
        (["--aggregator-seconds", "120"], False),
    ],
)
def test_too_few_samples_make_a_smoke_run(arguments, smoke):
    assert bench_main.is_smoke_run(bench_main.parse_args(arguments)) is smoke


@pytest.mark.parametrize(
    ("arguments", "seconds"),
    [
        ([], 60),
        (["--cold-runs", "3"], bench_main.SMOKE_AGGREGATOR_SECONDS),
        (["--cold-runs", "3", "--aggregator-seconds", "60"], 60),
    ],
)
def test_the_aggregator_runs_a_whole_window_unless_the_run_is_a_smoke_run(arguments, seconds):
    assert bench_main.aggregator_seconds(bench_main.parse_args(arguments)) == seconds


def test_the_aggregators_runs_are_refused_below_a_second():
    with pytest.raises(SystemExit):
        bench_main.parse_args(["--aggregator-seconds", "0"])


@pytest.mark.usefixtures("nothing_measured")
def test_a_smoke_run_prints_its_table_and_leaves_the_report_as_it_was(tmp_path, capsys):
    report = tmp_path / "benchmarks.md"
    report.write_text(MEASURED, encoding="utf-8")

    exit_code = bench_main.main(["--output", str(report), "--cold-runs", "3"])

    assert exit_code == 0
    assert report.read_text(encoding="utf-8") == MEASURED
    printed = capsys.readouterr()
    assert "| metric | measured | target | met? |" in printed.out
    assert "> **Warning:** a smoke run (3 cold runs" in printed.out
    assert "| aggregator, mid-day: cost per million clicks |" in printed.out
    assert f"{report} left as it was" in printed.err


@pytest.mark.usefixtures("nothing_measured")
def test_a_full_run_writes_the_report_and_prints_nothing(tmp_path, capsys):
    report = tmp_path / "benchmarks.md"
    report.write_text(MEASURED, encoding="utf-8")

    exit_code = bench_main.main(["--output", str(report)])

    assert exit_code == 0
    written = report.read_text(encoding="utf-8")
    assert "| metric | measured | target | met? |" in written
    assert "Warning" not in written
    assert capsys.readouterr().out == ""


def test_make_bench_hands_bench_args_to_the_bench_and_documents_them():
    dry_run = subprocess.run(
        ["make", "-n", "bench", "BENCH_ARGS=--cold-runs 3 --warm-iterations 100"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    command = shlex.split(next(line for line in dry_run.splitlines() if " -m bench " in line))
    arguments = bench_main.parse_args(command[command.index("bench") + 1 :])

    # What `make bench BENCH_ARGS=...` runs is a smoke run, so docs/benchmarks.md stays.
    assert arguments.output == "docs/benchmarks.md"
    assert bench_main.is_smoke_run(arguments)
    listed = subprocess.run(
        ["make", "-s", "help"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    (bench_help,) = [line for line in listed.splitlines() if line.startswith("bench ")]
    assert "BENCH_ARGS=" in bench_help
