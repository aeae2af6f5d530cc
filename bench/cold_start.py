"""Cold start proxy: import and initialise each handler in a fresh interpreter.

Each variant runs as `python -P -c <code>` in a new process, which times its own
statements from the first line to the last (wall clock and CPU time) and exits at once
(Lambda never tears an environment down between init and the first request, so
neither does this). Variants take turns run by run, the order rotating each run, so a busy machine
slows all of them alike; each one's median is compared with the baseline's: a fresh
interpreter that only builds a bare botocore DynamoDB client with the functions' Config.

Bytecode: Lambda ships precompiled .pyc (layers/Makefile, functions/Makefile). The
children get a bytecode cache of their own (PYTHONPYCACHEPREFIX in a temporary
directory, never src/ or the venv), filled by one discarded warm-up run of every
variant, and PYTHONDONTWRITEBYTECODE removed; otherwise the timings would be
dominated by compiling.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.config import Config

from bench import functions
from bench.report import Comparison, Metric, Section, Target, markdown_table, milliseconds
from bench.stats import median, ratio

MARKER = "BENCH_ELAPSED_S="
# Never contacted: initialising builds clients, it sends nothing.
UNUSED_ENDPOINT = "http://127.0.0.1:9"
BASELINE = "bare botocore client"


@dataclass(frozen=True)
class Variant:
    name: str
    function_id: str  # whose environment the interpreter gets
    code: str  # the statements timed
    target: Target | None = None
    note: str = ""


@dataclass(frozen=True)
class Samples:
    variant: Variant
    init_seconds: list[float]  # the timed statements, measured inside the interpreter
    # The same statements' CPU time (process_time), which a busy machine stretches less.
    init_cpu_seconds: list[float]
    process_seconds: list[float]  # the whole process: start-up, site, the statements


@dataclass(frozen=True)
class ColdStartResult:
    runs: int
    samples: list[Samples]  # the baseline first
    bytecode_files: int
    compiled_while_measuring: int  # .pyc written or rewritten after the warm-up

    @property
    def baseline(self) -> Samples:
        return self.samples[0]


def non_default_options(config: Config) -> dict[str, Any]:
    """The options a botocore Config sets away from botocore's defaults."""
    return {
        name: getattr(config, name)
        for name, default in Config.OPTION_DEFAULTS.items()
        if getattr(config, name) != default
    }


def variants(client_config: Config, browser_user_agent: str) -> list[Variant]:
    """The baseline first, then each handler, then what its first click adds."""
    redirect = functions.handler_module(functions.REDIRECT)
    shorten = functions.handler_module(functions.SHORTEN)
    links = functions.handler_module(functions.LINKS)
    # What the first request builds (handlers/wiring.py), without sending anything.
    wired = "from handlers import wiring\nwiring.settings(); wiring.dynamodb_client()\n"
    redirect_init = f"import {redirect}\n{wired}wiring.link_repository()"
    return [
        Variant(
            BASELINE,
            functions.REDIRECT,
            "import botocore.session\nfrom botocore.config import Config\n"
            "botocore.session.get_session().create_client("
            f"'dynamodb', config=Config(**{non_default_options(client_config)!r}))",
        ),
        Variant("redirect", functions.REDIRECT, redirect_init, Target(Comparison.AT_MOST, 1.3)),
        Variant(
            "shorten",
            functions.SHORTEN,
            f"import {shorten}\n{wired}wiring.link_repository(); wiring.creation_counter()",
            Target(Comparison.AT_MOST, 1.6),
        ),
        Variant(
            "shorten behind Powertools' resolver",
            functions.SHORTEN,
            # The function as it would be with the resolver: its declared route (the
            # same model, the same answers) on a validating resolver, loaded with the
            # collector off as the function module is.
            "import gc\ngc.disable()\n"
            "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver\n"
            "from handlers import shorten_routes\n"
            "from handlers.request_body import parse_json_body\n"
            "from handlers.responses import register_error_handlers\n"
            "app = APIGatewayHttpResolver("
            "enable_validation=True, json_body_deserializer=parse_json_body)\n"
            "app.include_router(shorten_routes.router)\nregister_error_handlers(app)\n"
            "gc.freeze()\ngc.enable()\n"
            f"{wired}wiring.link_repository(); wiring.creation_counter()",
            note=(
                "what ShortenFunction would load behind the resolver, which the links"
                " function uses; docs/architecture.md says why it does not"
            ),
        ),
        Variant("links", functions.LINKS, f"import {links}\n{wired}wiring.link_repository()"),
        Variant(
            "redirect + first click check",
            functions.REDIRECT,
            f"{redirect_init}\nfrom domain.clicks import is_countable_click\n"
            f"is_countable_click(method='GET', user_agent={browser_user_agent!r})",
            note=(
                "the redirect's init plus what its first counted GET adds before DynamoDB:"
                " crawlerdetect's import and pattern compilation (domain/clicks.py)"
            ),
        ),
    ]


