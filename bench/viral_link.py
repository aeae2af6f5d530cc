"""A link that goes viral, through the local stack, against a model of DynamoDB's limit.

Issue 13's proof on a 2-core machine: `python -m devserver --item-write-limit N` (the
functions' DynamoDB behind devserver/dynamodb_throttling_proxy.py, which refuses any item
written faster than N a second, as DynamoDB refuses one past 1,000) with several
execution environments, and an open-loop load: one link clicked at ten times the item
limit and, beside it, ordinary links each clicked at a fifth of it (never hot: that
takes a quarter), all for the same seconds, over keep-alive HTTP from a pool of client
threads. Each click is a GET with a browser's User-Agent, so it counts. The ordinary
links' latency, measured in the same run on the same busy machine, is the yardstick
for the viral one's.

Afterwards: what the clients got (statuses, latency from sending to the answer), what
the stack counted (`GET /links/{id}`: the link's item plus its click shards), what its
analytics say (`GET /links/{id}/stats`, once the stream has drained) and what the
throttling model refused. Used by tests/e2e/test_viral_link.py (which asserts) and by
`make bench` (which reports, docs/benchmarks.md "A link that goes viral").
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.report import Comparison, Metric, Section, Target, markdown_table

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/142.0.0.0 Safari/537.36"
)
_THROTTLING_AT = re.compile(r"DynamoDB throttling: .* at (http://127\.0\.0\.1:\d+) in front")
_LISTENING = re.compile(r"Listening on (http://127\.0\.0\.1:\d+)")
REPO_ROOT = Path(__file__).resolve().parent.parent
LATENCY_TARGET = Target(Comparison.AT_MOST, 1.5, "1.5")
EXACT = Target(Comparison.AT_MOST, 0, "0")
ENVIRONMENTS = 4  # execution environments per function


@dataclass(frozen=True)
class Load:
    item_write_limit: int = 10  # the model's per-item writes a second
    hot_per_second: int = 100  # ten times the limit
    cold_links: int = 10
    cold_per_second: float = 2  # each: a fifth of the limit, never hot (that is a quarter)
    seconds: float = 15.0
    clients: int = 16  # client threads, each with its own keep-alive connection


@dataclass
class LinkLoad:
    """One link's clicks, or several ordinary links' together."""

    short_ids: list[str]
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)  # seconds, each answered click
    counted: int = 0  # the link's clicks, as GET /links/{id} gives them after the run
    in_analytics: int = 0  # its clicks in GET /links/{id}/stats, once drained

    @property
    def redirected(self) -> int:
        return sum(n for status, n in self.statuses.items() if 300 <= status < 400)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


@dataclass
class ViralRun:
    load: Load
    hot: LinkLoad
    cold: LinkLoad  # the ordinary links, together
    seconds: float  # the load's wall time: longer than asked if the machine fell behind
    dynamodb_requests: int = 0
    throttled: int = 0  # requests the model refused
    hot_item_writes: int = 0  # writes the hot link's own item took
    shard_writes: list[int] = field(default_factory=list)  # each of its click shards'

    @property
    def latency_ratio_p99(self) -> float:
        return self.hot.percentile(0.99) / max(self.cold.percentile(0.99), 1e-9)


def throttling_endpoint(devserver_output: list[str]) -> str:
    """The proxy's address, from the devserver's start-up lines."""
    for line in devserver_output:
        if match := _THROTTLING_AT.search(line):
            return match.group(1)
    raise RuntimeError("the devserver runs no throttling proxy (--item-write-limit)")


def drive(base_url: str, hot: LinkLoad, cold: LinkLoad, load: Load) -> float:
    """Click both links at their rates for load.seconds, each click sent at its time (an
    open loop: a slow answer does not slow the clicks). Returns the wall time taken."""
    hot_clicks = int(load.hot_per_second * load.seconds)
    cold_clicks = int(load.cold_per_second * load.seconds)
    schedule = sorted(
        [(n / load.hot_per_second, hot, hot.short_ids[0]) for n in range(hot_clicks)]
        + [
            # Each ordinary link's clicks evenly spaced, the links' offset from each other.
            ((n + index / len(cold.short_ids)) / load.cold_per_second, cold, short_id)
            for index, short_id in enumerate(cold.short_ids)
            for n in range(cold_clicks)
        ],
        key=lambda entry: entry[0],
    )
    connections = _Connections(base_url)
    lock = threading.Lock()

    def click(link: LinkLoad, short_id: str) -> None:
        started = time.perf_counter()
        status = connections.get(f"/{short_id}", {"User-Agent": BROWSER})
        elapsed = time.perf_counter() - started
        with lock:
            link.statuses[status] += 1
            link.latencies.append(elapsed)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=load.clients) as clients:
        for at, link, short_id in schedule:
            wait = began + at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            link.sent += 1
            clients.submit(click, link, short_id)
    return time.perf_counter() - began


def read_throttling(proxy_url: str, run: ViralRun) -> None:
    """The model's counts: requests, refusals, and each of the hot link's items' writes."""
    report = _get_json(proxy_url, "/_devserver/throttling")
    run.dynamodb_requests, run.throttled = report["requests"], report["refused"]
    (hot,) = run.hot.short_ids
    for key, counts in report["items"].items():
        if f"PK=LINK#{hot} " in key:
            run.hot_item_writes = int(counts["writes"])
        elif f"PK=SHARD#{hot}#" in key:
            run.shard_writes.append(int(counts["writes"]))


