"""The throttling proxy in front of a real local DynamoDB, driven by real boto3 clients:
what DynamoDB refuses past an item's rate, botocore sees and retries as it would on AWS,
and what it lets through arrives and comes back untouched.

The model's clock is a fake one the test moves, so that "within the second" and "once the
item has refilled" never depend on how fast this machine runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries import standard

from devserver import LOOPBACK
from devserver.dynamodb_backends import sdk_environment
from devserver.dynamodb_throttling import WRITE_REASON, ThrottlingLimits
from devserver.dynamodb_throttling_proxy import (
    REPORT_PATH,
    ThrottlingProxy,
    start_throttling_proxy,
)
from tests.devserver.conftest import REPO_ROOT
from tests.devserver.test_devserver_process import listening_addresses
from tests.dynamodb_servers import REGION, admin_client, fresh_links_table

WRITES_PER_SECOND = 5
READS_PER_SECOND = 4
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Throttled:
    """A fresh table on a real DynamoDB, and the proxy in front of it."""

    backend_url: str
    table: str
    proxy: ThrottlingProxy
    clock: FakeClock

    def client(self, config: Config = NO_RETRIES) -> Any:
        return boto3.client(
            "dynamodb",
            endpoint_url=self.proxy.endpoint_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=config,
        )

    def stored(self, pk: str) -> dict[str, Any] | None:
        """The item as the DynamoDB behind the proxy holds it."""
        answer = admin_client(self.backend_url).get_item(
            TableName=self.table, Key=key(pk), ConsistentRead=True
        )
        item: dict[str, Any] | None = answer.get("Item")
        return item

    def click(self, client: Any, pk: str) -> dict[str, Any]:
        answer: dict[str, Any] = client.update_item(
            TableName=self.table,
            Key=key(pk),
            UpdateExpression="ADD clicks :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        )
        return answer

    def report(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.proxy.endpoint_url + REPORT_PATH, timeout=10) as answer:
            report: dict[str, Any] = json.load(answer)
        return report

    def item_counts(self, pk: str) -> dict[str, Any]:
        counts: dict[str, Any] = self.report()["items"][f"{self.table} PK={pk} SK=META"]
        return counts


def key(pk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": "META"}}


def throttled_table(backend_url: str) -> Iterator[Throttled]:
    table = fresh_links_table(backend_url).table_name
    clock = FakeClock()
    limits = ThrottlingLimits(WRITES_PER_SECOND, READS_PER_SECOND)
    proxy = start_throttling_proxy(backend_url, REGION, limits, clock)
    try:
        yield Throttled(backend_url, table, proxy, clock)
    finally:
        proxy.stop()


@pytest.fixture
def throttled(moto_endpoint: str) -> Iterator[Throttled]:
    yield from throttled_table(moto_endpoint)


@pytest.fixture
def throttled_on_each(dynamodb_endpoint: str) -> Iterator[Throttled]:
    yield from throttled_table(dynamodb_endpoint)


def error_of(failure: pytest.ExceptionInfo[ClientError]) -> str:
    return str(failure.value.response["Error"]["Code"])


def test_past_the_rate_a_client_without_retries_is_throttled_and_nothing_is_applied(
    throttled_on_each: Throttled,
) -> None:
    throttled = throttled_on_each
    client = throttled.client()
    for expected in range(1, WRITES_PER_SECOND + 1):
        assert throttled.click(client, "LINK#hot")["Attributes"]["clicks"] == {"N": str(expected)}

    with pytest.raises(ClientError) as refused:
        throttled.click(client, "LINK#hot")
    with pytest.raises(ClientError) as refused_put:
        client.put_item(TableName=throttled.table, Item={**key("LINK#hot"), "url": {"S": "x"}})

    assert error_of(refused) == error_of(refused_put) == "ProvisionedThroughputExceededException"
    answer = cast(dict[str, Any], refused.value.response)  # with DynamoDB's own fields
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert answer["ResponseMetadata"]["RetryAttempts"] == 0
    table_arn = admin_client(throttled.backend_url).describe_table(TableName=throttled.table)
    assert answer["ThrottlingReasons"] == [
        {"reason": WRITE_REASON, "resource": table_arn["Table"]["TableArn"]}
    ]
    # Neither refused write reached the table; other items are not held back.
    assert throttled.stored("LINK#hot") == {**key("LINK#hot"), "clicks": {"N": "5"}}
    assert throttled.click(client, "LINK#cold")["Attributes"]["clicks"] == {"N": "1"}
    assert throttled.item_counts("LINK#hot")["writes_refused"] == 2
    # Once the item has refilled (simulated time), it takes writes again.
    throttled.clock.now += 1 / WRITES_PER_SECOND
    assert throttled.click(client, "LINK#hot")["Attributes"]["clicks"] == {"N": "6"}


def test_botocore_retries_a_throttled_write_which_passes_once_the_item_refills(
    throttled: Throttled, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    compute = standard.ExponentialBackoff.delay_amount

    def wait_in_simulated_time(self: standard.ExponentialBackoff, context: Any) -> float:
        waits.append(compute(self, context))
        throttled.clock.now += 1  # the wait, in the model's time; none in the test's
        return 0.0

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", wait_in_simulated_time)
    client = throttled.client(Config(retries={"mode": "standard", "total_max_attempts": 3}))
    for _ in range(WRITES_PER_SECOND):
        throttled.click(client, "LINK#hot")
    assert waits == []

    answer = throttled.click(client, "LINK#hot")

    assert answer["Attributes"]["clicks"] == {"N": str(WRITES_PER_SECOND + 1)}
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(waits) == 1
    assert throttled.item_counts("LINK#hot")["writes_refused"] == 1


def test_botocore_gives_up_after_its_attempts_while_the_item_stays_over_budget(
    throttled: Throttled, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    client = throttled.client(Config(retries={"mode": "standard", "total_max_attempts": 3}))
    for _ in range(WRITES_PER_SECOND):
        throttled.click(client, "LINK#hot")

    with pytest.raises(ClientError) as refused:
        throttled.click(client, "LINK#hot")

    assert error_of(refused) == "ProvisionedThroughputExceededException"
    assert refused.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert throttled.item_counts("LINK#hot")["writes_refused"] == 3  # every attempt reached it
    assert throttled.stored("LINK#hot") == {**key("LINK#hot"), "clicks": {"N": "5"}}


def test_clients_in_other_connections_and_processes_share_one_budget(throttled: Throttled) -> None:
    first, second = throttled.client(), throttled.client()
    for _ in range(3):
        throttled.click(first, "LINK#hot")
    for _ in range(2):
        throttled.click(second, "LINK#hot")
    with pytest.raises(ClientError):
        throttled.click(first, "LINK#hot")

    # Another process, its SDK pointed at the proxy as the devserver points the functions'.
    script = textwrap.dedent(
        f"""
        import boto3, botocore.config, botocore.exceptions
        client = boto3.client(
            "dynamodb", config=botocore.config.Config(retries={{"total_max_attempts": 1}})
        )
        try:
            client.put_item(TableName="{throttled.table}", Item={key("LINK#hot")!r})
        except botocore.exceptions.ClientError as exc:
            print(exc.response["Error"]["Code"])
        client.put_item(TableName="{throttled.table}", Item={key("LINK#elsewhere")!r})
        print("stored")
        """
    )
    environment = {
        "PATH": "/usr/bin:/bin",
        **sdk_environment(throttled.proxy.endpoint_url, REGION, {}),
    }
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO_ROOT,
        timeout=30,
        check=False,
    )

    assert completed.stdout.split() == ["ProvisionedThroughputExceededException", "stored"], (
        completed.stderr
    )
    assert throttled.stored("LINK#hot") == {**key("LINK#hot"), "clicks": {"N": "5"}}


def test_a_transaction_touching_an_item_over_budget_is_cancelled_whole(
    throttled: Throttled,
) -> None:
    client = throttled.client()
    for _ in range(WRITES_PER_SECOND):
        throttled.click(client, "LINK#hot")

    with pytest.raises(ClientError) as cancelled:
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": throttled.table, "Item": key("LINK#new")}},
                {
                    "Update": {
                        "TableName": throttled.table,
                        "Key": key("LINK#hot"),
                        "UpdateExpression": "SET #u = :u",
                        "ExpressionAttributeNames": {"#u": "url"},
                        "ExpressionAttributeValues": {":u": {"S": "https://example.com/"}},
                    }
                },
            ]
        )

    assert error_of(cancelled) == "TransactionCanceledException"
    reasons = cancelled.value.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None", "ThrottlingError"]
    assert throttled.stored("LINK#new") is None
    assert throttled.stored("LINK#hot") == {**key("LINK#hot"), "clicks": {"N": "5"}}


def test_a_batch_get_answers_the_keys_over_budget_as_unprocessed(
    throttled_on_each: Throttled,
) -> None:
    throttled = throttled_on_each
    client = throttled.client()
    for pk in ("LINK#hot", "LINK#cold"):
        client.put_item(TableName=throttled.table, Item={**key(pk), "url": {"S": pk}})
    for _ in range(READS_PER_SECOND):
        client.get_item(TableName=throttled.table, Key=key("LINK#hot"), ConsistentRead=True)

    # botocore's legacy retry mode (boto3's default) checks an answer's CRC32: the proxy's
    # rewritten answer must carry its own.
    legacy = throttled.client(Config(retries={"mode": "legacy", "total_max_attempts": 1}))
    answer = legacy.batch_get_item(
        RequestItems={
            throttled.table: {"Keys": [key("LINK#hot"), key("LINK#cold")], "ConsistentRead": True}
        }
    )

    assert answer["Responses"][throttled.table] == [{**key("LINK#cold"), "url": {"S": "LINK#cold"}}]
    assert answer["UnprocessedKeys"] == {
        throttled.table: {"Keys": [key("LINK#hot")], "ConsistentRead": True}
    }


def test_everything_else_passes_through_untouched(throttled: Throttled) -> None:
    client = throttled.client()
    big = "x" * 60_000
    for index in range(20):  # 1.2 MB: a query answer that spans pages, streamed back
        client.put_item(
            TableName=throttled.table,
            Item={"PK": {"S": "LINK#many"}, "SK": {"S": f"DAY#{index:02}"}, "big": {"S": big}},
        )

    pages = list(
        client.get_paginator("query").paginate(
            TableName=throttled.table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": "LINK#many"}},
        )
    )
    with pytest.raises(ClientError) as conditional:
        client.put_item(
            TableName=throttled.table,
            Item=key("LINK#many"),
            ConditionExpression="attribute_exists(PK)",
        )

    items = [item for page in pages for item in page["Items"]]
    assert [item["SK"]["S"] for item in items] == [f"DAY#{index:02}" for index in range(20)]
    assert all(item["big"]["S"] == big for item in items)
    assert len(pages) > 1
    assert error_of(conditional) == "ConditionalCheckFailedException"
    assert client.describe_table(TableName=throttled.table)["Table"]["TableName"] == throttled.table
    report = throttled.report()
    assert report["refused"] == 0
    assert report["operations"]["Query"]["requests"] == len(pages)
    assert report["operations"]["PutItem"] == {"requests": 21, "refused": 0}


def test_the_proxy_listens_on_loopback_only(throttled: Throttled) -> None:
    port = urlsplit(throttled.proxy.endpoint_url).port
    assert port is not None
    assert listening_addresses(port) == [LOOPBACK]