def child_program(code: str) -> str:
    return (
        "import time\n_cpu, _started = time.process_time(), time.perf_counter()\n"
        f"{code}\n"
        "_elapsed = time.perf_counter() - _started\n_cpu = time.process_time() - _cpu\n"
        f"import os, sys\nsys.stdout.write(f'{MARKER}{{_elapsed!r}} {{_cpu!r}}\\n')\n"
        "sys.stdout.flush()\nos._exit(0)\n"
    )


def child_environment(variant: Variant, bytecode_dir: Path) -> dict[str, str]:
    code_dir = str(functions.function(variant.function_id).code_dir)
    # Built from nothing: no PYTHONDONTWRITEBYTECODE, no user site, nothing inherited.
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": code_dir,
        "PYTHONPYCACHEPREFIX": str(bytecode_dir),
        "PYTHONNOUSERSITE": "1",
        **functions.lambda_environment(variant.function_id, UNUSED_ENDPOINT),
    }


def run_once(
    variant: Variant, bytecode_dir: Path, python: str = sys.executable
) -> tuple[float, float, float]:
    """Seconds inside the interpreter, CPU seconds of those, seconds of the whole process."""
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 (our own interpreter and program)
        [python, "-P", "-c", child_program(variant.code)],
        env=child_environment(variant, bytecode_dir),
        cwd=functions.function(variant.function_id).code_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    process_seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"cold start of {variant.name} failed:\n{completed.stderr}")
    inside, cpu = parse_elapsed(completed.stdout)
    return inside, cpu, process_seconds


