from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any

import pytest
import shortuuid

from domain.errors import (
    AliasTaken,
    InvalidInput,
    InvalidUrl,
    RateLimited,
    ShortIdsExhausted,
)
from domain.links import Link
from domain.management_tokens import hash_management_token
from domain.rate_limits import CreationRateLimit
from domain.short_ids import SHORT_ID_LENGTH, new_short_id
from domain.shortening import MAX_ID_ATTEMPTS, LinkRequest, shorten_link
from domain.target_rules import TargetRules
from tests.unit.fakes import FakeCreationCounter, FakeLinkRepository

NOW = datetime(2026, 11, 21, 16, 42, 35, tzinfo=UTC)
GENEROUS = CreationRateLimit(max_creations=1000, window=timedelta(minutes=5))


def shorten(request: LinkRequest, repository: FakeLinkRepository, **overrides: Any):
    arguments: dict[str, Any] = {
        "client": "203.0.113.7",
        "repository": repository,
        "counter": FakeCreationCounter(),
        "rate_limit": GENEROUS,
        "clock": lambda: NOW,
        **overrides,
    }
    return shorten_link(request, **arguments)


def test_shortening_stores_the_canonical_url_under_a_new_id_with_a_token_hash():
    repository = FakeLinkRepository()

    created = shorten(LinkRequest("HTTPS://Bücher.example/straße"), repository)

    link = created.link
    assert link.url == "https://xn--bcher-kva.example/stra%C3%9Fe"
    assert link.created_at == NOW
    assert link.expires_at is None
    assert repository.links == {link.short_id: link}
    assert link.management_token_hash == hash_management_token(created.management_token)
    assert created.management_token not in repr(link)


def test_a_colliding_id_is_retried_and_never_overwrites():
    existing = Link(short_id="taken00", url="https://first.example/", created_at=NOW)
    repository = FakeLinkRepository(existing)
    ids = iter(["taken00", "taken00", "fresh01"])

    created = shorten(
        LinkRequest("https://second.example/"), repository, generate_id=lambda: next(ids)
    )

    assert created.link.short_id == "fresh01"
    assert repository.links["taken00"] == existing
    assert repository.writes == 3


def test_giving_up_after_bounded_attempts_raises_and_writes_nothing_new():
    existing = Link(short_id="taken00", url="https://first.example/", created_at=NOW)
    repository = FakeLinkRepository(existing)

    with pytest.raises(ShortIdsExhausted):
        shorten(LinkRequest("https://second.example/"), repository, generate_id=lambda: "taken00")

    assert repository.writes == MAX_ID_ATTEMPTS
    assert repository.links == {"taken00": existing}


def test_a_url_that_breaks_the_policy_is_refused_before_any_write():
    repository = FakeLinkRepository()
    counter = FakeCreationCounter()

    with pytest.raises(InvalidUrl) as refused:
        shorten(LinkRequest("javascript:alert(1)"), repository, counter=counter)

    assert refused.value.field == "url"
    assert repository.writes == 0
    assert not counter.counts


def test_a_link_to_the_shortener_itself_is_refused():
    repository = FakeLinkRepository()

    with pytest.raises(InvalidUrl, match="shortener"):
        shorten(
            LinkRequest("https://SHO.RT./abc"), repository, rules=TargetRules(own_hosts=["sho.rt"])
        )

    assert repository.writes == 0


def test_a_denied_host_is_refused():
    rules = TargetRules(denied_hosts=frozenset({"evil.example"}))

    with pytest.raises(InvalidUrl, match="not allowed"):
        shorten(LinkRequest("https://login.EVIL.example./"), FakeLinkRepository(), rules=rules)


# --- aliases ------------------------------------------------------------------------


def test_an_alias_becomes_the_short_id():
    repository = FakeLinkRepository()

    created = shorten(LinkRequest("https://example.com/", alias="Launch-2026"), repository)

    assert created.link.short_id == "Launch-2026"
    assert "Launch-2026" in repository.links


def test_a_taken_alias_is_refused_and_never_overwritten():
    first = Link("promo", "https://first.example/", NOW)
    repository = FakeLinkRepository(first)

    with pytest.raises(AliasTaken):
        shorten(LinkRequest("https://second.example/", alias="promo"), repository)

    assert repository.links["promo"] == first


def test_aliases_are_case_sensitive():
    repository = FakeLinkRepository(Link("promo", "https://first.example/", NOW))

    created = shorten(LinkRequest("https://second.example/", alias="Promo"), repository)

    assert created.link.short_id == "Promo"
    assert repository.links["promo"].url == "https://first.example/"


