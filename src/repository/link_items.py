"""Link entity <-> DynamoDB item, explicitly, so no raw item leaves this package.

Attribute names are part of the stored data's contract: `url`, `createdAt`,
`clicks`, `lastClickedAt` (timestamps as RFC 3339 strings in UTC).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

from domain.links import Link, rfc3339
from repository.keys import LINK_PREFIX, link_key


def link_to_item(link: Link) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        **link_key(link.short_id),
        "url": {"S": link.url},
        "createdAt": {"S": rfc3339(link.created_at)},
        "clicks": {"N": str(link.clicks)},
    }
    if link.last_clicked_at is not None:
        item["lastClickedAt"] = {"S": rfc3339(link.last_clicked_at)}
    return item


def link_from_item(item: Mapping[str, AttributeValueTypeDef]) -> Link:
    last_clicked = item.get("lastClickedAt")
    return Link(
        short_id=item["PK"]["S"].removeprefix(LINK_PREFIX),
        url=item["url"]["S"],
        created_at=datetime.fromisoformat(item["createdAt"]["S"]),
        clicks=int(item["clicks"]["N"]),
        last_clicked_at=datetime.fromisoformat(last_clicked["S"]) if last_clicked else None,
    )