def parse_elapsed(stdout: str) -> tuple[float, float]:
    """(wall, CPU) seconds from the child's last marker line."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARKER):
            wall, cpu = line.removeprefix(MARKER).split()
            return float(wall), float(cpu)
    raise ValueError(f"no {MARKER} line in the child's output: {stdout[-500:]!r}")


def rotated(items: Sequence[Variant], by: int) -> list[Variant]:
    shift = by % len(items)
    return [*items[shift:], *items[:shift]]


def measure(
    chosen: Sequence[Variant], runs: int, progress: Callable[[str], None]
) -> ColdStartResult:
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as directory:
        bytecode_dir = Path(directory)
        for variant in chosen:  # warm-up: compiles every module once, discarded
            run_once(variant, bytecode_dir)
        compiled = bytecode_snapshot(bytecode_dir)
        samples = {variant.name: Samples(variant, [], [], []) for variant in chosen}
        for run in range(runs):
            for variant in rotated(chosen, run):
                inside, cpu, whole = run_once(variant, bytecode_dir)
                samples[variant.name].init_seconds.append(inside)
                samples[variant.name].init_cpu_seconds.append(cpu)
                samples[variant.name].process_seconds.append(whole)
            progress(f"cold start: run {run + 1}/{runs}")
        recompiled = bytecode_snapshot(bytecode_dir).items() - compiled.items()
    return ColdStartResult(
        runs=runs,
        samples=[samples[variant.name] for variant in chosen],
        bytecode_files=len(compiled),
        compiled_while_measuring=len(recompiled),
    )


def bytecode_snapshot(directory: Path) -> dict[Path, int]:
    """Each .pyc with its modification time: a module compiled again (its source was
    edited meanwhile) keeps its file name but not its time."""
    return {path: path.stat().st_mtime_ns for path in directory.rglob("*.pyc")}


def paired_ratio(samples: Samples, baseline: Samples) -> float:
    """The median of run-by-run ratios: each run's variant over the same run's baseline."""
    pairs = zip(samples.init_seconds, baseline.init_seconds, strict=True)
    return median([ratio(measured, base) for measured, base in pairs])


def metrics(result: ColdStartResult) -> list[Metric]:
    base = median(result.baseline.init_seconds)
    rows = []
    for samples in result.samples[1:]:
        measured = median(samples.init_seconds)
        rows.append(
            Metric(
                f"cold start: {samples.variant.name} / {BASELINE}",
                ratio(measured, base),
                f"{ratio(measured, base):.2f} ({milliseconds(measured)} vs {milliseconds(base)})",
                samples.variant.target,
            )
        )
    return rows


def section(result: ColdStartResult) -> Section:
    base = result.baseline
    rows = [
        [
            s.variant.name,
            milliseconds(median(s.init_seconds)),
            f"{ratio(median(s.init_seconds), median(base.init_seconds)):.2f}",
            f"{paired_ratio(s, base):.2f}",
            f"{milliseconds(min(s.init_seconds))} - {milliseconds(max(s.init_seconds))}",
            milliseconds(median(s.init_cpu_seconds)),
            f"{ratio(median(s.init_cpu_seconds), median(base.init_cpu_seconds)):.2f}",
            milliseconds(median(s.process_seconds)),
            f"{ratio(median(s.process_seconds), median(base.process_seconds)):.2f}",
        ]
        for s in result.samples
    ]
    table = markdown_table(
        [
            "fresh interpreter runs",
            "median import + init",
            "ratio",
            "median of per-run ratios",
            "range",
            "median CPU",
            "CPU ratio",
            "median whole process",
            "ratio",
        ],
        rows,
        right_aligned=(1, 2, 3, 5, 6, 7, 8),
    )
    timed = "\n".join(
        f"- **{s.variant.name}**: `{'; '.join(s.variant.code.splitlines())}`"
        + (f" ({s.variant.note})" if s.variant.note else "")
        for s in result.samples
    )
    bytecode = (
        f"{result.bytecode_files} .pyc files written by the warm-up run, none while measuring."
        if result.compiled_while_measuring == 0
        else f"**{result.compiled_while_measuring} modules were compiled while measuring**:"
        " some runs paid for compiling; the figures are too high."
    )
    return Section(
        "Cold start",
        f"""
{result.runs} runs of each, in a fresh interpreter every time, the variants taking turns
(the order rotates run by run). "import + init" is timed inside the interpreter, from
before the first import to after the last statement; "whole process" is the parent's
clock around the process (start-up, `site`, the same statements; no teardown); "CPU"
is the CPU time of the timed statements (`time.process_time`), which a busy machine
stretches less than the wall clock. The headline ratio is median over median of the
wall clock; the median of per-run ratios pairs each run with the baseline of the same
round and says how stable that is.

{table}

What each runs: the code from `src/` as Lambda imports it; dependencies from the venv's
site-packages, the same pinned versions as the layer (whose extension modules are built
for Lambda's arm64 Linux, the venv's for the machine that runs this); template.yaml's
environment for that function, fake credentials and an endpoint never contacted.

{timed}

Bytecode: {bytecode}
""",
    )
