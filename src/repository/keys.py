"""The single table's key scheme, in one place.

Every item type shares the table's `PK`/`SK` keys and is told apart by a prefix:
    link (or its tombstone)   PK = LINK#<shortId>                    SK = META
    a hot link's click shard  PK = SHARD#<shortId>#<k>               SK = META
    creations in one scope    PK = RATE#<scope>                      SK = CREATIONS#<grid>
    idempotency record        PK = IDEMPOTENCY#shorten               SK = <hash of key>
    a link's clicks on a day  PK = STATS#<shortId>                   SK = DAY#<YYYY-MM-DD>
    a day's visitor key       PK = VISITORKEY                        SK = <YYYY-MM-DD>
    an API key                PK = APIKEYS                           SK = <keyId>
    a blocked host            PK = BLOCKEDHOSTS                      SK = <host>
    an abuse report           PK = REPORTS                           SK = <at>#<reportId>
    a link's last report      PK = REPORTED#<shortId>                SK = META
    an owned link's entry     PK = OWNS#<shortId>                    SK = META
    an operator's action      PK = AUDIT                             SK = <at>#<entryId>
so no two kinds of item can ever collide on a key. A link's days share a partition of
their own, not the link's: one Query reads a range of them (SK between two days), and
IAM can let the aggregator write them and nothing else (dynamodb:LeadingKeys).
A hot link's clicks are spread over click shards, k = 1..N, each a partition key of its
own so that DynamoDB can place them on different partitions: one item takes at most
1,000 writes a second (docs/architecture.md, "A link that goes viral").
A rate scope is a client's address or network ("203.0.113.7", "2001:db8::/64"), an API
key ("key:<keyId>"), or "all", the stack-wide ceiling; the grid ("300/5": window
seconds / sub-windows) keeps counts made under another window apart
(domain/rate_limits.py). `ttl` (epoch seconds) is the table's TTL attribute: DynamoDB
deletes expired counters, idempotency records, day stats and visitor keys by itself,
eventually (reads never rely on it having done so).

One global secondary index, ListIndex, lists links newest first: its partition key
`listed` is LISTED on every link item (the operators' listing, GET /admin/links) and
"OWNER#<owner>" on an owned link's entry, an item made with the link in one transaction
(its owner's listing, GET /links); its sort key `created` is "<createdAt>#<shortId>",
unique and in order of creation. One index, not two: CloudFormation adds at most one to
a deployed table per update. It projects the keys and `host` only: nothing a click
changes, so a click writes no index entry.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from domain.links import rfc3339

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

LINK_PREFIX = "LINK#"
LINK_SORT_KEY = "META"
SHARD_PREFIX = "SHARD#"
RATE_PREFIX = "RATE#"
RATE_SORT_KEY = "CREATIONS"
# Powertools' idempotency records: one static partition key, the hashed key as SK.
IDEMPOTENCY_PARTITION = "IDEMPOTENCY#shorten"
TTL_ATTRIBUTE = "ttl"
STATS_PREFIX = "STATS#"
STATS_DAY_PREFIX = "DAY#"
VISITOR_KEY_PARTITION = "VISITORKEY"
API_KEY_PARTITION = "APIKEYS"
BLOCKED_HOST_PARTITION = "BLOCKEDHOSTS"
REPORT_PARTITION = "REPORTS"
REPORTED_PREFIX = "REPORTED#"
AUDIT_PARTITION = "AUDIT"

OWNS_PREFIX = "OWNS#"
LIST_INDEX = "ListIndex"
LIST_INDEX_KEY = "listed"
INDEX_SORT_KEY = "created"
LISTED = "LINK"
OWNER_LISTING_PREFIX = "OWNER#"


def link_key(short_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": f"{LINK_PREFIX}{short_id}"}, "SK": {"S": LINK_SORT_KEY}}


def shard_key(short_id: str, shard: int) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": f"{SHARD_PREFIX}{short_id}#{shard}"}, "SK": {"S": LINK_SORT_KEY}}


def rate_key(scope: str, grid: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": f"{RATE_PREFIX}{scope}"}, "SK": {"S": f"{RATE_SORT_KEY}#{grid}"}}


def stats_key(short_id: str, day: date) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": f"{STATS_PREFIX}{short_id}"}, "SK": {"S": stats_sort_key(day)}}


def stats_sort_key(day: date) -> str:
    return f"{STATS_DAY_PREFIX}{day.isoformat()}"


def visitor_key_key(day: date) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": VISITOR_KEY_PARTITION}, "SK": {"S": day.isoformat()}}


def api_key_key(key_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": API_KEY_PARTITION}, "SK": {"S": key_id}}


def blocked_host_key(host: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": BLOCKED_HOST_PARTITION}, "SK": {"S": host}}


def reported_key(short_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": f"{REPORTED_PREFIX}{short_id}"}, "SK": {"S": LINK_SORT_KEY}}


def owner_entry_key(short_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": f"{OWNS_PREFIX}{short_id}"}, "SK": {"S": LINK_SORT_KEY}}


def owner_listing(owner: str) -> str:
    return f"{OWNER_LISTING_PREFIX}{owner}"


def audit_key(at: datetime, entry_id: str) -> dict[str, AttributeValueTypeDef]:
    # RFC 3339 in UTC with milliseconds sorts as time does: newest first is a reverse Query.
    return {"PK": {"S": AUDIT_PARTITION}, "SK": {"S": f"{rfc3339(at)}#{entry_id}"}}


def report_key(at: datetime, report_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": {"S": REPORT_PARTITION}, "SK": {"S": f"{rfc3339(at)}#{report_id}"}}
