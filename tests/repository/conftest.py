"""The repository suite: DynamoDBLinkRepository and its neighbours against each real
DynamoDB implementation (moto's server and Amazon's DynamoDB Local), over HTTP.

Every test runs once per implementation, on a fresh table built from template.yaml,
through the same client (repository/client.py) the functions use.
"""

from __future__ import annotations

from typing import Any

import pytest

from repository.client import create_dynamodb_client
from repository.dynamodb_links import DynamoDBLinkRepository
from repository.dynamodb_rate_counter import DynamoDBCreationCounter
from tests.dynamodb_faults import FaultInjector, record_backoffs_without_sleeping
from tests.dynamodb_servers import admin_client, fresh_links_table


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
def repository(client: Any, table_name: str) -> DynamoDBLinkRepository:
    return DynamoDBLinkRepository(client, table_name)


@pytest.fixture
def counter(client: Any, table_name: str) -> DynamoDBCreationCounter:
    return DynamoDBCreationCounter(client, table_name)
