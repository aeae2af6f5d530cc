"""The functions' real wiring on a fresh table of a DynamoDB server, with a fault injector
in their client: what the tests that break DynamoDB on purpose run on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from handlers import wiring
from repository.client import create_dynamodb_client
from tests.dynamodb_faults import FaultInjector, record_backoffs_without_sleeping
from tests.dynamodb_servers import admin_client, fresh_links_table
from tests.integration.conftest import FUNCTION_ENVIRONMENT, NO_RATE_LIMITS


@dataclass
class Stack:
    faults: FaultInjector
    table_name: str
    endpoint: str

    def items(self) -> list[dict[str, Any]]:
        items = admin_client(self.endpoint).scan(TableName=self.table_name, ConsistentRead=True)
        return sorted(items["Items"], key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


def stack_on(endpoint: str, monkeypatch: pytest.MonkeyPatch, **environment: str) -> Iterator[Stack]:
    """A fixture's body: the functions' environment as the template sets it (no rate
    limits, API Gateway's own events allowed, `environment` on top), their client
    faulted, torn down after the test."""
    table = fresh_links_table(endpoint)
    settings = {
        **FUNCTION_ENVIRONMENT,
        **NO_RATE_LIMITS,
        "LINKS_TABLE_NAME": table.table_name,
        "ALLOW_DIRECT_API_ACCESS": "true",  # API Gateway's own events
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        **environment,
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    faults = FaultInjector()
    record_backoffs_without_sleeping(faults, monkeypatch)
    create_client = create_dynamodb_client
    monkeypatch.setattr(wiring, "create_dynamodb_client", lambda: faults.install(create_client()))
    wiring.reset()
    yield Stack(faults, table.table_name, endpoint)
    wiring.reset()
