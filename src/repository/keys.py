"""The single table's key scheme, in one place.

Every item type shares the table's `PK`/`SK` keys and is told apart by a prefix:
    link (or its tombstone)   PK = LINK#<shortId>                    SK = META
    creations in a window     PK = RATE#<client>#<windowStartEpoch>  SK = CREATIONS
    idempotency record        PK = IDEMPOTENCY#shorten               SK = <hash of key>
so no two kinds of item can ever collide on a key. `ttl` (epoch seconds) is the
table's TTL attribute: DynamoDB deletes expired links, counters and idempotency
records by itself, eventually (reads never rely on it having done so).
"""

from __future__ import annotations

from datetime import datetime
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


def rate_key(client: str, window_start: datetime) -> dict[str, AttributeValueTypeDef]:
    return {
        "PK": {"S": f"{RATE_PREFIX}{client}#{int(window_start.timestamp())}"},
        "SK": {"S": RATE_SORT_KEY},
    }
