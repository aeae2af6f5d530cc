"""DynamoDB's per-item throughput limits as devserver.dynamodb_throttling models them, in
simulated time: token buckets per item or declared partition, what each request costs,
what a refusal looks like."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devserver.dynamodb_throttling import (
    READ_REASON,
    WRITE_REASON,
    Forward,
    Refuse,
    TableInfo,
    ThrottlingLimits,
    ThrottlingModel,
    UnknownTableError,
    attribute_value_size,
    item_size,
)

TABLE = "links"
ARN = f"arn:aws:dynamodb:us-east-1:123456789012:table/{TABLE}"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def tables(name: str) -> TableInfo:
    if name != TABLE:
        raise UnknownTableError(name)
    return TableInfo(("PK", "SK"), ARN)


def model(
    writes: float = 50, reads: float = 150, prefixes: tuple[str, ...] = ()
) -> tuple[ThrottlingModel, FakeClock]:
    clock = FakeClock()
    limits = ThrottlingLimits(writes, reads, prefixes)
    return ThrottlingModel(limits, tables, clock), clock


def key(pk: str, sk: str = "META") -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def put(pk: str, attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"TableName": TABLE, "Item": {**key(pk), **(attributes or {})}}


def click(pk: str, sk: str = "META") -> dict[str, Any]:
    return {
        "TableName": TABLE,
        "Key": key(pk, sk),
        "UpdateExpression": "ADD clicks :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}},
        "ReturnValues": "ALL_NEW",
    }


def get(pk: str, sk: str = "META", consistent: bool = False) -> dict[str, Any]:
    return {"TableName": TABLE, "Key": key(pk, sk), "ConsistentRead": consistent}


def admitted(throttling: ThrottlingModel, operation: str, request: dict[str, Any], n: int) -> int:
    """How many of n identical requests, all at the same instant, are let through."""
    return sum(isinstance(throttling.admit(operation, request), Forward) for _ in range(n))


def test_an_item_at_50_writes_a_second_refuses_the_51st_within_the_second() -> None:
    throttling, clock = model(writes=50)

    assert admitted(throttling, "UpdateItem", click("LINK#hot"), 50) == 50
    clock.advance(0.5)
    assert admitted(throttling, "UpdateItem", click("LINK#hot"), 26) == 25  # refilled half

    refusal = throttling.admit("UpdateItem", click("LINK#hot"))
    assert isinstance(refusal, Refuse)
    assert refusal.status == 400
    assert refusal.body["__type"] == (
        "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
    )
    assert refusal.body["ThrottlingReasons"] == [{"reason": WRITE_REASON, "resource": ARN}]
    assert "LINK#hot" in refusal.body["message"]


def test_the_bucket_refills_at_the_rate_and_holds_one_second_at_most() -> None:
    throttling, clock = model(writes=50)
    assert admitted(throttling, "PutItem", put("LINK#hot"), 51) == 50

    clock.advance(0.02)  # 1/50 s: one write's worth
    assert admitted(throttling, "PutItem", put("LINK#hot"), 2) == 1
    clock.advance(60)  # an idle minute still leaves one second's burst, no more
    assert admitted(throttling, "PutItem", put("LINK#hot"), 60) == 50


def test_every_other_item_has_its_own_budget_down_to_the_sort_key() -> None:
    throttling, _ = model(writes=50)
    assert admitted(throttling, "UpdateItem", click("LINK#hot"), 51) == 50

    assert isinstance(throttling.admit("UpdateItem", click("LINK#hot", "DAY#1")), Forward)
    assert isinstance(throttling.admit("UpdateItem", click("LINK#cold")), Forward)
    assert isinstance(
        throttling.admit("DeleteItem", {"TableName": TABLE, "Key": key("x")}), Forward
    )


def test_a_prefix_declared_as_one_partition_shares_one_budget() -> None:
    throttling, _ = model(writes=50, prefixes=("SHARD#abc#",))

    assert admitted(throttling, "UpdateItem", click("SHARD#abc#1"), 25) == 25
    assert admitted(throttling, "UpdateItem", click("SHARD#abc#2"), 25) == 25
    assert isinstance(throttling.admit("UpdateItem", click("SHARD#abc#3")), Refuse)
    # Outside the prefix, each item still has its own.
    assert admitted(throttling, "UpdateItem", click("SHARD#abd#1"), 50) == 50
    assert isinstance(throttling.admit("UpdateItem", click("LINK#abc")), Forward)


def test_the_longest_declared_prefix_is_the_partition() -> None:
    throttling, _ = model(writes=10, prefixes=("SHARD#", "SHARD#abc#"))

    assert admitted(throttling, "PutItem", put("SHARD#abc#1"), 10) == 10
    assert admitted(throttling, "PutItem", put("SHARD#xyz#1"), 10) == 10  # the SHARD# one


def test_reads_and_writes_have_separate_budgets() -> None:
    throttling, _ = model(writes=50, reads=10)
    assert admitted(throttling, "UpdateItem", click("LINK#hot"), 51) == 50

    # Strongly consistent: 1 unit a read, 10 a second.
    assert admitted(throttling, "GetItem", get("LINK#hot", consistent=True), 10) == 10
    refusal = throttling.admit("GetItem", get("LINK#hot", consistent=True))
    assert isinstance(refusal, Refuse)
    assert refusal.body["ThrottlingReasons"] == [{"reason": READ_REASON, "resource": ARN}]
    # The reads spent nothing of the writes' budget, nor the reverse.
    assert admitted(throttling, "GetItem", get("LINK#other"), 20) == 20  # eventual: half a unit
    assert isinstance(throttling.admit("GetItem", get("LINK#other")), Refuse)
    assert isinstance(throttling.admit("UpdateItem", click("LINK#other")), Forward)


def test_a_transaction_costs_two_units_per_item() -> None:
    throttling, _ = model(writes=50)
    transaction = {"TransactItems": [{"Update": click("LINK#a")}, {"Put": put("LINK#b")}]}

    assert admitted(throttling, "TransactWriteItems", transaction, 26) == 25
    assert admitted(throttling, "UpdateItem", click("LINK#a"), 1) == 0
    assert admitted(throttling, "PutItem", put("LINK#c"), 1) == 1


def test_a_transaction_over_one_items_budget_is_refused_whole() -> None:
    throttling, _ = model(writes=50)
    assert admitted(throttling, "UpdateItem", click("LINK#hot"), 50) == 50
    transaction = {
        "TransactItems": [
            {"Put": put("LINK#a")},
            {"Update": click("LINK#hot")},
            {"Delete": {"TableName": TABLE, "Key": key("LINK#b")}},
            {"ConditionCheck": {**get("LINK#c"), "ConditionExpression": "attribute_exists(PK)"}},
        ]
    }

    refusal = throttling.admit("TransactWriteItems", transaction)

    assert isinstance(refusal, Refuse)
    assert refusal.status == 400
    assert refusal.error_type == "TransactionCanceledException"
    assert [reason["Code"] for reason in refusal.body["CancellationReasons"]] == [
        "None",
        "ThrottlingError",
        "None",
        "None",
    ]
    assert "[None, ThrottlingError, None, None]" in refusal.body["Message"]
    # Nothing was taken from the others' budgets: each still has all 50 units.
    for other in ("LINK#a", "LINK#b", "LINK#c"):
        assert admitted(throttling, "UpdateItem", click(other), 51) == 50


def test_transact_get_items_costs_two_strong_reads_per_item() -> None:
    throttling, _ = model(reads=10)
    transaction = {"TransactItems": [{"Get": get("LINK#a")}]}

    assert admitted(throttling, "TransactGetItems", transaction, 6) == 5
    refusal = throttling.admit("TransactGetItems", transaction)
    assert isinstance(refusal, Refuse)
    assert refusal.body["CancellationReasons"] == [
        {"Code": "ThrottlingError", "Message": refusal.body["CancellationReasons"][0]["Message"]}
    ]


def test_write_units_follow_the_items_size_per_started_kilobyte() -> None:
    throttling, _ = model(writes=9)
    big = {"text": {"S": "x" * 2500}}  # 2.5 KB: 3 units

    assert admitted(throttling, "PutItem", put("LINK#big", big), 4) == 3


def test_an_update_costs_the_size_its_answer_showed_the_item_to_have() -> None:
    throttling, clock = model(writes=10)
    request = click("LINK#hot")
    decision = throttling.admit("UpdateItem", request)
    assert isinstance(decision, Forward)
    assert decision.needs_answer
    # The answer (ReturnValues ALL_NEW) shows a 1.5 KB item: its next updates cost 2 units.
    answer = {"Attributes": {**key("LINK#hot"), "url": {"S": "u" * 1500}}}
    assert throttling.answered(decision, request, answer) is None  # the answer stays as it is

    assert admitted(throttling, "UpdateItem", request, 5) == 4  # 1 + 4 x 2 = 9 of 10 units

    assert throttling.report().items[f"{TABLE} PK=LINK#hot SK=META"].write_units == 9

    # Deleted, the item's size is forgotten: a new one starts small, at 1 unit an update.
    delete = {"TableName": TABLE, "Key": key("LINK#hot")}
    throttling.answered(Forward("DeleteItem"), delete, {})
    clock.advance(1)
    assert admitted(throttling, "UpdateItem", request, 11) == 10


def test_a_batch_get_holds_back_the_keys_over_budget_and_is_refused_only_if_all_are() -> None:
    throttling, _ = model(reads=4)
    assert admitted(throttling, "GetItem", get("LINK#hot", consistent=True), 4) == 4
    request = {
        "RequestItems": {
            TABLE: {
                "Keys": [key("LINK#hot"), key("LINK#cold")],
                "ConsistentRead": True,
                "ProjectionExpression": "PK",
            }
        }
    }

    decision = throttling.admit("BatchGetItem", request)

    assert isinstance(decision, Forward)
    assert decision.request == {
        "RequestItems": {
            TABLE: {
                "Keys": [key("LINK#cold")],
                "ConsistentRead": True,
                "ProjectionExpression": "PK",
            }
        }
    }
    answer = {"Responses": {TABLE: [key("LINK#cold")]}, "UnprocessedKeys": {}}
    assert throttling.answered(decision, request, answer) == {
        "Responses": {TABLE: [key("LINK#cold")]},
        "UnprocessedKeys": {
            TABLE: {"Keys": [key("LINK#hot")], "ConsistentRead": True, "ProjectionExpression": "PK"}
        },
    }
    only_hot = {"RequestItems": {TABLE: {"Keys": [key("LINK#hot")], "ConsistentRead": True}}}
    refusal = throttling.admit("BatchGetItem", only_hot)
    assert isinstance(refusal, Refuse)
    assert refusal.error_type == "ProvisionedThroughputExceededException"


def test_a_batch_write_holds_back_the_items_over_budget() -> None:
    throttling, _ = model(writes=1)
    assert admitted(throttling, "PutItem", put("LINK#hot"), 1) == 1
    hot = {"PutRequest": {"Item": key("LINK#hot")}}
    cold = {"DeleteRequest": {"Key": key("LINK#cold")}}

    decision = throttling.admit("BatchWriteItem", {"RequestItems": {TABLE: [hot, cold]}})

    assert isinstance(decision, Forward)
    assert decision.request == {"RequestItems": {TABLE: [cold]}}
    answer = throttling.answered(decision, {}, {"UnprocessedItems": {}})
    assert answer == {"UnprocessedItems": {TABLE: [hot]}}
    refusal = throttling.admit("BatchWriteItem", {"RequestItems": {TABLE: [hot]}})
    assert isinstance(refusal, Refuse)


def test_queries_scans_and_unknown_tables_are_never_refused() -> None:
    throttling, _ = model(writes=1, reads=1)
    assert admitted(throttling, "GetItem", get("LINK#hot", consistent=True), 2) == 1

    query = {
        "TableName": TABLE,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "LINK#hot"}},
    }
    assert admitted(throttling, "Query", query, 10) == 10
    assert admitted(throttling, "Scan", {"TableName": TABLE}, 10) == 10
    other_table = {"TableName": "not-modelled", "Item": key("LINK#hot")}
    assert admitted(throttling, "PutItem", other_table, 10) == 10
    # A malformed request is DynamoDB's to refuse, not the model's.
    assert admitted(throttling, "PutItem", {"TableName": TABLE, "Item": {"PK": {"S": "x"}}}, 3) == 3


def test_counts_say_how_many_requests_were_seen_and_refused_per_item() -> None:
    throttling, _ = model(writes=2, reads=1)
    admitted(throttling, "UpdateItem", click("LINK#hot"), 5)
    admitted(throttling, "GetItem", get("LINK#hot", consistent=True), 2)
    admitted(throttling, "Query", {"TableName": TABLE}, 1)

    report = throttling.report()

    assert (report.requests, report.refused) == (8, 4)
    assert report.operations == {"UpdateItem": (5, 3), "GetItem": (2, 1), "Query": (1, 0)}
    hot = report.items[f"{TABLE} PK=LINK#hot SK=META"]
    assert (hot.writes, hot.writes_refused, hot.write_units) == (2, 3, 2.0)
    assert (hot.reads, hot.reads_refused, hot.read_units) == (1, 1, 1.0)
    assert report.to_json()["items"][f"{TABLE} PK=LINK#hot SK=META"]["writes_refused"] == 3
    assert "8 DynamoDB requests, 4 refused" in report.summary()
    assert "LINK#hot" in report.summary()


def test_item_sizes_follow_dynamodbs_rules() -> None:
    assert item_size({"name": {"S": "héllo"}}) == 4 + 6  # UTF-8 bytes
    assert attribute_value_size({"N": "12345"}) == 4  # 5 significant digits: 3 bytes + 1
    assert attribute_value_size({"N": "-0.000100"}) == 2
    assert attribute_value_size({"B": "AAEC"}) == 3  # base64 of three bytes
    assert attribute_value_size({"BOOL": True}) == attribute_value_size({"NULL": True}) == 1
    assert attribute_value_size({"L": [{"S": "ab"}, {"N": "1"}]}) == 3 + (1 + 2) + (1 + 2)
    assert attribute_value_size({"M": {"k": {"S": "v"}}}) == 3 + 1 + 1 + 1
    assert attribute_value_size({"SS": ["a", "bc"]}) == 3


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="above 0"):
        ThrottlingLimits(item_writes_per_second=0)
    with pytest.raises(ValueError, match="empty"):
        ThrottlingLimits(partition_prefixes=("",))


@given(
    gaps=st.lists(st.floats(min_value=0, max_value=0.2), min_size=1, max_size=300),
    rate=st.integers(min_value=1, max_value=100),
)
def test_no_window_ever_admits_more_than_its_rate_plus_one_seconds_burst(
    gaps: list[float], rate: int
) -> None:
    throttling, clock = model(writes=rate)
    times = []
    for gap in gaps:
        clock.advance(gap)
        if isinstance(throttling.admit("UpdateItem", click("LINK#hot")), Forward):
            times.append(clock.now)

    for start_index, start in enumerate(times):
        for end_index in range(start_index, len(times)):
            window = times[end_index] - start
            assert end_index - start_index + 1 <= rate * (window + 1) + 1e-6
