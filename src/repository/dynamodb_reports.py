"""Abuse reports in the single table (repository/keys.py):

    a report              PK = REPORTS              SK = <at>#<reportId>
        shortId, reason, details (absent if none), createdAt
    a link's last notice  PK = REPORTED#<shortId>   SK = META
        notifiedAt, ttl (an hour on: DynamoDB deletes it by itself, and reads never
        rely on that)

One partition lists every report newest first with one Query. Reports are rare next to
clicks; a flood of them is limited per address before it gets here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.links import rfc3339
from domain.pages import Page
from domain.reports import NOTIFY_EVERY, Report, ReportReason
from repository.cursors import decode_cursor, encode_cursor
from repository.keys import REPORT_PARTITION, TTL_ATTRIBUTE, report_key, reported_key
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_KEY = ("PK", "SK")


class DynamoDBReports:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @raises_storage_unavailable("storing a report")
    def add(self, report: Report) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=report_to_item(report),
            ConditionExpression="attribute_not_exists(PK)",  # 64 random bits: never taken
        )

    @raises_storage_unavailable("claiming a report's notification")
    def claim_notification(self, short_id: str, now: datetime) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=reported_key(short_id),
                UpdateExpression="SET notifiedAt = :now, #ttl = :expires",
                ConditionExpression="attribute_not_exists(notifiedAt) OR notifiedAt <= :before",
                ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
                ExpressionAttributeValues={
                    ":now": {"S": rfc3339(now)},
                    ":before": {"S": rfc3339(now - NOTIFY_EVERY)},
                    ":expires": {"N": str(int((now + NOTIFY_EVERY).timestamp()) + 60)},
                },
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    @raises_storage_unavailable("releasing a report's notification")
    def release_notification(self, short_id: str, claimed_at: datetime) -> None:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=reported_key(short_id),
                ConditionExpression="notifiedAt = :claimed",  # only our own claim
                ExpressionAttributeValues={":claimed": {"S": rfc3339(claimed_at)}},
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return

    @raises_storage_unavailable("listing reports")
    def list(self, limit: int, cursor: str | None = None) -> Page[Report]:
        """Reports newest first, `limit` to a page."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :reports",
            "ExpressionAttributeValues": {":reports": {"S": REPORT_PARTITION}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor is not None:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, _KEY, partition=("PK", REPORT_PARTITION)
            )
        response = self._client.query(**request)
        last = response.get("LastEvaluatedKey")
        return Page(
            [report_from_item(item) for item in response.get("Items", [])],
            encode_cursor(last, _KEY) if last else None,
        )


def report_to_item(report: Report) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        **report_key(report.created_at, report.report_id),
        "shortId": {"S": report.short_id},
        "reason": {"S": report.reason.value},
        "createdAt": {"S": rfc3339(report.created_at)},
    }
    if report.details is not None:
        item["details"] = {"S": report.details}
    return item


def report_from_item(item: Mapping[str, AttributeValueTypeDef]) -> Report:
    return Report(
        report_id=item["SK"]["S"].rpartition("#")[2],
        short_id=item["shortId"]["S"],
        reason=ReportReason(item["reason"]["S"]),
        created_at=datetime.fromisoformat(item["createdAt"]["S"]),
        details=item["details"]["S"] if "details" in item else None,
    )
