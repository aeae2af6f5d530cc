"""Create the template's DynamoDB tables (sam_template.tables) in a local DynamoDB.

An existing table is kept as it is, data and all; only what the template adds to it later
is switched on: TTL, and a stream (DynamoDB Local keeps tables on disk, so a table made
before the template declared its stream is still there without one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sam_template.tables import TableDefinition

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import WaiterConfigTypeDef

_WAITER: WaiterConfigTypeDef = {"Delay": 1, "MaxAttempts": 60}


def ensure_table(client: DynamoDBClient, table: TableDefinition) -> bool:
    """Create the table unless it exists; True if it was created. TTL and the stream are
    switched on either way."""
    created = True
    try:
        client.create_table(**table.create_table_arguments)
    except client.exceptions.ResourceInUseException:
        created = False  # it exists already (from an earlier run, or a concurrent one)
    client.get_waiter("table_exists").wait(TableName=table.table_name, WaiterConfig=_WAITER)
    if table.ttl_attribute:
        status = client.describe_time_to_live(TableName=table.table_name)
        if status["TimeToLiveDescription"].get("TimeToLiveStatus") in (None, "DISABLED"):
            client.update_time_to_live(
                TableName=table.table_name,
                TimeToLiveSpecification={"AttributeName": table.ttl_attribute, "Enabled": True},
            )
    if not created:
        _ensure_stream(client, table)
    return created


def _ensure_stream(client: DynamoDBClient, table: TableDefinition) -> None:
    """The stream the template declares, on a table that has none or another view type.

    A stream's view type cannot change: DynamoDB needs the old stream disabled first (its
    records stay readable for 24 hours; the new stream starts empty). A stream the template
    does not declare is left alone: nothing reads it.
    """
    wanted = table.create_table_arguments.get("StreamSpecification")
    if not wanted:
        return
    current = client.describe_table(TableName=table.table_name)["Table"].get("StreamSpecification")
    if current and current.get("StreamEnabled"):
        if current.get("StreamViewType") == wanted["StreamViewType"]:
            return
        client.update_table(
            TableName=table.table_name, StreamSpecification={"StreamEnabled": False}
        )
        client.get_waiter("table_exists").wait(TableName=table.table_name, WaiterConfig=_WAITER)
    client.update_table(TableName=table.table_name, StreamSpecification=wanted)
    client.get_waiter("table_exists").wait(TableName=table.table_name, WaiterConfig=_WAITER)
