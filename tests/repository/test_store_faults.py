"""DynamoDB throttling, 5xx and timeouts at every call site of the repository.

What must hold: the client tries a failing call twice, with a bounded backoff, and no
more; a fault that passes costs one retry and nothing else; a fault that persists is
StorageUnavailable (the API's 503) and leaves the table as it was; and a write whose
answer is lost after DynamoDB applied it is recognised on the retry, never mistaken
for a clash or applied twice where that would matter.

Injected faults stop a request before it reaches the server, so which DynamoDB sits
behind them makes no difference: those tests use moto alone. Lost answers do reach
the server, and run against both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.httpsession import URLLib3Session

from domain.errors import ShortIdTaken, StorageUnavailable
from domain.links import Link
from domain.rate_limits import RollingLimit
from repository.client import CLIENT_CONFIG
from repository.link_items import link_to_item
from tests.dynamodb_faults import FAULTS, LOST_ANSWER, CallSite
from tests.repository.conftest import MOTO

CREATED = datetime(2026, 11, 21, 16, 42, 35, 123000, tzinfo=UTC)
LATER = CREATED + timedelta(minutes=5)
TOKEN_HASH = "a" * 64
LINK = Link("7cp2Xhz", "https://example.com/", CREATED, management_token_hash=TOKEN_HASH)
NEW_LINK = Link("n3wL1nk", "https://example.org/", CREATED, management_token_hash="c" * 64)
HOURLY = RollingLimit(30, timedelta(hours=1))
# Counters are counted in the future: DynamoDB Local deletes items whose `ttl` passed.
COUNTED = CREATED.replace(year=2099)
ATTEMPTS = CLIENT_CONFIG.retries["total_max_attempts"]  # type: ignore[attr-defined]
ONLY_MOTO = pytest.mark.parametrize("backend", [MOTO])

pytestmark = pytest.mark.dynamodb_only


@dataclass(frozen=True)
class Operation:
    """One repository method, called as the service calls it, and what it changes."""

    name: str
    call_site: CallSite
    run: Callable[[Any, Any], Any]  # (repository, counter) -> result


OPERATIONS = [
    Operation("add", ("PutItem", "LINK#"), lambda repo, _: repo.add(NEW_LINK)),
    Operation("get", ("GetItem", "LINK#"), lambda repo, _: repo.get(LINK.short_id)),
    Operation(
        "record_click",
        ("UpdateItem", "LINK#"),
        lambda repo, _: repo.record_click(LINK.short_id, at=LATER),
    ),
    Operation(
        "update",
        ("UpdateItem", "LINK#"),
        lambda repo, _: repo.update(
            LINK.short_id, expected_token_hash=TOKEN_HASH, url="https://example.net/"
        ),
    ),
    Operation(
        "replace_with_tombstone",
        ("UpdateItem", "LINK#"),
        lambda repo, _: repo.replace_with_tombstone(
            LINK.short_id, expected_token_hash=TOKEN_HASH, at=LATER
        ),
    ),
    Operation(
        "count_creation",
        ("UpdateItem", "RATE#"),
        lambda _, counter: counter.count_creation("198.51.100.7", HOURLY, COUNTED),
    ),
]
BY_NAME = {operation.name: operation for operation in OPERATIONS}


def table_contents(dynamodb: Any, table_name: str) -> list[dict[str, Any]]:
    items = dynamodb.scan(TableName=table_name, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: (item["PK"]["S"], item["SK"]["S"]))


@pytest.fixture
def stored_link(repository: Any) -> Link:
    repository.add(LINK)
    return LINK


@ONLY_MOTO
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.name)
def test_a_fault_that_persists_is_storage_unavailable_and_changes_nothing(
    operation, fault, stored_link, repository, counter, faults, dynamodb, table_name
):
    before = table_contents(dynamodb, table_name)
    faults.fail(operation.call_site, FAULTS[fault])

    with pytest.raises(StorageUnavailable):
        operation.run(repository, counter)

    assert faults.attempts_at(operation.call_site) == ATTEMPTS
    assert table_contents(dynamodb, table_name) == before


@ONLY_MOTO
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.name)
def test_a_fault_that_passes_costs_one_retry_and_the_call_succeeds(
    operation, fault, stored_link, repository, counter, faults
):
    faults.fail(operation.call_site, FAULTS[fault], times=1)

    operation.run(repository, counter)

    assert faults.attempts_at(operation.call_site) == 2
    # Standard mode's jittered backoff for a first retry is at most one second.
    assert len(faults.backoffs) == 1
    assert 0 <= faults.backoffs[0] <= 1


@ONLY_MOTO
def test_a_mistake_of_ours_is_not_dressed_up_as_unavailability(
    stored_link, repository, client, faults
):
    # A call DynamoDB refuses as malformed is a bug: it must stay loud (a 500 and an
    # alarm), not be retried or turned into a polite 503.
    broken = type(repository)(client, "no-such-table")

    with pytest.raises(client.exceptions.ResourceNotFoundException):
        broken.get(LINK.short_id)

    assert faults.attempts_at(("GetItem", "LINK#")) == 1


# --- answers lost after DynamoDB applied the write -----------------------------------------


def test_a_creation_whose_answer_was_lost_is_recognised_on_the_retry(
    repository, faults, dynamodb, table_name
):
    faults.fail(("PutItem", "LINK#"), LOST_ANSWER, times=1)

    repository.add(NEW_LINK)  # the retry finds the item and knows it for its own

    assert faults.attempts_at(("PutItem", "LINK#")) == 2
    assert table_contents(dynamodb, table_name) == [link_to_item(NEW_LINK)]


def test_a_creation_whose_answers_are_all_lost_is_unavailable_yet_whole(
    repository, faults, dynamodb, table_name
):
    faults.fail(("PutItem", "LINK#"), LOST_ANSWER)

    with pytest.raises(StorageUnavailable):
        repository.add(NEW_LINK)

    # The write landed on the first attempt: all of it, and never a part.
    assert table_contents(dynamodb, table_name) == [link_to_item(NEW_LINK)]


def test_an_existing_link_is_never_taken_for_our_own_lost_write(stored_link, repository, faults):
    # Someone else's link under the same id (another token) is a clash, lost answer or not.
    clash = Link(LINK.short_id, "https://example.org/", CREATED, management_token_hash="d" * 64)
    faults.fail(("PutItem", "LINK#"), LOST_ANSWER, times=1)

    with pytest.raises(ShortIdTaken):
        repository.add(clash)

    assert repository.get(LINK.short_id) == LINK


def test_a_change_whose_answer_was_lost_is_applied_once(stored_link, repository, faults):
    faults.fail(("UpdateItem", "LINK#"), LOST_ANSWER, times=1)

    changed = BY_NAME["update"].run(repository, None)

    assert changed.url == "https://example.net/"
    assert repository.get(LINK.short_id) == changed


def test_a_deletion_whose_answer_was_lost_still_succeeds(stored_link, repository, faults):
    faults.fail(("UpdateItem", "LINK#"), LOST_ANSWER, times=1)

    BY_NAME["replace_with_tombstone"].run(
        repository, None
    )  # not "410: was deleted" for the owner's own delete

    assert repository.get(LINK.short_id).deleted_at == LATER


def test_a_click_whose_answer_was_lost_counts_twice(stored_link, repository, faults):
    # The documented cost of a one-round-trip click (repository/dynamodb_links.py): an
    # ADD cannot tell its retry from a new click. One click too many, never a wrong target.
    faults.fail(("UpdateItem", "LINK#"), LOST_ANSWER, times=1)

    link = BY_NAME["record_click"].run(repository, None)

    assert (link.url, link.clicks) == (LINK.url, 2)


def test_a_creation_count_whose_answer_was_lost_counts_twice(counter, faults, dynamodb, table_name):
    # As for clicks: the count's retry cannot tell its own first attempt from another
    # creation. One creation too many, erring towards refusing early, and only in a failure.
    faults.fail(("UpdateItem", "RATE#"), LOST_ANSWER, times=1)

    admission = counter.count_creation("198.51.100.7", HOURLY, COUNTED)

    assert admission.counted
    assert admission.counts.total == 2
    assert faults.attempts_at(("UpdateItem", "RATE#")) == 2


def test_a_roll_over_whose_answer_was_lost_counts_twice_too(counter, faults):
    counter.count_creation("198.51.100.7", HOURLY, COUNTED)
    lost: list[bytes] = []

    def lose_the_first_roll_overs_answer(request: Any) -> Any:
        body = request.body if isinstance(request.body, bytes) else request.body.encode()
        if b":was_newest" in body and not lost:
            lost.append(body)
            return LOST_ANSWER(request)
        return URLLib3Session().send(request)

    faults.fail(("UpdateItem", "RATE#"), lose_the_first_roll_overs_answer)

    admission = counter.count_creation("198.51.100.7", HOURLY, COUNTED + timedelta(minutes=15))

    # The retried roll-over finds the item already rolled (by itself), so the creation
    # is counted on top of it once more: count, roll-over, its retry, count.
    assert admission.counted
    assert admission.counts.counts[-2:] == (1, 2)
    assert faults.attempts_at(("UpdateItem", "RATE#")) == 4
