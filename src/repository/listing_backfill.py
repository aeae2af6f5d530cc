"""Puts links made before ListIndex into it: `python -m deploy backfill-listing`.

A link written before this version has no `listed`, `created` or `host`, so neither
listing shows it. Nothing at run time adds them (the redirect's role may not name them,
and an owner's change is no time to), so an operator runs this once per stack after the
upgrade: a Scan of the table for such links, each given the three in an UpdateItem that
applies only to a link still without them. Safe to run again, or while the stack
serves: it never touches a link twice, nor anything but those three attributes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.host_rules import hostname_of
from domain.links import rfc3339
from repository.keys import INDEX_SORT_KEY, LINK_PREFIX, LIST_INDEX_KEY, LISTED

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def backfill_listing(client: DynamoDBClient, table: str) -> int:
    """How many links it put into ListIndex."""
    request: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "begins_with(PK, :link) AND attribute_not_exists(#listed)",
        "ProjectionExpression": "PK, SK, createdAt, #url",
        "ExpressionAttributeNames": {"#listed": LIST_INDEX_KEY, "#url": "url"},
        "ExpressionAttributeValues": {":link": {"S": LINK_PREFIX}},
    }
    listed = 0
    while True:
        page = client.scan(**request)
        for item in page.get("Items", []):
            listed += _list(client, table, item)
        if "LastEvaluatedKey" not in page:
            return listed
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _list(client: DynamoDBClient, table: str, item: dict[str, Any]) -> int:
    short_id = item["PK"]["S"].removeprefix(LINK_PREFIX)
    created_at = datetime.fromisoformat(item["createdAt"]["S"])
    sets = ["#listed = :listed", "#created = :created"]
    values: dict[str, Any] = {
        ":listed": {"S": LISTED},
        ":created": {"S": f"{rfc3339(created_at)}#{short_id}"},
    }
    if "url" in item:  # a tombstone has no target
        sets.append("host = :host")
        values[":host"] = {"S": hostname_of(item["url"]["S"])}
    try:
        client.update_item(
            TableName=table,
            Key={"PK": item["PK"], "SK": item["SK"]},
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="attribute_exists(PK) AND attribute_not_exists(#listed)",
            ExpressionAttributeNames={"#listed": LIST_INDEX_KEY, "#created": INDEX_SORT_KEY},
            ExpressionAttributeValues=values,
        )
    except client.exceptions.ConditionalCheckFailedException:
        return 0  # listed meanwhile (another run)
    return 1
