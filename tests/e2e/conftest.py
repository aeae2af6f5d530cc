"""Black-box fixtures: the local stack (`make dev`'s own entry point) on a free port.

The tests talk real HTTP to it and know nothing of its insides. It is started the
way `make dev` starts it, once per backend and session, with data in a temp dir.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO_ROOT
from tests.dynamodb_servers import dynamodb_local_or_skip

STARTUP_SECONDS = 60
_KEPT_OUTPUT_LINES = 2000
_LISTENING = re.compile(r"Listening on (http://127\.0\.0\.1:\d+)")
_DYNAMODB = re.compile(r"DynamoDB: .* at (http://127\.0\.0\.1:\d+)")
# Clicks count only for real browsers (domain/clicks.py); tests click as one.
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/142.0.0.0 Safari/537.36"
)
# The main stacks serve many tests from one address: no rate limit in their way.
UNLIMITED = {
    "CREATION_RATE_LIMIT": "1000000",
    "CREATION_RATE_LIMIT_PER_56": "1000000",
    "CREATION_RATE_LIMIT_PER_48": "1000000",
    "CREATION_CEILING_PER_MINUTE": "1000000",
}
# Execution environments per function on the main stacks: two race each other as truly as
# more would (test_concurrency.py), and each one more is a cold start (~0.7 s of CPU).
CONCURRENCY = 2


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LocalStack:
    base_url: str
    output: list[str]

    @property
    def dynamodb_endpoint(self) -> str:
        for line in self.output:
            if match := _DYNAMODB.search(line):
                return match.group(1)
        raise LookupError("the stack did not say where its DynamoDB listens")

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """One HTTP request, redirects not followed (a 302 is what we test)."""
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            payload = body.encode() if isinstance(body, str) else body
            connection.request(
                method, path, body=payload, headers={"User-Agent": BROWSER, **(headers or {})}
            )
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def execution_environments(self) -> dict[str, dict[str, int]]:
        """Per function, how many execution environments the devserver runs and how many
        invocations overlapped so far (its own page, devserver/server.py)."""
        answer = self.request("GET", "/_devserver/environments")
        assert answer.status == 200, answer.body
        functions: dict[str, dict[str, int]] = answer.json()["functions"]
        return functions

    def shorten(self, payload: Any, **headers: str) -> Answer:
        return self.request(
            "POST",
            "/shorten",
            json.dumps(payload),
            {"Content-Type": "application/json", **headers},
        )


def start_local_stack(
    backend: str,
    data_dir: Path,
    environment: dict[str, str] | None = None,
    concurrency: int | None = None,
    arguments: tuple[str, ...] = (),
) -> tuple[subprocess.Popen[str], LocalStack]:
    """`python -m devserver` on a free port; concurrency: execution environments per
    function (the devserver's default when None); arguments: more of its options."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DYNAMODB_ENDPOINT", None)
    env.update(environment or {})
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devserver",
            "--port",
            "0",
            "--dynamodb",
            backend,
            "--data-dir",
            str(data_dir),
            *(["--concurrency", str(concurrency)] if concurrency is not None else []),
            *arguments,
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    deadline = time.monotonic() + STARTUP_SECONDS
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line.rstrip())
        if match := _LISTENING.search(line):
            _keep_draining(process.stdout, output)
            return process, LocalStack(match.group(1), output)
    process.kill()
    raise RuntimeError("local stack did not start:\n" + "\n".join(output))


def _keep_draining(stream: IO[str], output: list[str]) -> None:
    """Read the server's output for as long as it runs. Unread, the pipe fills up (every
    request logs a line and emits its metrics) and the server, or a function's execution
    environment, blocks on its next print inside a request: later requests then hang."""

    def drain() -> None:
        # The start-up lines (where DynamoDB listens, the admin key) stay; past the cap
        # the oldest line after them goes, so a test still sees what its request printed
        # however long the session's stack has run.
        head = len(output)
        for line in stream:
            if len(output) >= _KEPT_OUTPUT_LINES:
                del output[head]
            output.append(line.rstrip())

    threading.Thread(target=drain, name="local-stack-output", daemon=True).start()


@pytest.fixture(scope="session", params=["local", "moto"], ids=["dynamodb-local", "moto"])
def local_stack(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[LocalStack]:
    """The local stack on DynamoDB Local (what `make dev` uses with Java) and on moto."""
    backend = request.param
    if backend == "local":
        dynamodb_local_or_skip()
    process, stack = start_local_stack(
        backend, tmp_path_factory.mktemp(f"data-{backend}"), UNLIMITED, CONCURRENCY
    )
    yield stack
    stop(process)


@pytest.fixture(scope="session")
def strict_stack(local_stack: LocalStack, tmp_path_factory) -> Iterator[LocalStack]:
    """A second deployment over the same table with other settings: permanent (308)
    redirects and a denylist. Links made on `local_stack` to a denied host show what
    happens to links made before a host was denied."""
    process, stack = start_local_stack(
        "auto",
        tmp_path_factory.mktemp("data-strict"),
        {
            **UNLIMITED,  # the table's rate counters are shared with local_stack's
            "DYNAMODB_ENDPOINT": local_stack.dynamodb_endpoint,
            "REDIRECT_STATUS": "308",
            "DENIED_HOSTS": "denied-later.example",
        },
    )
    yield stack
    stop(process)


@pytest.fixture(scope="session")
def rate_limited_stack(tmp_path_factory) -> Iterator[LocalStack]:
    """A deployment allowing 3 links an hour, on a table of its own: no other test's
    creations can count against its limit."""
    process, stack = start_local_stack(
        "moto",
        tmp_path_factory.mktemp("data-rate-limited"),
        {"CREATION_RATE_LIMIT": "3", "CREATION_RATE_WINDOW_SECONDS": "3600"},
    )
    yield stack
    stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
