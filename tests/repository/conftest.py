"""The repository suite: the domain's storage ports against every implementation.

A test runs once per backend, each on fresh storage:
- `memory`: the unit tests' fakes (tests/unit/fakes.py), which promise to behave as
  the real repository does; this is where that promise is checked;
- `moto` and `dynamodb-local`: DynamoDBLinkRepository and its neighbours against moto's
  server and Amazon's DynamoDB Local, over HTTP, on a table built from template.yaml,
  through the same client (repository/client.py) the functions use.

A test that looks at DynamoDB itself (its items, its requests, injected faults) is
marked `dynamodb_only` and runs on the two DynamoDB backends. An unmarked test that
asks for one of those fixtures is an error, never a skip.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from domain.ports import CreationCounter, LinkRepository
from repository.client import create_dynamodb_client
from repository.dynamodb_links import DynamoDBLinkRepository
from repository.dynamodb_rate_counter import DynamoDBCreationCounter
from tests.dynamodb_faults import FaultInjector, record_backoffs_without_sleeping
from tests.dynamodb_servers import admin_client, fresh_links_table
from tests.unit.fakes import FakeCreationCounter, FakeLinkRepository

MEMORY, MOTO, DYNAMODB_LOCAL = "memory", "moto", "dynamodb-local"
DYNAMODB_BACKENDS = (MOTO, DYNAMODB_LOCAL)
ALL_BACKENDS = (MEMORY, *DYNAMODB_BACKENDS)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "dynamodb_only: looks at DynamoDB itself; runs on moto and DynamoDB Local"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that stores something gets each backend in turn, unless it names its
    own (`@pytest.mark.parametrize("backend", [MOTO])`)."""
    if "backend" not in metafunc.fixturenames or _names_its_backends(metafunc):
        return
    marked = metafunc.definition.get_closest_marker("dynamodb_only") is not None
    metafunc.parametrize("backend", DYNAMODB_BACKENDS if marked else ALL_BACKENDS)


def _names_its_backends(metafunc: pytest.Metafunc) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        names: str | Sequence[str] = marker.args[0]
        if isinstance(names, str):
            names = names.split(",")
        if "backend" in (name.strip() for name in names):
            return True
    return False


@pytest.fixture
def dynamodb_endpoint(backend: str, request: pytest.FixtureRequest) -> str:
    """The DynamoDB server this test's backend runs on (tests/conftest.py starts them)."""
    if backend == MEMORY:
        pytest.fail(
            f"{request.node.name} looks at DynamoDB itself, which the memory backend has"
            " not: mark it @pytest.mark.dynamodb_only"
        )
    fixture = "moto_endpoint" if backend == MOTO else "dynamodb_local_endpoint"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def table_name(dynamodb_endpoint: str, sdk_environment: None, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint)
    return fresh_links_table(dynamodb_endpoint).table_name


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> FaultInjector:
    injector = FaultInjector()
    record_backoffs_without_sleeping(injector, monkeypatch)
    return injector


@pytest.fixture
def client(table_name: str, faults: FaultInjector) -> Any:
    """The functions' own client, with a fault injector that stays idle until told."""
    return faults.install(create_dynamodb_client())


@pytest.fixture
def dynamodb(table_name: str, dynamodb_endpoint: str) -> Any:
    """A second client, outside the injector's reach, to look at what was stored."""
    return admin_client(dynamodb_endpoint)


@pytest.fixture
def repository(backend: str, request: pytest.FixtureRequest) -> LinkRepository:
    if backend == MEMORY:
        return FakeLinkRepository()
    return DynamoDBLinkRepository(
        request.getfixturevalue("client"), request.getfixturevalue("table_name")
    )


@pytest.fixture
def counter(backend: str, request: pytest.FixtureRequest) -> CreationCounter:
    if backend == MEMORY:
        return FakeCreationCounter()
    return DynamoDBCreationCounter(
        request.getfixturevalue("client"), request.getfixturevalue("table_name")
    )
