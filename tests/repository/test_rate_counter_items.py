"""How DynamoDBCreationCounter keeps the counts, on moto and DynamoDB Local: one item per
scope and window layout, one conditional write per creation, roll-overs, other
containers writing in between, and exact admission under concurrency.

These look at DynamoDB itself (its items, its requests), so they are dynamodb_only; what
any CreationCounter answers is in test_rate_counter.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import pytest
from botocore.config import Config

from domain.errors import StorageUnavailable
from domain.rate_limits import RollingCounts, RollingLimit
from repository.client import CLIENT_CONFIG
from repository.dynamodb_rate_counter import DynamoDBCreationCounter
from tests.dynamodb_faults import FaultInjector
from tests.repository.conftest import DYNAMODB_LOCAL
from tests.repository.test_rate_counter import AT, FIVE_MINUTES, NEXT_MINUTE, SCOPE, SUB_WINDOW
from tests.unit.fakes import FakeCreationCounter

pytestmark = pytest.mark.dynamodb_only

COUNTER_ATTRIBUTES = {"PK", "SK", "subWindow", "total", "ttl"} | {f"count{n}" for n in range(6)}


def stored(dynamodb: Any, table_name: str, scope: str = SCOPE, grid: str = "300/5") -> Any:
    key = {"PK": {"S": f"RATE#{scope}"}, "SK": {"S": f"CREATIONS#{grid}"}}
    return dynamodb.get_item(TableName=table_name, Key=key, ConsistentRead=True).get("Item")


def rate_writes(faults: FaultInjector) -> int:
    return faults.attempts_at(("UpdateItem", "RATE#"))


def ttl_of(limit: RollingLimit, sub_window: int) -> int:
    return int((limit.counted_until(sub_window) + timedelta(minutes=5)).timestamp())


def test_a_first_creation_makes_the_scopes_one_item_in_one_write(
    counter, faults, dynamodb, table_name
):
    admission = counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    assert admission.counted
    assert admission.counts == RollingCounts(SUB_WINDOW, (0, 0, 0, 0, 0, 1))
    assert rate_writes(faults) == 1
    assert stored(dynamodb, table_name) == {
        "PK": {"S": "RATE#198.51.100.7"},
        "SK": {"S": "CREATIONS#300/5"},
        "subWindow": {"N": str(SUB_WINDOW)},
        f"count{SUB_WINDOW % 6}": {"N": "1"},
        "total": {"N": "1"},
        # Deleted by DynamoDB once 16:44's creations have left every span (16:50),
        # plus five minutes for clocks that differ.
        "ttl": {"N": str(ttl_of(FIVE_MINUTES, SUB_WINDOW))},
    }
    assert ttl_of(FIVE_MINUTES, SUB_WINDOW) == int(
        datetime(2099, 11, 21, 16, 55, tzinfo=UTC).timestamp()
    )


def test_each_creation_within_the_limit_is_one_write_and_the_next_is_refused_unwritten(
    counter, faults, dynamodb, table_name
):
    answers = [counter.count_creation(SCOPE, FIVE_MINUTES, AT).counted for _ in range(3)]
    before = stored(dynamodb, table_name)

    refused = counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    assert answers == [True, True, True]
    assert not refused.counted
    assert refused.counts == RollingCounts(SUB_WINDOW, (0, 0, 0, 0, 0, 3))
    assert rate_writes(faults) == 4  # one each, the refusal's included: no read, no retry
    assert stored(dynamodb, table_name) == before


def test_a_refusal_at_the_edge_of_a_sub_window_writes_nothing(
    counter, faults, dynamodb, table_name
):
    for _ in range(3):
        counter.count_creation(SCOPE, FIVE_MINUTES, AT)
    before = stored(dynamodb, table_name)
    faults.attempts.clear()

    refused = counter.count_creation(SCOPE, FIVE_MINUTES, NEXT_MINUTE)

    # Rolled to 16:45 in memory only: a refusal writes nothing.
    assert not refused.counted
    assert refused.counts == RollingCounts(SUB_WINDOW + 1, (0, 0, 0, 0, 3, 0))
    assert rate_writes(faults) == 1
    assert stored(dynamodb, table_name) == before


def test_a_later_sub_window_rolls_the_counts_over_in_one_more_write(
    counter, faults, dynamodb, table_name
):
    counter.count_creation(SCOPE, FIVE_MINUTES, AT - timedelta(minutes=2))
    counter.count_creation(SCOPE, FIVE_MINUTES, AT)
    faults.attempts.clear()

    later = AT + timedelta(minutes=3)  # 16:47: 16:42's creation is still in the span
    admission = counter.count_creation(SCOPE, FIVE_MINUTES, later)

    assert admission.counted
    assert admission.counts == RollingCounts(SUB_WINDOW + 3, (1, 0, 1, 0, 0, 1))
    assert rate_writes(faults) == 2  # the count finds the item stale, then the roll-over
    item = stored(dynamodb, table_name)
    assert item["subWindow"] == {"N": str(SUB_WINDOW + 3)}
    assert item["total"] == {"N": "3"}
    assert item["ttl"] == {"N": str(ttl_of(FIVE_MINUTES, SUB_WINDOW + 3))}
    faults.attempts.clear()

    assert counter.count_creation(SCOPE, FIVE_MINUTES, later).counts.total == 3
    assert not counter.count_creation(SCOPE, FIVE_MINUTES, later).counted
    assert rate_writes(faults) == 2  # back to one write each


def test_a_stale_counter_still_over_the_limit_refuses_without_a_roll_over(
    counter, faults, dynamodb, table_name
):
    for _ in range(3):
        counter.count_creation(SCOPE, FIVE_MINUTES, AT)
    before = stored(dynamodb, table_name)
    faults.attempts.clear()

    refused = counter.count_creation(SCOPE, FIVE_MINUTES, AT + timedelta(minutes=4))

    assert not refused.counted
    assert FIVE_MINUTES.retry_after(refused.counts, AT + timedelta(minutes=4)) == 61
    assert rate_writes(faults) == 1
    assert stored(dynamodb, table_name) == before


def test_the_item_never_grows_and_counts_as_the_unit_tests_fake_does(counter, dynamodb, table_name):
    limit = RollingLimit(4, timedelta(minutes=5))
    fake = FakeCreationCounter()
    at = AT
    # Bursts (refused past 4), pauses of every length, idle windows: rolled every way.
    for gap in [0, 5, 5, 5, 5, 70, 130, 5, 400, 61, 5, 5, 5, 190, 1000, 59, 1, 60, 240] * 3:
        at += timedelta(seconds=gap)
        assert counter.count_creation(SCOPE, limit, at) == fake.count_creation(SCOPE, limit, at)

    item = stored(dynamodb, table_name)
    assert set(item) <= COUNTER_ATTRIBUTES
    assert sum(int(item[f"count{n}"]["N"]) for n in range(6) if f"count{n}" in item) == int(
        item["total"]["N"]
    )
    assert len(repr(item)) < 400


def test_each_scope_and_window_layout_has_an_item_of_its_own(counter, dynamodb, table_name):
    hourly = RollingLimit(3, timedelta(hours=1))
    counter.count_creation(SCOPE, FIVE_MINUTES, AT)
    counter.count_creation("2001:db8::/64", FIVE_MINUTES, AT)
    counter.count_creation(SCOPE, hourly, AT)  # the window was reconfigured

    assert stored(dynamodb, table_name)["total"] == {"N": "1"}
    assert stored(dynamodb, table_name, "2001:db8::/64")["total"] == {"N": "1"}
    assert stored(dynamodb, table_name, grid="3600/5")["total"] == {"N": "1"}


def test_a_clock_behind_finds_the_item_ahead_and_counts_there_in_a_second_write(
    counter, faults, dynamodb, table_name
):
    counter.count_creation(SCOPE, FIVE_MINUTES, NEXT_MINUTE)  # another container, ahead
    faults.attempts.clear()

    admission = counter.count_creation(SCOPE, FIVE_MINUTES, AT)

    assert admission.counted
    assert admission.counts == RollingCounts(SUB_WINDOW + 1, (0, 0, 0, 0, 0, 2))
    assert rate_writes(faults) == 2


# --- other containers writing in between ---------------------------------------------


def before_writes(client: Any, meanwhile: Callable[[], object], *numbers: int) -> None:
    """Run `meanwhile` (another container's creation) just before `client` sends its
    UpdateItems number `numbers` (1 for the first; all of them if none are given)."""
    sent = 0

    def hook(**_: Any) -> None:
        nonlocal sent
        sent += 1
        if not numbers or sent in numbers:
            meanwhile()

    client.meta.events.register("before-call.dynamodb.UpdateItem", hook)


def test_a_roll_over_lost_to_another_container_counts_on_top_of_its_own(
    counter, client, faults, dynamodb, table_name
):
    roomy = RollingLimit(10, timedelta(minutes=5))
    counter.count_creation(SCOPE, roomy, AT)
    counter.count_creation(SCOPE, roomy, AT)
    other = DynamoDBCreationCounter(dynamodb, table_name)
    # Between our count (which finds 16:44 stale) and our roll-over, theirs lands.
    before_writes(client, lambda: other.count_creation(SCOPE, roomy, NEXT_MINUTE), 2)
    faults.attempts.clear()

    admission = counter.count_creation(SCOPE, roomy, NEXT_MINUTE)

    assert admission.counts == RollingCounts(SUB_WINDOW + 1, (0, 0, 0, 0, 2, 2))
    assert rate_writes(faults) == 3  # count, roll-over (lost), count on top of theirs
    assert stored(dynamodb, table_name)["total"] == {"N": "4"}


def test_a_counter_that_changes_under_every_write_gives_up_after_three(
    counter, client, faults, dynamodb, table_name
):
    # Only clocks that disagree on the sub-window can do this: one behind keeps counting
    # in the old sub-window while ours tries to roll over.
    roomy = RollingLimit(100, timedelta(minutes=5))
    counter.count_creation(SCOPE, roomy, AT - timedelta(minutes=2))
    other = DynamoDBCreationCounter(dynamodb, table_name)
    before_writes(client, lambda: other.count_creation(SCOPE, roomy, AT - timedelta(minutes=1)))
    faults.attempts.clear()

    with pytest.raises(StorageUnavailable, match="kept changing"):
        counter.count_creation(SCOPE, roomy, AT)

    assert rate_writes(faults) == 3
    assert stored(dynamodb, table_name)["subWindow"] == {"N": str(SUB_WINDOW - 1)}


# --- concurrency ------------------------------------------------------------------------
# DynamoDB applies the writes to one item one at a time; DynamoDB Local does too. moto's
# server does not (it admitted 26 to 32 of a limit of 25 here), so it cannot race.
ONLY_DYNAMODB_LOCAL = pytest.mark.parametrize("backend", [DYNAMODB_LOCAL])


@pytest.fixture
def patient_counter(table_name: str) -> DynamoDBCreationCounter:
    """A counter whose client waits for every answer and never retries: 40 requests at
    once keep a local DynamoDB busy past the functions' 1 s read timeout, and a retried
    write would count twice (erring towards refusing: not what these tests look at)."""
    config = CLIENT_CONFIG.merge(
        Config(read_timeout=60, retries={"mode": "standard", "total_max_attempts": 1})
    )
    client: Any = botocore.session.get_session().create_client("dynamodb", config=config)
    return DynamoDBCreationCounter(client, table_name)


def race(counter: DynamoDBCreationCounter, limit: RollingLimit, at: datetime, n: int) -> int:
    """`n` creations in one scope at once; how many were counted."""
    start = threading.Barrier(n)

    def create(_: int) -> bool:
        start.wait()
        return counter.count_creation(SCOPE, limit, at).counted

    with ThreadPoolExecutor(max_workers=n) as pool:
        return sum(pool.map(create, range(n)))


@ONLY_DYNAMODB_LOCAL
def test_racing_creations_are_admitted_exactly_up_to_the_limit(
    patient_counter, dynamodb, table_name
):
    limit = RollingLimit(25, timedelta(minutes=5))

    assert race(patient_counter, limit, AT, 40) == 25
    assert stored(dynamodb, table_name)["total"] == {"N": "25"}


@ONLY_DYNAMODB_LOCAL
def test_racing_creations_across_a_roll_over_are_admitted_exactly_up_to_the_limit(
    patient_counter, dynamodb, table_name
):
    limit = RollingLimit(25, timedelta(minutes=5))
    for _ in range(3):
        patient_counter.count_creation(SCOPE, limit, AT - timedelta(minutes=1))

    assert race(patient_counter, limit, AT, 40) == 22  # every one of them finds the item stale
    item = stored(dynamodb, table_name)
    assert (item["subWindow"], item["total"]) == ({"N": str(SUB_WINDOW)}, {"N": "25"})
