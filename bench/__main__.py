"""`python -m bench [--output docs/benchmarks.md]`: measure, then write the report.

Runs the parts one after another (cold starts first, while nothing else of ours is
running), each interleaving what it compares. Exits 0 whether or not the targets are
met: the report says which are; tests enforce what must hold. A smoke run (fewer
samples than MIN_COLD_RUNS or MIN_WARM_ITERATIONS, e.g. `make bench BENCH_ARGS=...`)
prints its report and leaves --output as it was: its figures are no measurement.
"""

from __future__ import annotations

import argparse
import platform
import shlex
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    cold_start,
    events,
    functions,
    redirect_cost,
    round_trips,
    sizes,
    viral_link,
    warm,
)
from bench.local_dynamodb import handlers_on_dynamodb_local
from bench.machine import describe_machine
from bench.report import Report, render_markdown
from devserver.dynamodb_backends import DynamoDBUnavailableError

# Below these the figures are a smoke test of the bench, not a measurement.
MIN_COLD_RUNS = 15
MIN_WARM_ITERATIONS = 1000
MIN_AGGREGATOR_SECONDS = 60  # one whole window of the deployed ClickStatsWindowSeconds
# The aggregator's runs: simulated seconds of clicks, and the clicks each link's day holds
# at mid-day; a smoke run makes fewer of both (its figures are no measurement anyway).
AGGREGATOR_SECONDS, SMOKE_AGGREGATOR_SECONDS = 60, 6
SEEDED_CLICKS, SMOKE_SEEDED_CLICKS = 200, 20

