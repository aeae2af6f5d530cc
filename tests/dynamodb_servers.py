"""Real DynamoDB implementations over real HTTP, for tests below the local stack.

Two of them, because each emulator is lenient somewhere: moto's server, and Amazon's
own DynamoDB Local. moto accepts requests AWS rejects (a 26-item BatchWriteItem, an
empty ExpressionAttributeNames), and DynamoDB Local rejects them as AWS does. Both
listen on 127.0.0.1 and are started at most once per test session (and xdist worker);
every test gets a fresh table of its own on them, built from template.yaml's
definition, so tests never see each other's items.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from devserver.dynamodb_backends import (
    DynamoDBLocal,
    DynamoDBLocalInstall,
    MotoDynamoDB,
    find_dynamodb_local,
)
from devserver.dynamodb_tables import ensure_table
from sam_template.application import load_application
from sam_template.document import TEMPLATE_PATH
from sam_template.tables import TableDefinition

REGION = "us-east-1"
# The same definition `make dev` creates its table from: the template's LinksTable.
LINKS_TABLE = next(
    table
    for table in load_application(TEMPLATE_PATH, REGION).tables
    if table.logical_id == "LinksTable"
)
# What Lambda's environment gives every function, with dummy credentials (a local
# DynamoDB takes any) and no way to fall back to a real account.
SDK_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def moto_server() -> Iterator[str]:
    """moto's server in a thread, yielding its endpoint URL."""
    server = MotoDynamoDB(reason="")
    try:
        yield server.endpoint_url
    finally:
        server.stop()


def dynamodb_local_or_skip() -> DynamoDBLocalInstall:
    """DynamoDB Local's install; the test is skipped where it cannot run, except in CI,
    which installs Java (.ci/run) and must exercise it."""
    install, why_not = find_dynamodb_local()
    if install is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run against DynamoDB Local: {why_not}")
        pytest.skip(f"no DynamoDB Local here ({why_not}); `make dev` falls back to moto")
    return install


def dynamodb_local_server(data_dir: Path) -> Iterator[str]:
    """Amazon's DynamoDB Local (Java), yielding its endpoint URL."""
    server = DynamoDBLocal(dynamodb_local_or_skip(), data_dir)
    try:
        yield server.endpoint_url
    finally:
        server.stop()


def fresh_links_table(endpoint_url: str) -> TableDefinition:
    """A new, empty links table on the server at `endpoint_url`, shaped as the template says."""
    name = f"{LINKS_TABLE.table_name}-{uuid.uuid4().hex[:12]}"
    table = replace(
        LINKS_TABLE,
        create_table_arguments={**LINKS_TABLE.create_table_arguments, "TableName": name},
    )
    ensure_table(admin_client(endpoint_url), table)
    return table


@cache
def admin_client(endpoint_url: str) -> Any:
    """One plain client per server, for setting up tables and looking at what was stored
    (building a client costs ~100 ms; tests make hundreds of tables)."""
    return botocore.session.get_session().create_client(
        "dynamodb",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
