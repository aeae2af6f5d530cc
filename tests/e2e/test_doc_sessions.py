"""The curl sessions in README.md and docs/api.md run as written against `make dev`.

A session is the part of a document between `<!-- session` and `<!-- end of session -->`.
Its `sh` blocks run in order in one bash, as a reader pastes them into one shell, with
BASE set to the local stack's address (the blocks say `BASE=${BASE:-<make dev's>}`). The
`http` block right after an `sh` block is what that block prints: each response's status,
the headers it shows, and its whole body. Where the document shows made-up values (a
generated id, a management token, a time, make dev's address), the real ones are mapped
onto them: the ids and tokens from the `shortId` and `managementToken` fields, always the
same real value to the same shown one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tests.dynamodb_servers import dynamodb_local_or_skip
from tests.e2e.conftest import LocalStack, start_local_stack, stop

DOCUMENTS = [REPO_ROOT / "README.md", REPO_ROOT / "docs" / "api.md"]

_SESSION = re.compile(r"<!-- session\b.*?-->(.*?)<!-- end of session -->", re.DOTALL)
_FENCED_BLOCK = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```$", re.DOTALL | re.MULTILINE)
_BASE_DEFAULT = re.compile(r"BASE=\$\{BASE:-(http://[^}]+)\}")
_STATUS_LINE = re.compile(r"HTTP/\d(?:\.\d)? (\d{3})\b")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
# The fields whose values each run makes anew: the real value is shown as the document's.
_FRESH_FIELDS = ("shortId", "managementToken")
_STEP_END = "--- end of step ---"


@dataclass(frozen=True)
class Step:
    commands: str
    expected: str  # the http block after it; empty: the step prints nothing


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: str


@dataclass
class Shown:
    """Which real value each made-up value the document shows stands for."""

    base: str
    real_base: str
    values: dict[str, str] = field(default_factory=dict)  # real -> shown

    def learn(self, expected: Response, actual: Response) -> None:
        shown, real = _json_object(expected.body), _json_object(actual.body)
        for name in _FRESH_FIELDS:
            if name in shown and name in real:
                previous = self.values.setdefault(real[name], shown[name])
                assert previous == shown[name], (
                    f"{name} {real[name]!r} is shown as both {previous!r} and {shown[name]!r}"
                )
        assert len(set(self.values.values())) == len(self.values), (
            f"two real values shown as one: {self.values}"
        )

    def of_real(self, text: str) -> str:
        text = text.replace(self.real_base, self.base)
        for real, shown in self.values.items():
            text = text.replace(real, shown)
        return _TIMESTAMP.sub("<time>", text)

    def of_shown(self, text: str) -> str:
        return _TIMESTAMP.sub("<time>", text)


def sessions(document: Path) -> list[list[Step]]:
    text = document.read_text(encoding="utf-8")
    found = []
    for session in _SESSION.findall(text):
        steps: list[Step] = []
        for info, body in _FENCED_BLOCK.findall(session):
            if info == "sh":
                steps.append(Step(body, ""))
            elif info == "http":
                assert steps, f"{document.name}: an http block before any sh block"
                assert not steps[-1].expected, f"{document.name}: two http blocks in a row"
                steps[-1] = Step(steps[-1].commands, body)
        found.append(steps)
    return found


def _responses(text: str) -> list[Response]:
    text = text.replace("\r\n", "\n")
    starts = [match.start() for match in _STATUS_LINE.finditer(text)]
    assert not text[: starts[0] if starts else len(text)].strip(), (
        f"output that is no HTTP response: {text!r}"
    )
    responses = []
    for start, end in pairwise([*starts, len(text)]):
        head, _, body = text[start:end].partition("\n\n")
        status_line, *header_lines = head.strip("\n").split("\n")
        match = _STATUS_LINE.match(status_line)
        assert match is not None, status_line
        headers = [
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(":") for line in header_lines)
        ]
        responses.append(Response(int(match.group(1)), headers, body.strip()))
    return responses


def _json_object(body: str) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _run(steps: list[Step], base_url: str, workdir: Path) -> list[str]:
    """Each step's output, from one bash that runs them all in order."""
    script = ["set -euo pipefail"]
    for step in steps:
        script += [step.commands, f"printf '\\n%s\\n' '{_STEP_END}'"]
    bin_dir = workdir / "bin"
    bin_dir.mkdir()
    if shutil.which("python3") is None:  # the docs' one-liners say python3
        (bin_dir / "python3").symlink_to(sys.executable)
    result = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=workdir,
        env={**os.environ, "BASE": base_url, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    outputs = result.stdout.split(f"\n{_STEP_END}\n")
    assert len(outputs) == len(steps) + 1, result.stdout
    return outputs[:-1]


def _compare(step: Step, output: str, shown: Shown) -> None:
    expected, actual = _responses(step.expected), _responses(output)
    where = f"after:\n{step.commands}"
    assert [r.status for r in actual] == [r.status for r in expected], f"{where}\n{output}"
    for want, got in zip(expected, actual, strict=True):
        shown.learn(want, got)
        for name, value in want.headers:
            values = [shown.of_real(v) for n, v in got.headers if n == name]
            assert shown.of_shown(value) in values, f"{where}\n{name}: {values}"
        if not want.body:
            assert not got.body, f"{where}\nthe document shows no body, but got:\n{got.body}"
        elif _json_object(want.body):
            assert json.loads(shown.of_real(got.body)) == json.loads(shown.of_shown(want.body)), (
                f"{where}\n{got.body}"
            )
        else:
            assert shown.of_real(got.body) == shown.of_shown(want.body), where


@pytest.fixture(scope="module", params=["local", "moto"], ids=["dynamodb-local", "moto"])
def fresh_stack(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[LocalStack]:
    """A local stack of the documents' own, empty as a reader's first `make dev` is. The
    shared one may already hold what a document creates: the OpenAPI test, which runs
    the API document's examples, creates the alias docs/api.md's session creates. (The
    documents share this one: no two may create the same alias.)"""
    if request.param == "local":
        dynamodb_local_or_skip()
    process, stack = start_local_stack(request.param, tmp_path_factory.mktemp("docs-data"))
    yield stack
    stop(process)


@pytest.mark.skipif(shutil.which("bash") is None, reason="the sessions are bash")
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_session_runs_as_written(document: Path, fresh_stack: LocalStack, tmp_path: Path):
    found = sessions(document)
    assert found, f"{document.name} has no session"
    for number, steps in enumerate(found):
        text = "".join(step.commands for step in steps)
        base = _BASE_DEFAULT.search(text)
        assert base is not None, "a session sets BASE=${BASE:-http://...} first"
        shown = Shown(base=base.group(1), real_base=fresh_stack.base_url)
        workdir = tmp_path / f"session-{number}"
        workdir.mkdir()
        for step, output in zip(steps, _run(steps, fresh_stack.base_url, workdir), strict=True):
            _compare(step, output, shown)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_sessions_name_the_address_make_dev_serves(document: Path):
    port = re.search(r"^PORT \?= (\d+)$", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE)
    assert port is not None
    text = document.read_text(encoding="utf-8")

    assert set(_BASE_DEFAULT.findall(text)) == {f"http://127.0.0.1:{port.group(1)}"}