def counted_clicks(base_url: str, short_id: str) -> int:
    return int(_get_json(base_url, f"/links/{short_id}")["clicks"])


def clicks_in_analytics(
    base_url: str, short_id: str, token: str, expected: int, within_seconds: float
) -> int:
    """The link's clicks in its stats, polled until they reach `expected` or time is up."""
    deadline = time.monotonic() + within_seconds
    while True:
        report = _get_json(
            base_url, f"/links/{short_id}/stats", {"Authorization": f"Bearer {token}"}
        )
        if report["clicks"] >= expected or time.monotonic() > deadline:
            return int(report["clicks"])
        time.sleep(0.5)


def run_viral_link(
    base_url: str,
    proxy_url: str,
    create: Callable[[str], dict[str, Any]],
    load: Load,
    analytics_within_seconds: float = 30.0,
) -> ViralRun:
    """Create the links, drive the load, and read back what was counted."""
    hot = [create("https://example.com/viral")]
    cold = [create(f"https://example.com/calm/{n}") for n in range(load.cold_links)]
    run = ViralRun(
        load,
        LinkLoad([link["shortId"] for link in hot]),
        LinkLoad([link["shortId"] for link in cold]),
        0.0,
    )
    run.seconds = drive(base_url, run.hot, run.cold, load)
    deadline = time.monotonic() + analytics_within_seconds
    for counts, links in ((run.hot, hot), (run.cold, cold)):
        for link in links:
            counted = counted_clicks(base_url, link["shortId"])
            counts.counted += counted
            counts.in_analytics += clicks_in_analytics(
                base_url,
                link["shortId"],
                link["managementToken"],
                counted,
                max(0.0, deadline - time.monotonic()),
            )
    read_throttling(proxy_url, run)
    return run


def lines(run: ViralRun) -> Iterator[tuple[str, str, str]]:
    """(what, hot link, cold link) rows for a report."""

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:,.1f} ms"

    hot, cold = run.hot, run.cold
    yield "links", "1", f"{len(cold.short_ids)}"
    yield "clicks sent", f"{hot.sent:,}", f"{cold.sent:,}"
    yield "redirected (3xx)", f"{hot.redirected:,}", f"{cold.redirected:,}"
    yield "5xx", f"{hot.server_errors:,}", f"{cold.server_errors:,}"
    yield "counted (GET /links/{id})", f"{hot.counted:,}", f"{cold.counted:,}"
    yield (
        "in its analytics (GET /links/{id}/stats)",
        f"{hot.in_analytics:,}",
        (f"{cold.in_analytics:,}"),
    )
    yield "p50 latency", ms(hot.percentile(0.5)), ms(cold.percentile(0.5))
    yield "p99 latency", ms(hot.percentile(0.99)), ms(cold.percentile(0.99))


BENCH_LOAD = Load(seconds=30)  # the e2e test's load (tests/e2e/test_viral_link.py), 30 s


def measure(progress: Callable[[str], None], load: Load | None = None) -> ViralRun:
    """The scenario through `python -m devserver` on DynamoDB Local, as the e2e test runs it."""
    load = load or BENCH_LOAD
    progress(
        f"viral link: {load.hot_per_second}/s on one link, item limit {load.item_write_limit}/s,"
        f" {load.seconds:g} s"
    )
    with _local_stack(load) as (base_url, output):
        return run_viral_link(base_url, throttling_endpoint(output), creator(base_url), load)


def metrics(run: ViralRun) -> list[Metric]:
    hot = run.hot
    return [
        Metric(
            "viral link: clicks not redirected, or answered 5xx",
            hot.sent - hot.redirected + hot.server_errors,
            f"{hot.sent - hot.redirected + hot.server_errors} of {hot.sent:,}",
            EXACT,
        ),
        Metric(
            "viral link: clicks not counted (total and analytics)",
            abs(hot.sent - hot.counted) + abs(hot.sent - hot.in_analytics),
            f"{hot.sent - hot.counted} / {hot.sent - hot.in_analytics} of {hot.sent:,}",
            EXACT,
        ),
        Metric(
            "viral link p99 / ordinary links' p99 (same run)",
            run.latency_ratio_p99,
            f"{run.latency_ratio_p99:.2f} ({hot.percentile(0.99) * 1000:,.0f} ms vs"
            f" {run.cold.percentile(0.99) * 1000:,.0f} ms)",
            LATENCY_TARGET,
        ),
    ]


