"""Integration fixtures: the real repository and handlers against moto's DynamoDB.

The table is created from template.yaml's own LinksTable definition, so a change to
keys or attributes in the template is what these tests run against.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devserver.dynamodb_tables import ensure_table
from handlers import wiring
from repository.client import create_dynamodb_client
from repository.dynamodb_links import DynamoDBLinkRepository
from sam_template.application import load_application
from sam_template.document import TEMPLATE_PATH
from tests.dynamodb_servers import LINKS_TABLE

_APPLICATION = load_application(TEMPLATE_PATH, "us-east-1")
TABLE_NAME = LINKS_TABLE.table_name
# What the template sets for the functions, with its parameters' defaults.
FUNCTION_ENVIRONMENT = next(
    function.environment
    for function in _APPLICATION.functions
    if function.logical_id == "ShortenFunction"
)
# Limits no test's creations reach, unless it sets its own.
NO_RATE_LIMITS = {
    "CREATION_RATE_LIMIT": "100000",
    "CREATION_RATE_LIMIT_PER_56": "100000",
    "CREATION_RATE_LIMIT_PER_48": "100000",
    "CREATION_CEILING_PER_MINUTE": "100000",
}


@pytest.fixture
def aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region, no endpoint override: nothing can reach AWS or a local DB."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def dynamodb(aws_environment: None) -> Iterator[Any]:
    """A low-level DynamoDB client on moto, with the links table created from the template."""
    with mock_aws():
        client = boto3.client("dynamodb")
        ensure_table(client, LINKS_TABLE)
        yield client


class CallCounter:
    """Counts the DynamoDB operations a client sends, by name."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def __call__(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)


@pytest.fixture
def dynamodb_calls(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[CallCounter]:
    """Points the handlers' real wiring at moto and records every DynamoDB call they make."""
    for name, value in FUNCTION_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LINKS_TABLE_NAME", TABLE_NAME)
    # The events are API Gateway's own, sent straight to the handlers, as a stack that
    # allows direct access takes them (test_behind_cloudfront.py sends them as
    # CloudFront does, and shows the default refusing them).
    monkeypatch.setenv("ALLOW_DIRECT_API_ACCESS", "true")
    # Tests create many links from one address; the rate-limit tests set their own limit.
    for name, value in NO_RATE_LIMITS.items():
        monkeypatch.setenv(name, value)
    counter = CallCounter()

    def counted_client() -> Any:
        client = create_dynamodb_client()
        client.meta.events.register("before-call.dynamodb", counter)
        return client

    monkeypatch.setattr(wiring, "create_dynamodb_client", counted_client)
    wiring.reset()
    yield counter
    wiring.reset()


@pytest.fixture
def repository(dynamodb: Any) -> DynamoDBLinkRepository:
    return DynamoDBLinkRepository(create_dynamodb_client(), TABLE_NAME)
