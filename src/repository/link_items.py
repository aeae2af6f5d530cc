"""Link entity <-> DynamoDB item, explicitly, so no raw item leaves this package.

Attribute names are part of the stored data's contract: `url`, `createdAt`, `clicks`,
`lastClickedAt`, `expiresAt`, `deletedAt`, `disabledAt` (timestamps as RFC 3339 strings in
UTC, so they compare as strings in condition expressions), `disabledReason`, `tokenHash`,
`owner`, `title`, `tags` (a list), `creator` (the creator's address class) and `host`
(the target's, for listings); the index keys `listed` and `created`
(repository/keys.py); and `click`, what the
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
from domain.host_rules import hostname_of
from domain.links import Link, rfc3339
from repository.keys import (
    INDEX_SORT_KEY,
    LINK_PREFIX,
    LIST_INDEX_KEY,
    LISTED,
    link_key,
    owner_entry_key,
    owner_listing,
)

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
    if link.owner is not None:
        item["owner"] = {"S": link.owner}
    if link.title is not None:
        item["title"] = {"S": link.title}
    if link.tags:
        item["tags"] = {"L": [{"S": tag} for tag in link.tags]}
    if link.creator_class is not None:
        item["creator"] = {"S": link.creator_class}
    if link.url:
        item["host"] = {"S": hostname_of(link.url)}
    item[LIST_INDEX_KEY] = {"S": LISTED}
    item[INDEX_SORT_KEY] = {"S": index_sort_key(link)}
    return item


def owner_entry_item(link: Link) -> dict[str, AttributeValueTypeDef]:
    """An owned link's place in its owner's listing (repository/keys.py), made with it."""
    return {
        **owner_entry_key(link.short_id),
        LIST_INDEX_KEY: {"S": owner_listing(link.owner or "")},
        INDEX_SORT_KEY: {"S": index_sort_key(link)},
    }


def index_sort_key(link: Link) -> str:
    """Where the link sorts in both listings: by creation, then id (unique)."""
    return f"{rfc3339(link.created_at)}#{link.short_id}"


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
        owner=_text(item, "owner"),
        title=_text(item, "title"),
        tags=tuple(tag["S"] for tag in item["tags"]["L"]) if "tags" in item else (),
        disabled_at=_moment(item, "disabledAt"),
        disabled_reason=_text(item, "disabledReason"),
        creator_class=_text(item, "creator"),
    )


def _text(item: Mapping[str, AttributeValueTypeDef], name: str) -> str | None:
    return item[name]["S"] if name in item else None


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
