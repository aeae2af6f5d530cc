"""Fixtures for the devserver's own tests: small projects in tmp dirs, servers on free ports.

Handlers run in execution environments (child processes) of their own, never in the
test's process; each project's handler package still gets a unique name, so that a
traceback or a log line always says which test's handler it came from.
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

from devserver.project import Project, load_project, local_http_api
from devserver.server import LocalHttpApi, serve

REPO_ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"


@dataclass(frozen=True)
class FixtureProject:
    root: Path
    template: Path
    web_dir: Path
    package: str


def write_project(root: Path, template: str, handlers: dict[str, str]) -> FixtureProject:
    """A template and its handler package under root; "PKG" in the template is the package."""
    package = f"devserver_fixture_{uuid.uuid4().hex[:12]}"
    package_dir = root / "code" / package
    package_dir.mkdir(parents=True)
    (package_dir / "__init__.py").write_text("", encoding="utf-8")
    for module, source in handlers.items():
        (package_dir / f"{module}.py").write_text(source, encoding="utf-8")
    template_path = root / "template.yaml"
    template_path.write_text(template.replace("PKG", package), encoding="utf-8")
    web_dir = root / "web"
    web_dir.mkdir()
    return FixtureProject(root=root, template=template_path, web_dir=web_dir, package=package)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def http_request(
    port: int,
    method: str,
    target: str,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
) -> Response:
    """One request, sent exactly as given (raw target, repeated headers), on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("content-length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


@dataclass
class RunningApi:
    port: int
    project: Project
    api: LocalHttpApi

    def request(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]] = (),
        body: bytes | None = None,
    ) -> Response:
        return http_request(self.port, method, target, headers, body)


def start_in_process(fixture: FixtureProject, concurrency: int = 2) -> Iterator[RunningApi]:
    """The devserver's HTTP side in this process (no DynamoDB), as __main__ wires it; the
    functions in execution environments of their own, as there."""
    project = load_project(fixture.template, REGION)
    api = local_http_api(project, fixture.web_dir, os.environ, concurrency)
    server = serve(api, 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield RunningApi(port=server.server_address[1], project=project, api=api)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        api.close()


@dataclass
class DevserverProcess:
    """`python -m devserver` as a child process, its output collected line by line."""

    args: list[str]
    env: dict[str, str]
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    process: subprocess.Popen[str] | None = None
    _lines: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def start(self, timeout: float = 60) -> int:
        """Start it and wait for the Listening line; returns the port it prints."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devserver", *self.args],
            cwd=REPO_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        threading.Thread(target=self._read, args=(self.process.stdout, True), daemon=True).start()
        threading.Thread(target=self._read, args=(self.process.stderr, False), daemon=True).start()
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                self.stop(signal.SIGKILL)
                pytest.fail(f"no Listening line within {timeout} s: {self.output()}")
            if line is None:
                self.process.wait()
                pytest.fail(f"devserver exited with {self.process.returncode}: {self.output()}")
            listening = re.fullmatch(r"Listening on http://127\.0\.0\.1:(\d+)", line.strip())
            if listening:
                return int(listening.group(1))

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout=timeout)

    def line_starting(self, prefix: str) -> str:
        return next(line for line in self.stdout if line.startswith(prefix))

    def output(self) -> str:
        return "".join(self.stdout) + "\n--- stderr ---\n" + "".join(self.stderr)

    def _read(self, stream: IO[str], is_stdout: bool) -> None:
        for line in stream:
            (self.stdout if is_stdout else self.stderr).append(line)
            if is_stdout:
                self._lines.put(line)
        if is_stdout:
            self._lines.put(None)


def devserver_environment(**overrides: str) -> dict[str, str]:
    """This environment without anything that points boto3 somewhere else."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "DYNAMODB_")) and key != "PORT"
    }
    env.update({"PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1", **overrides})
    return env
