"""Create the template's DynamoDB tables (sam_template.tables) in a local DynamoDB.

An existing table is kept as it is, data and all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sam_template.tables import TableDefinition

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def ensure_table(client: DynamoDBClient, table: TableDefinition) -> bool:
    """Create the table unless it exists; True if it was created. TTL is switched on either way."""
    created = True
    try:
        client.create_table(**table.create_table_arguments)
    except client.exceptions.ResourceInUseException:
        created = False  # it exists already (from an earlier run, or a concurrent one)
    client.get_waiter("table_exists").wait(
        TableName=table.table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    if table.ttl_attribute:
        status = client.describe_time_to_live(TableName=table.table_name)
        if status["TimeToLiveDescription"].get("TimeToLiveStatus") in (None, "DISABLED"):
            client.update_time_to_live(
                TableName=table.table_name,
                TimeToLiveSpecification={"AttributeName": table.ttl_attribute, "Enabled": True},
            )
    return created
