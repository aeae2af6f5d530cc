"""Fixtures every layer of tests shares: the repository's paths, Lambda contexts, AWS's events."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
EVENTS_DIR = REPO_ROOT / "events"

# Property tests (hypothesis): no per-example deadline anywhere, since xdist workers on a
# loaded 2-core machine make timings meaningless; in CI the examples are derandomised
# (the same ones every run, no example database) so a red build reproduces.
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, database=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@dataclass
class FakeLambdaContext:
    """The attributes Powertools reads from Lambda's context object."""

    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "2026/11/21/[$LATEST]abcdef"

    # A fresh invocation of ShortenFunction, the longest Timeout (template.yaml).
    remaining_time_in_millis: int = 20_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_time_in_millis


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


def load_event(name: str) -> dict[str, Any]:
    """A fresh copy of one of AWS's HTTP API payload v2.0 events from events/."""
    return copy.deepcopy(json.loads((EVENTS_DIR / name).read_text(encoding="utf-8")))


# --- real DynamoDB servers (tests/dynamodb_servers.py) --------------------------------
# Imported inside the fixtures: most tests never start a server, and should not load one.


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from tests.dynamodb_servers import moto_server

    yield from moto_server()


@pytest.fixture(scope="session")
def dynamodb_local_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.dynamodb_servers import dynamodb_local_server

    yield from dynamodb_local_server(tmp_path_factory.mktemp("dynamodb-local"))


@pytest.fixture(params=["moto", "dynamodb-local"])
def dynamodb_endpoint(request: pytest.FixtureRequest) -> str:
    """Each DynamoDB implementation in turn: the test runs once against each."""
    fixture = "moto_endpoint" if request.param == "moto" else "dynamodb_local_endpoint"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def sdk_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials and a region; nothing can reach AWS."""
    from tests.dynamodb_servers import SDK_ENVIRONMENT

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in SDK_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """The test order's seed at the end of every run, -q included (pytest-randomly prints it
    only in the header, which -q hides), so that an order-dependent failure can be repeated."""
    seed = config.getoption("randomly_seed", default=None)
    if seed is not None:
        terminalreporter.write_line(f"Test order: -p randomly --randomly-seed={seed} repeats it")