@pytest.mark.parametrize(
    ("alias", "reason"),
    [
        ("ab", "3 to 64"),
        ("x" * 65, "3 to 64"),
        ("has space", "3 to 64"),
        ("dot.ted", "3 to 64"),
        ("ümlaut", "3 to 64"),
        ("links", "reserved"),
        ("LINKS", "reserved"),
        ("Shorten", "reserved"),
        ("health", "reserved"),
        ("docs", "reserved"),
        ("assets", "reserved"),
    ],
)
def test_bad_or_reserved_aliases_are_refused(alias, reason):
    repository = FakeLinkRepository()

    with pytest.raises(InvalidInput, match=reason) as refused:
        shorten(LinkRequest("https://example.com/", alias=alias), repository)

    assert refused.value.field == "alias"
    assert repository.writes == 0


# --- expiry -------------------------------------------------------------------------


def test_expires_in_sets_the_expiry_from_now():
    created = shorten(LinkRequest("https://example.com/", expires_in=3600), FakeLinkRepository())

    assert created.link.expires_at == NOW + timedelta(hours=1)


def test_expires_at_is_kept_as_given():
    moment = NOW + timedelta(days=7)

    created = shorten(LinkRequest("https://example.com/", expires_at=moment), FakeLinkRepository())

    assert created.link.expires_at == moment


@pytest.mark.parametrize(
    ("request_", "field", "reason"),
    [
        (LinkRequest("https://e.com/", expires_in=0), "expiresIn", "positive"),
        (LinkRequest("https://e.com/", expires_in=-5), "expiresIn", "positive"),
        (LinkRequest("https://e.com/", expires_in=6 * 365 * 86400), "expiresIn", "at most"),
        (LinkRequest("https://e.com/", expires_at=NOW), "expiresAt", "future"),
        (LinkRequest("https://e.com/", expires_at=NOW - timedelta(1)), "expiresAt", "future"),
        (
            LinkRequest("https://e.com/", expires_at=NOW + timedelta(6 * 365)),
            "expiresAt",
            "at most",
        ),
        (
            LinkRequest("https://e.com/", expires_at=NOW + timedelta(1), expires_in=60),
            "expiresAt",
            "not both",
        ),
    ],
    ids=["zero", "negative", "too-far-in", "now", "past", "too-far-at", "both"],
)
def test_bad_expiry_is_refused(request_, field, reason):
    repository = FakeLinkRepository()

    with pytest.raises(InvalidInput, match=reason) as refused:
        shorten(request_, repository)

    assert refused.value.field == field
    assert repository.writes == 0


# --- rate limit ---------------------------------------------------------------------


def test_past_the_rate_limit_a_client_is_refused_with_the_time_left_in_the_window():
    limit = CreationRateLimit(max_creations=2, window=timedelta(minutes=5))
    repository, counter = FakeLinkRepository(), FakeCreationCounter()
    at = datetime(2026, 11, 21, 16, 41, 0, tzinfo=UTC)  # 60 s into a 16:40-16:45 window

    for n in range(2):
        shorten(LinkRequest(f"https://e.com/{n}"), repository, counter=counter, rate_limit=limit)
    with pytest.raises(RateLimited) as limited:
        shorten(
            LinkRequest("https://e.com/3"),
            repository,
            counter=counter,
            rate_limit=limit,
            clock=lambda: at,
        )

    assert limited.value.retry_after_seconds == 240
    assert len(repository.links) == 2


def test_the_rate_limit_is_per_client():
    limit = CreationRateLimit(max_creations=1, window=timedelta(minutes=5))
    repository, counter = FakeLinkRepository(), FakeCreationCounter()

    for client in ("203.0.113.7", "198.51.100.9"):
        shorten(
            LinkRequest("https://e.com/"),
            repository,
            client=client,
            counter=counter,
            rate_limit=limit,
        )

    assert len(repository.links) == 2


# --- ids ----------------------------------------------------------------------------


def test_generated_ids_are_seven_characters_of_the_lookalike_free_alphabet():
    alphabet = shortuuid.get_alphabet()
    ids = [new_short_id() for _ in range(500)]

    assert all(len(short_id) == SHORT_ID_LENGTH for short_id in ids)
    assert set(chain.from_iterable(ids)) <= set(alphabet)
    assert not set("0O1lI") & set(alphabet)
    assert len(set(ids)) == len(ids)


def test_ids_are_drawn_from_the_operating_systems_csprng(monkeypatch):
    # Guessable ids would let anyone enumerate links: every character must come from
    # `secrets` (the OS's CSPRNG), never from a seedable `random`.
    drawn = []

    def recording_choice(alphabet):
        drawn.append(alphabet)
        return alphabet[0]

    monkeypatch.setattr("secrets.choice", recording_choice)

    assert new_short_id() == shortuuid.get_alphabet()[0] * SHORT_ID_LENGTH
    assert len(drawn) == SHORT_ID_LENGTH
