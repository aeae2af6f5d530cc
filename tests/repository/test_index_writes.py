"""What ListIndex costs, measured where DynamoDB reports it: DynamoDB Local's consumed
capacity per index (ReturnConsumedCapacity=INDEXES). A link's creation writes its index
entry; a click, which changes nothing the index holds, writes none (deploy/cost.py
prices exactly that)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.click_facts import ClickFacts
from domain.links import Link
from repository.dynamodb_links import DynamoDBLinkRepository
from tests.repository.conftest import DYNAMODB_LOCAL

CREATED = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class ConsumedCapacity:
    """Asks every write for its consumed capacity per index, and keeps the answers."""

    def __init__(self, client: Any) -> None:
        self.answers: list[dict[str, Any]] = []
        client.meta.events.register("provide-client-params.dynamodb.*", self._ask)
        client.meta.events.register("after-call.dynamodb.*", self._keep)

    def _ask(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in {"PutItem", "UpdateItem", "TransactWriteItems"}:
            params["ReturnConsumedCapacity"] = "INDEXES"

    def _keep(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity")
        if consumed:
            self.answers += consumed if isinstance(consumed, list) else [consumed]

    def index_units(self) -> float:
        return sum(
            float(index.get("CapacityUnits", 0.0))
            for answer in self.answers
            for index in (answer.get("GlobalSecondaryIndexes") or {}).values()
        )


@pytest.mark.parametrize("backend", [DYNAMODB_LOCAL])
def test_a_creation_writes_its_index_entry_and_a_click_writes_none(backend, client, table_name):
    repository = DynamoDBLinkRepository(client, table_name)
    consumed = ConsumedCapacity(client)

    repository.add(Link("idx-cost", "https://example.com/a", CREATED, management_token_hash="h"))
    created = consumed.index_units()
    consumed.answers.clear()
    click = ClickFacts(referrer="news.example", country="DE", user_agent="Firefox", visitor=7)
    for _ in range(3):
        repository.record_click("idx-cost", at=CREATED, click=click)

    assert created == 1.0
    assert consumed.answers  # the clicks did report what they consumed
    assert consumed.index_units() == 0.0


@pytest.mark.parametrize("backend", [DYNAMODB_LOCAL])
def test_an_owned_creation_writes_both_entries_in_one_transaction(backend, client, table_name):
    repository = DynamoDBLinkRepository(client, table_name)
    consumed = ConsumedCapacity(client)

    owned = Link("idx-own", "https://example.com/o", CREATED, management_token_hash="h", owner="t")
    repository.add(owned)

    # Its item and its owner's listing entry, one unit each as DynamoDB Local counts
    # them (AWS bills a transaction's writes twice, "Capacity management for
    # transactions" in the developer guide, which Local does not model: deploy/cost.py
    # prices 4), and both index entries.
    (answer,) = consumed.answers
    assert answer["Table"]["CapacityUnits"] == 2.0
    assert consumed.index_units() == 2.0
