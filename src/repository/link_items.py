"""Link entity <-> DynamoDB item, explicitly, so no raw item leaves this package.

Attribute names are part of the stored data's contract: `url`, `createdAt`, `clicks`,
`lastClickedAt`, `expiresAt`, `deletedAt` (timestamps as RFC 3339 strings in UTC, so
they compare as strings in condition expressions) and `tokenHash`; and `click`, what the
latest click brought for analytics (`click_to_attribute`), which only the table's stream
reads (repository/click_stream.py).

A link item never carries the table's TTL attribute: DynamoDB would delete an expired
link, and its id would go to whoever asked for it next, so the new owner would get the
old one's traffic. An expired link stays (410, revivable by its owner), as a deleted
one stays a tombstone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from domain.click_facts import ClickFacts
from domain.links import Link, rfc3339
from repository.keys import LINK_PREFIX, link_key

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


def link_to_item(link: Link) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        **link_key(link.short_id),
        "url": {"S": link.url},
        "createdAt": {"S": rfc3339(link.created_at)},
        "clicks": {"N": str(link.clicks)},
    }
    if link.last_clicked_at is not None:
        item["lastClickedAt"] = {"S": rfc3339(link.last_clicked_at)}
    if link.expires_at is not None:
        item["expiresAt"] = {"S": rfc3339(link.expires_at)}
    if link.management_token_hash is not None:
        item["tokenHash"] = {"S": link.management_token_hash}
    return item


def link_from_item(
    item: Mapping[str, AttributeValueTypeDef], *, short_id: str | None = None
) -> Link:
    """The link an item holds; `short_id` names it when the item is one of its click
    shards (whose key is not the link's)."""
    return Link(
        short_id=short_id or item["PK"]["S"].removeprefix(LINK_PREFIX),
        url=item["url"]["S"] if "url" in item else "",
        created_at=datetime.fromisoformat(item["createdAt"]["S"]),
        clicks=int(item["clicks"]["N"]) if "clicks" in item else 0,
        last_clicked_at=_moment(item, "lastClickedAt"),
        expires_at=_moment(item, "expiresAt"),
        deleted_at=_moment(item, "deletedAt"),
        management_token_hash=item["tokenHash"]["S"] if "tokenHash" in item else None,
        shards=int(item["shards"]["N"]) if "shards" in item else 0,
        changes=int(item["changes"]["N"]) if "changes" in item else 0,
    )


def _moment(item: Mapping[str, AttributeValueTypeDef], name: str) -> datetime | None:
    return datetime.fromisoformat(item[name]["S"]) if name in item else None


CLICK_ATTRIBUTE = "click"


def click_to_attribute(click: ClickFacts) -> AttributeValueTypeDef:
    """A map with one-letter names: it is written on every click, and names count
    toward the item's size (so toward its write units) like values do."""
    facts: dict[str, AttributeValueTypeDef] = {
        "r": {"S": click.referrer},
        "u": {"S": click.user_agent},
    }
    if click.country is not None:
        facts["c"] = {"S": click.country}
    if click.visitor is not None:
        facts["v"] = {"N": str(click.visitor)}
    return {"M": facts}