def section(run: ViralRun) -> Section:
    load = run.load
    table = markdown_table(
        ["", "the viral link", "ordinary links"], [list(row) for row in lines(run)], (1, 2)
    )
    shards = run.shard_writes
    return Section(
        "A link that goes viral",
        f"""
`python -m devserver` with {ENVIRONMENTS} execution environments per function, on DynamoDB
Local behind the throttling model (`--item-write-limit {load.item_write_limit}`: any item
written faster than {load.item_write_limit} a second is refused, as DynamoDB refuses one past
1,000; two cores drive about a tenth of DynamoDB's figures, so the scenario keeps its
ratio, not its size). One link clicked {load.hot_per_second} times a second (ten times the
limit) for {load.seconds:g} s, and beside it {load.cold_links} ordinary links at
{load.cold_per_second:g} a second each, over keep-alive HTTP, every click sent at its time;
the load took {run.seconds:.1f} s (bench/viral_link.py; tests/e2e/test_viral_link.py runs
the same for 15 s and asserts it). Latency is the client's, send to answer, on a machine
that also runs the stack: the ordinary links, in the same run, are the yardstick.

{table}

DynamoDB (the model's counts): {run.dynamodb_requests:,} requests, {run.throttled} refused
as throttled. The viral link's own item took {run.hot_item_writes} writes before its
clicks were spread; its {len(shards)} click shards took {sum(shards):,}, their making
included
({min(shards, default=0)} to {max(shards, default=0)} each, under
{load.item_write_limit} a second each). The analytics count was read once the stream had
drained (a 1 s window here), within 30 s of the load's end.
""",
    )


@contextmanager
def _local_stack(load: Load) -> Iterator[tuple[str, list[str]]]:
    environment = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        # One address makes every link here: no creation limit in the way.
        "CREATION_RATE_LIMIT": "1000000",
        "CREATION_RATE_LIMIT_PER_56": "1000000",
        "CREATION_RATE_LIMIT_PER_48": "1000000",
        "CREATION_CEILING_PER_MINUTE": "1000000",
    }
    with tempfile.TemporaryDirectory(prefix="viral-") as data_dir:
        arguments = [
            *("--port", "0", "--dynamodb", "local", "--data-dir", data_dir),
            *("--concurrency", str(ENVIRONMENTS)),
            *("--item-write-limit", str(load.item_write_limit)),
            *("--parameter-overrides", "ClickStatsWindowSeconds=1"),
        ]
        process = subprocess.Popen(  # noqa: S603 (our own module, our own arguments)
            [sys.executable, "-m", "devserver", *arguments],
            cwd=REPO_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            yield _listening(process)
        finally:
            process.terminate()
            process.wait(timeout=30)


def _listening(process: subprocess.Popen[str]) -> tuple[str, list[str]]:
    output: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line.rstrip())
        if match := _LISTENING.search(line):
            # Keep reading its output, or its pipe fills and the stack stops answering.
            threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
            return match.group(1), output
    raise RuntimeError("the local stack did not start:\n" + "\n".join(output))


def _drain(stream: Any) -> None:
    for _ in stream:
        pass


def creator(base_url: str) -> Callable[[str], dict[str, Any]]:
    def create(url: str) -> dict[str, Any]:
        connection = http.client.HTTPConnection(urlsplit(base_url).netloc, timeout=30)
        try:
            connection.request(
                "POST", "/shorten", json.dumps({"url": url}), {"Content-Type": "application/json"}
            )
            answer = connection.getresponse()
            body = answer.read()
            if answer.status != 201:
                raise RuntimeError(f"POST /shorten: {answer.status} {body[:200]!r}")
            return dict(json.loads(body))
        finally:
            connection.close()

    return create


class _Connections:
    """One keep-alive connection per client thread."""

    def __init__(self, base_url: str) -> None:
        self._address = urlsplit(base_url).netloc
        self._local = threading.local()

    def get(self, path: str, headers: dict[str, str]) -> int:
        for attempt in range(2):  # a connection the server closed while idle: once more
            connection = getattr(self._local, "connection", None)
            if connection is None:
                connection = self._local.connection = http.client.HTTPConnection(
                    self._address, timeout=30
                )
            try:
                connection.request("GET", path, headers=headers)
                answer = connection.getresponse()
                answer.read()
                return answer.status
            except (ConnectionError, http.client.HTTPException):
                connection.close()
                self._local.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def _get_json(base_url: str, path: str, headers: dict[str, str] | None = None) -> Any:
    connection = http.client.HTTPConnection(urlsplit(base_url).netloc, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"GET {path}: {answer.status} {body[:200]!r}")
        return json.loads(body)
    finally:
        connection.close()
