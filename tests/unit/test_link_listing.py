"""Which links a listing shows (domain/link_listing.py) and its page cursors
(repository/cursors.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import InvalidInput
from domain.link_listing import LinkFilter
from domain.links import Link
from domain.pages import DEFAULT_PAGE_SIZE, page_size
from repository.cursors import decode_cursor, encode_cursor

NOW = datetime(2026, 12, 3, tzinfo=UTC)
LINK = Link("Spring-Sale", "https://shop.example.com/a", NOW, tags=("sale", "q2"))


@pytest.mark.parametrize(
    ("tag", "text", "kept"),
    [
        (None, None, True),
        ("sale", None, True),
        ("blog", None, False),
        (None, "spring", True),
        (None, "SHOP.EXAMPLE", True),
        (None, "/a", False),  # the path is not searched: only the alias and the host
        ("sale", "blog", False),
    ],
)
def test_a_filter_keeps_links_by_tag_and_by_text_in_alias_or_host(tag, text, kept):
    assert LinkFilter.of(tag, text).keeps(LINK) is kept


@pytest.mark.parametrize(("tag", "text", "field"), [("Sale", None, "tag"), (None, "", "q")])
def test_a_filter_it_cannot_apply_is_refused(tag, text, field):
    with pytest.raises(InvalidInput) as refused:
        LinkFilter.of(tag, text)

    assert refused.value.field == field


@pytest.mark.parametrize(("raw", "size"), [(None, DEFAULT_PAGE_SIZE), ("1", 1), ("100", 100)])
def test_a_page_holds_1_to_100_links(raw, size):
    assert page_size(raw) == size


@pytest.mark.parametrize("raw", ["0", "101", "-1", "1.5", "ten", ""])
def test_other_page_sizes_are_refused(raw):
    with pytest.raises(InvalidInput):
        page_size(raw)


ITEM = {
    "PK": {"S": "OWNS#abc"},
    "SK": {"S": "META"},
    "listed": {"S": "OWNER#team-a"},
    "created": {"S": "2026-12-03T00:00:00.000Z#abc"},
}
KEY = ("PK", "SK", "listed", "created")


def test_a_cursor_resumes_right_after_its_item():
    cursor = encode_cursor(ITEM, KEY)

    assert decode_cursor(cursor, KEY, partition=("listed", "OWNER#team-a")) == ITEM


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "bm90IGpzb24",  # "not json"
        encode_cursor({**ITEM, "listed": {"S": "OWNER#team-b"}}, KEY),  # another owner's
        encode_cursor(ITEM, ("PK", "SK")),  # not this listing's key
        "A" * 3000,
    ],
)
def test_a_cursor_this_listing_did_not_give_out_is_refused(cursor):
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(cursor, KEY, partition=("listed", "OWNER#team-a"))

    assert refused.value.field == "cursor"
