"""DynamoDBLinkRepository against moto, with the table built from template.yaml."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import LinkNotFound, ShortIdTaken
from domain.links import Link
from tests.integration.conftest import TABLE_NAME

CREATED = datetime(2026, 11, 21, 16, 42, 35, 123000, tzinfo=UTC)


def test_a_new_link_is_stored_in_the_single_table_layout(repository, dynamodb):
    repository.add(Link("7cp2Xhz", "https://example.com/", CREATED))

    item = dynamodb.get_item(
        TableName=TABLE_NAME, Key={"PK": {"S": "LINK#7cp2Xhz"}, "SK": {"S": "META"}}
    )["Item"]
    assert item == {
        "PK": {"S": "LINK#7cp2Xhz"},
        "SK": {"S": "META"},
        "url": {"S": "https://example.com/"},
        "createdAt": {"S": "2026-11-21T16:42:35.123Z"},
        "clicks": {"N": "0"},
    }


def test_adding_an_existing_id_raises_and_keeps_the_first_link(repository):
    first = Link("7cp2Xhz", "https://first.example/", CREATED)
    repository.add(first)

    with pytest.raises(ShortIdTaken):
        repository.add(Link("7cp2Xhz", "https://second.example/", CREATED))

    assert repository.get("7cp2Xhz") == first


def test_a_link_reads_back_as_it_was_stored(repository):
    link = Link("7cp2Xhz", "https://example.com/x?y=1#z", CREATED)
    repository.add(link)

    assert repository.get("7cp2Xhz") == link


def test_get_of_an_unknown_id_raises_not_found(repository):
    with pytest.raises(LinkNotFound):
        repository.get("nope123")


def test_record_click_counts_atomically_and_returns_the_updated_link(repository):
    repository.add(Link("7cp2Xhz", "https://example.com/", CREATED))
    first_click = CREATED + timedelta(seconds=1)
    second_click = CREATED + timedelta(seconds=2)

    repository.record_click("7cp2Xhz", at=first_click)
    link = repository.record_click("7cp2Xhz", at=second_click)

    assert link.clicks == 2
    assert link.last_clicked_at == second_click
    assert link.url == "https://example.com/"
    assert repository.get("7cp2Xhz").clicks == 2


def test_record_click_on_an_unknown_id_creates_nothing(repository, dynamodb):
    with pytest.raises(LinkNotFound):
        repository.record_click("nope123", at=CREATED)

    assert dynamodb.scan(TableName=TABLE_NAME)["Count"] == 0
