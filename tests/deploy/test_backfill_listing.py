"""`backfill-listing` on moto: links written before ListIndex (no `listed`) are put into
the operators' listing once, tombstones too, and nothing else changes."""

from __future__ import annotations

import boto3
import pytest

from deploy import backfill_listing
from deploy.samconfig import region
from tests.deploy.test_admin_key import TABLE, dev_stack  # noqa: F401  # the fixture

REGION = region("dev")


def put_old_link(client, short_id: str, **attributes: dict) -> None:
    client.put_item(
        TableName=TABLE,
        Item={
            "PK": {"S": f"LINK#{short_id}"},
            "SK": {"S": "META"},
            "createdAt": {"S": "2026-01-02T03:04:05.678Z"},
            "clicks": {"N": "7"},
            **attributes,
        },
    )


def listed(client) -> list[str]:
    answer = client.query(
        TableName=TABLE,
        IndexName="ListIndex",
        KeyConditionExpression="listed = :link",
        ExpressionAttributeValues={":link": {"S": "LINK"}},
    )
    return [item["created"]["S"] for item in answer["Items"]]


def test_older_links_and_tombstones_are_listed_once(dev_stack, capsys):  # noqa: F811
    client = boto3.client("dynamodb", region_name=REGION)
    put_old_link(client, "old1", url={"S": "https://Example.com/a"})
    put_old_link(client, "gone1", deletedAt={"S": "2026-02-01T00:00:00.000Z"})
    client.put_item(TableName=TABLE, Item={"PK": {"S": "RATE#all"}, "SK": {"S": "CREATIONS#x"}})

    assert backfill_listing.main(["--env", "dev"]) == 0
    assert backfill_listing.main(["--env", "dev"]) == 0

    assert sorted(listed(client)) == [
        "2026-01-02T03:04:05.678Z#gone1",
        "2026-01-02T03:04:05.678Z#old1",
    ]
    old = client.get_item(TableName=TABLE, Key={"PK": {"S": "LINK#old1"}, "SK": {"S": "META"}})
    assert old["Item"]["host"] == {"S": "example.com"}
    assert old["Item"]["clicks"] == {"N": "7"}
    output = capsys.readouterr().out
    assert "2 link(s)" in output
    assert "0 link(s)" in output


def test_a_stack_that_is_not_deployed(aws, capsys):
    assert backfill_listing.main(["--env", "dev"]) == 1
    assert "there is no stack" in capsys.readouterr().err


@pytest.mark.parametrize("environment", ["nowhere"])
def test_an_environment_samconfig_does_not_know(capsys, environment):
    assert backfill_listing.main(["--env", environment]) == 1
    assert capsys.readouterr().err.startswith("backfill-listing: ")
