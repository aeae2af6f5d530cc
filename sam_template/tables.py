"""The template's DynamoDB tables, as the CreateTable calls that make them locally.

Keys, attribute definitions, billing mode, indexes, streams and TTL come from the
template, so the local table is the table that deploys. Settings only the real service
has (encryption, point-in-time recovery, deletion protection) are left out: they change
nothing a handler can observe, and deletion protection would only get in the way of
resetting local data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sam_template.document import resources_of_type
from sam_template.intrinsics import Resolver

TABLE_TYPE = "AWS::DynamoDB::Table"
_INDEX_KEYS = ("IndexName", "KeySchema", "Projection")


@dataclass(frozen=True)
class TableDefinition:
    logical_id: str
    create_table_arguments: dict[str, Any]
    ttl_attribute: str | None = None

    @property
    def table_name(self) -> str:
        return str(self.create_table_arguments["TableName"])


def tables_from_template(template: dict[str, Any], resolver: Resolver) -> list[TableDefinition]:
    tables: list[TableDefinition] = []
    for logical_id, resource in resources_of_type(template, TABLE_TYPE).items():
        if not resolver.resource_enabled(logical_id):
            continue
        properties = resolver.resolve(resource.get("Properties") or {})
        billing_mode = properties.get("BillingMode", "PROVISIONED")
        arguments: dict[str, Any] = {
            "TableName": resolver.physical_name(logical_id),
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "KeySchema": properties["KeySchema"],
            "BillingMode": billing_mode,
        }
        provisioned = billing_mode == "PROVISIONED"
        if provisioned:
            arguments["ProvisionedThroughput"] = _throughput(
                properties.get("ProvisionedThroughput")
            )
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if properties.get(kind):
                arguments[kind] = [
                    _index(index, with_throughput=provisioned and kind.startswith("Global"))
                    for index in properties[kind]
                ]
        stream = properties.get("StreamSpecification")
        if stream and stream.get("StreamViewType"):
            arguments["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": stream["StreamViewType"],
            }
        ttl = properties.get("TimeToLiveSpecification") or {}
        tables.append(
            TableDefinition(
                logical_id=logical_id,
                create_table_arguments=arguments,
                ttl_attribute=ttl.get("AttributeName") if ttl.get("Enabled") else None,
            )
        )
    return tables


def _throughput(value: Any) -> dict[str, int]:
    value = value or {}
    return {
        "ReadCapacityUnits": int(value.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(value.get("WriteCapacityUnits", 5)),
    }


def _index(index: dict[str, Any], *, with_throughput: bool) -> dict[str, Any]:
    result = {key: index[key] for key in _INDEX_KEYS if key in index}
    if with_throughput:
        result["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput"))
    return result
