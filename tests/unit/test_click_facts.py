"""What a click keeps for the analytics: bounded, and small enough to stay one write unit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.click_facts import (
    DIRECT,
    MAX_STORED_USER_AGENT,
    ClickFacts,
    click_facts,
    referrer_host,
    viewer_country,
)
from domain.errors import StorageUnavailable
from domain.links import Link
from domain.visitors import is_digest
from repository.link_items import CLICK_ATTRIBUTE, click_to_attribute, link_to_item

AT = datetime(2026, 12, 3, 23, 59, 59, tzinfo=UTC)


class Keys:
    def __init__(self, fail: bool = False) -> None:
        self.days: list[date] = []
        self.fail = fail

    def key_for(self, day: date) -> bytes:
        self.days.append(day)
        if self.fail:
            raise StorageUnavailable("reading the day's visitor key")
        return b"k" * 32


@pytest.mark.parametrize(
    ("referer", "host"),
    [
        (None, DIRECT),
        ("", DIRECT),
        ("https://news.ycombinator.com/item?id=1", "news.ycombinator.com"),
        ("https://WWW.Example.COM/page", "example.com"),
        ("https://www.example.com./", "example.com"),
        ("http://sub.www.example.com/", "sub.www.example.com"),
        ("android-app://com.slack/", "com.slack"),
        ("https://[2001:db8::1]:8443/x", "2001:db8::1"),
        ("not a url", DIRECT),
        ("https://[unbalanced/", DIRECT),
        ("https://" + "a" * 300 + ".com/", DIRECT),
    ],
)
def test_the_referrer_is_the_referring_host(referer, host):
    assert referrer_host(referer) == host


@pytest.mark.parametrize(
    ("header", "country"),
    [("DE", "DE"), ("de", "DE"), (" US ", "US"), (None, None), ("", None), ("XYZ", None)],
)
def test_the_country_is_a_two_letter_code_or_nothing(header, country):
    assert viewer_country(header) == country


def test_a_click_keeps_the_days_digest_of_its_visitor_and_never_the_address():
    keys = Keys()

    facts = click_facts(
        at=AT,
        referer="https://t.co/x",
        country="FR",
        user_agent="Mozilla/5.0 " + "x" * 600,
        address="203.0.113.7",
        visitor_keys=keys,
    )

    assert keys.days == [date(2026, 12, 3)]  # the click's UTC day
    assert facts.referrer == "t.co"
    assert facts.country == "FR"
    assert len(facts.user_agent) == MAX_STORED_USER_AGENT
    assert facts.visitor is not None
    assert is_digest(facts.visitor)
    assert "203.0.113.7" not in repr(facts)


def test_without_the_days_key_a_click_still_counts_without_its_visitor():
    facts = click_facts(
        at=AT,
        referer=None,
        country=None,
        user_agent="Mozilla/5.0",
        address="203.0.113.7",
        visitor_keys=Keys(fail=True),
    )

    assert facts.visitor is None
    assert facts.referrer == DIRECT


def item_size(value: object) -> int:
    """DynamoDB's item size: attribute names plus values (UTF-8 bytes for strings, about
    one byte per two digits plus one for numbers, 3 bytes of overhead per map or list
    and 1 per element), as AWS documents it ("Item sizes and formats")."""
    if isinstance(value, dict) and len(value) == 1:
        ((kind, inner),) = value.items()
        if kind == "S":
            return len(inner.encode())
        if kind == "N":
            return (len(inner.lstrip("-").replace(".", "")) + 1) // 2 + 1
        if kind == "B":
            return len(inner)
        if kind == "M":
            return 3 + sum(len(k.encode()) + item_size(v) + 1 for k, v in inner.items())
    raise AssertionError(f"not an attribute value: {value!r}")


def test_an_ordinary_link_with_the_largest_click_stays_one_write_unit():
    # An ordinary link: a 100-character target, created with a token and an expiry,
    # clicked a million times. The largest click: the longest referring host, the
    # longest stored User-Agent, a country and a digest.
    link = Link(
        short_id="7cp2Xhz",
        url="https://example.com/" + "p" * 80,
        created_at=AT,
        clicks=1_000_000,
        last_clicked_at=AT,
        expires_at=AT,
        management_token_hash="f" * 64,
    )
    largest = ClickFacts(
        referrer="r" * 253, country="DE", user_agent="u" * MAX_STORED_USER_AGENT, visitor=32_767
    )
    item = {**link_to_item(link), CLICK_ATTRIBUTE: click_to_attribute(largest)}

    size = sum(len(name.encode()) + item_size(value) for name, value in item.items())

    assert size <= 1024, size
