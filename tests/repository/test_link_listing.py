"""An owner's links from ListIndex (repository/dynamodb_link_listing.py) on moto and
DynamoDB Local: newest first, paged without skipping or repeating, filtered, deleted ones
left out, a viral link with its shards' clicks; and the owner's key changes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidInput, NotAuthorized
from domain.link_listing import LinkFilter
from domain.links import Link
from repository.dynamodb_link_listing import DynamoDBLinkListing

pytestmark = pytest.mark.dynamodb_only

START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def link(number: int, owner: str | None = "team-a", **fields: object) -> Link:
    return Link(
        f"link-{number:02d}",
        f"https://site{number % 3}.example/{number}",
        START + timedelta(seconds=number),
        management_token_hash=f"{number:064x}",
        owner=owner,
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture
def listing(repository, client, table_name) -> DynamoDBLinkListing:
    return DynamoDBLinkListing(client, table_name, repository)


def test_pages_walk_the_owners_links_newest_first_each_once(repository, listing):
    for number in range(12):
        repository.add(link(number))
    repository.add(link(50, owner="team-b"))
    repository.add(link(51, owner=None))

    seen: list[str] = []
    cursor = None
    while True:
        page = listing.owned_by("team-a", limit=5, cursor=cursor)
        seen += [found.short_id for found in page.items]
        if page.cursor is None:
            break
        cursor = page.cursor

    assert seen == [f"link-{number:02d}" for number in reversed(range(12))]


def test_a_filtered_page_may_be_short_but_its_cursor_goes_on(repository, listing):
    for number in range(9):
        repository.add(link(number, tags=("even",) if number % 2 == 0 else ()))

    wanted = LinkFilter.of("even", None).keeps
    first = listing.owned_by("team-a", limit=3, keep=wanted)
    rest = listing.owned_by("team-a", limit=3, cursor=first.cursor, keep=wanted)

    assert [found.short_id for found in first.items] == ["link-08", "link-06", "link-04"]
    assert [found.short_id for found in rest.items] == ["link-02", "link-00"]
    assert rest.cursor is None


def test_deleted_links_are_left_out_and_a_viral_links_clicks_are_its_total(repository, listing):
    for number in range(3):
        repository.add(link(number))
    repository.replace_with_tombstone("link-01", expected_owner="team-a", at=START)
    viral = repository.get("link-02")
    repository.spread_clicks(viral, 2)
    repository.record_click("link-02", at=START)
    repository.record_shard_click("link-02", 1, at=START)
    repository.record_shard_click("link-02", 2, at=START)

    page = listing.owned_by("team-a", limit=10)

    assert [(found.short_id, found.clicks) for found in page.items] == [
        ("link-02", 3),
        ("link-00", 0),
    ]
    assert len(listing.every_owned_by("team-a")) == 2


def test_only_the_owner_changes_an_owned_link_by_owner(repository):
    repository.add(link(1, title="Launch", tags=("a",)))

    changed = repository.update(
        "link-01", expected_owner="team-a", title="Launch v2", tags=("a", "b")
    )
    with pytest.raises(NotAuthorized):
        repository.update("link-01", expected_owner="team-b", url="https://evil.example/")

    assert (changed.title, changed.tags) == ("Launch v2", ("a", "b"))
    assert repository.get("link-01").url == "https://site1.example/1"


def test_a_cursor_of_another_owner_is_refused(repository, listing):
    for number in range(3):
        repository.add(link(number, owner="team-b"))
    cursor = listing.owned_by("team-b", limit=1).cursor
    assert cursor is not None

    with pytest.raises(InvalidInput):
        listing.owned_by("team-a", limit=1, cursor=cursor)
