"""The single table's key scheme, in one place.

Every item type shares the table's `PK`/`SK` keys and is told apart by a prefix:
    link              PK = LINK#<shortId>   SK = META
Later item types (aliases, idempotency records, rate-limit counters) take their
own prefixes here, so no two kinds of item can ever collide on a key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

LINK_PREFIX = "LINK#"
LINK_SORT_KEY = "META"


def link_key(short_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": f"{LINK_PREFIX}{short_id}"}, "SK": {"S": LINK_SORT_KEY}}
