"""The DynamoDB client every function shares, built once per container.

botocore's session is used directly rather than boto3.client(): it is the same SDK
underneath and saves boto3's import on every cold start. Endpoint and region come
from the standard AWS settings, so `AWS_ENDPOINT_URL_DYNAMODB` points it at a local
DynamoDB (as `make dev` does) without any code path of our own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import botocore.session
from botocore.config import Config

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb import DynamoDBClient

# Timeouts far below the function's own (template.yaml: Globals.Function.Timeout) so
# a stuck call is retried, and a failing one becomes a clear error instead of a
# Lambda timeout. DynamoDB answers in single-digit milliseconds when healthy.
CLIENT_CONFIG = Config(
    connect_timeout=1,
    read_timeout=1,
    retries={"mode": "standard", "total_max_attempts": 3},
    tcp_keepalive=True,
)


def create_dynamodb_client() -> DynamoDBClient:
    session = botocore.session.get_session()
    return cast("DynamoDBClient", session.create_client("dynamodb", config=CLIENT_CONFIG))