HOW_TO_READ = """
Every time here depends on the machine, so each is set against a baseline measured in
the same run, interleaved with it: a busy or slow machine slows both sides alike and
the ratio stays. Absolute milliseconds are for orientation only: this machine is not
Lambda's (arm64, CPU in proportion to memory: 512 MB gets about 0.29 of a vCPU).

- **Cold start** is a proxy: the import and initialisation a new Lambda environment runs
  before its first request, without Lambda's own runtime start-up. 1.3 means 30 % more
  time than a process that only builds a bare DynamoDB client, which any handler here
  must do anyway.
- **Warm** compares the redirect handler with the one DynamoDB call it makes: the
  ratio is what the function adds on top of the database. p99 is noisier than p50.
- **The aggregator's** units are counts (DynamoDB Local's own, checked against AWS's
  item-size rules) and do not depend on the machine; its Lambda time does, and is an
  estimate for Lambda's CPU share, not a measurement there.
- **Round trips** and **sizes** are counts, not timings: they do not depend on the
  machine. The cost comes from the project's price list, not from a measurement.
- **no** in the met? column is a finding to look into (`python -X importtime`, a
  profiler); the bench measures, it does not explain.
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--output",
        default="-",
        help="Markdown file to write ('-': stdout; a smoke run always prints instead)",
    )
    parser.add_argument(
        "--cold-runs",
        type=int,
        default=21,
        help=f"fresh interpreters per variant (default 21; under {MIN_COLD_RUNS} is a smoke run)",
    )
    parser.add_argument(
        "--warm-iterations",
        type=int,
        default=2000,
        help=f"timed calls of each side (default 2000; under {MIN_WARM_ITERATIONS}: smoke run)",
    )
    parser.add_argument("--warm-batch", type=int, default=50, help="calls per turn (default 50)")
    parser.add_argument("--warm-up", type=int, default=200, help="untimed calls of each first")
    parser.add_argument(
        "--aggregator-seconds",
        type=int,
        help=f"simulated seconds of clicks per aggregator run (default {AGGREGATOR_SECONDS},"
        f" {SMOKE_AGGREGATOR_SECONDS} in a smoke run; under {MIN_AGGREGATOR_SECONDS}: smoke run)",
    )
    parser.add_argument(
        "--build-dir", type=Path, default=sizes.BUILD_DIR, help="`sam build` output to measure"
    )
    arguments = parser.parse_args(argv)
    for name in ("cold_runs", "warm_iterations", "warm_batch"):
        if getattr(arguments, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if arguments.warm_up < 0:
        parser.error("--warm-up must not be negative")
    if arguments.aggregator_seconds is not None and arguments.aggregator_seconds < 1:
        parser.error("--aggregator-seconds must be at least 1")
    return arguments


def aggregator_seconds(arguments: argparse.Namespace) -> int:
    given: int | None = arguments.aggregator_seconds
    if given is not None:
        return given
    cold_runs: int = arguments.cold_runs
    warm_iterations: int = arguments.warm_iterations
    fewer = cold_runs < MIN_COLD_RUNS or warm_iterations < MIN_WARM_ITERATIONS
    return SMOKE_AGGREGATOR_SECONDS if fewer else AGGREGATOR_SECONDS


def is_smoke_run(arguments: argparse.Namespace) -> bool:
    """Too few samples to judge the targets by: a test of the bench, not a measurement."""
    cold_runs: int = arguments.cold_runs
    warm_iterations: int = arguments.warm_iterations
    return (
        cold_runs < MIN_COLD_RUNS
        or warm_iterations < MIN_WARM_ITERATIONS
        or aggregator_seconds(arguments) < MIN_AGGREGATOR_SECONDS
    )


def publish(markdown: str, output: str, *, smoke: bool) -> None:
    """Write the report to `output`; print it instead for '-' and for a smoke run, which
    must not replace a measured report with figures nobody can judge by."""
    if output == "-" or smoke:
        sys.stdout.write(markdown)
        if output != "-":
            progress(f"a smoke run: printed above, {output} left as it was")
        return
    Path(output).write_text(markdown, encoding="utf-8")
    progress(f"wrote {output}")


def progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    arguments_given = sys.argv[1:] if argv is None else argv
    arguments = parse_args(arguments_given)
    functions.put_code_on_path(functions.REDIRECT)
    from bench import aggregator  # builds on the functions' code, on the path now
    from repository.client import CLIENT_CONFIG

    progress(f"cold start: {arguments.cold_runs} runs of each variant")
    cold = cold_start.measure(
        cold_start.variants(CLIENT_CONFIG, events.browser_user_agent()),
        arguments.cold_runs,
        progress,
    )
    progress("starting DynamoDB Local for the warm part")
    try:
        with handlers_on_dynamodb_local() as stack:
            trips = round_trips.measure()
            warm_result = warm.measure(
                stack,
                trips.short_id,
                iterations=arguments.warm_iterations,
                batch_size=arguments.warm_batch,
                warm_up=arguments.warm_up,
                progress=progress,
            )
            smoke = is_smoke_run(arguments)
            clicks = aggregator.measure(
                stack,
                seconds=aggregator_seconds(arguments),
                seeded_clicks_per_link=SMOKE_SEEDED_CLICKS if smoke else SEEDED_CLICKS,
                progress=progress,
            )
    except DynamoDBUnavailableError as exc:
        progress(str(exc))
        return 1
    viral = viral_link.measure(
        progress, replace(viral_link.BENCH_LOAD, seconds=5) if is_smoke_run(arguments) else None
    )
    progress("sizes and cost")
    built = sizes.measure(arguments.build_dir)
    cost = redirect_cost.measure()

    warnings = []
    if is_smoke_run(arguments):
        warnings.append(
            f"a smoke run ({arguments.cold_runs} cold runs, {arguments.warm_iterations} warm"
            f" calls, {aggregator_seconds(arguments)} s of clicks for the aggregator): too few"
            " samples to judge the targets by; `make bench` takes enough."
        )
    report = Report(
        generated_at=datetime.now(UTC),
        machine=describe_machine(f"CPython {platform.python_version()} ({sys.executable})"),
        command=shlex.join(["python", "-m", "bench", *arguments_given]),
        metrics=[
            *cold_start.metrics(cold),
            *warm.metrics(warm_result),
            *round_trips.metrics(trips),
            *aggregator.metrics(clicks),
            *viral_link.metrics(viral),
            *sizes.metrics(built),
            *redirect_cost.metrics(cost),
        ],
        sections=[
            cold_start.section(cold),
            warm.section(warm_result),
            round_trips.section(trips),
            aggregator.section(clicks),
            viral_link.section(viral),
            sizes.section(built),
            redirect_cost.section(cost),
        ],
        how_to_read=HOW_TO_READ,
        warnings=warnings,
    )
    publish(render_markdown(report), arguments.output, smoke=is_smoke_run(arguments))
    return 0


if __name__ == "__main__":
    sys.exit(main())
