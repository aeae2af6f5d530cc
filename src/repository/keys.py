"""The single table's key scheme, in one place.

Every item type shares the table's `PK`/`SK` keys and is told apart by a prefix:
    link (or its tombstone)   PK = LINK#<shortId>                    SK = META
    creations in one scope    PK = RATE#<scope>                      SK = CREATIONS#<grid>
    idempotency record        PK = IDEMPOTENCY#shorten               SK = <hash of key>
so no two kinds of item can ever collide on a key. A rate scope is a client's address
or network ("203.0.113.7", "2001:db8::/64") or "all", the stack-wide ceiling; the grid
("300/5": window seconds / sub-windows) keeps counts made under another window apart
(domain/rate_limits.py). `ttl` (epoch seconds) is the table's TTL attribute: DynamoDB
deletes expired links, counters and idempotency records by itself, eventually (reads
never rely on it having done so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

LINK_PREFIX = "LINK#"
LINK_SORT_KEY = "META"
RATE_PREFIX = "RATE#"
RATE_SORT_KEY = "CREATIONS"
# Powertools' idempotency records: one static partition key, the hashed key as SK.
IDEMPOTENCY_PARTITION = "IDEMPOTENCY#shorten"
TTL_ATTRIBUTE = "ttl"


def link_key(short_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": f"{LINK_PREFIX}{short_id}"}, "SK": {"S": LINK_SORT_KEY}}


def rate_key(scope: str, grid: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": f"{RATE_PREFIX}{scope}"}, "SK": {"S": f"{RATE_SORT_KEY}#{grid}"}}
