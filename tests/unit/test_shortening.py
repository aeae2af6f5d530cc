from __future__ import annotations

from datetime import UTC, datetime
from itertools import chain

import pytest
import shortuuid

from domain.errors import InvalidUrl, ShortIdsExhausted
from domain.links import Link
from domain.short_ids import SHORT_ID_LENGTH, new_short_id
from domain.shortening import MAX_ID_ATTEMPTS, shorten_link
from tests.unit.fakes import FakeLinkRepository

NOW = datetime(2026, 11, 21, 16, 42, 35, tzinfo=UTC)


def clock() -> datetime:
    return NOW


def test_shortening_stores_the_canonical_url_under_a_new_id():
    repository = FakeLinkRepository()

    link = shorten_link("HTTPS://Bücher.example/straße", repository=repository, clock=clock)

    assert link.url == "https://xn--bcher-kva.example/stra%C3%9Fe"
    assert link.created_at == NOW
    assert link.clicks == 0
    assert repository.links == {link.short_id: link}


def test_a_colliding_id_is_retried_and_never_overwrites():
    existing = Link(short_id="taken00", url="https://first.example/", created_at=NOW)
    repository = FakeLinkRepository(existing)
    ids = iter(["taken00", "taken00", "fresh01"])

    link = shorten_link(
        "https://second.example/", repository=repository, clock=clock, generate_id=lambda: next(ids)
    )

    assert link.short_id == "fresh01"
    assert repository.links["taken00"] == existing
    assert repository.writes == 3


def test_giving_up_after_bounded_attempts_raises_and_writes_nothing_new():
    existing = Link(short_id="taken00", url="https://first.example/", created_at=NOW)
    repository = FakeLinkRepository(existing)

    with pytest.raises(ShortIdsExhausted):
        shorten_link(
            "https://second.example/",
            repository=repository,
            clock=clock,
            generate_id=lambda: "taken00",
        )

    assert repository.writes == MAX_ID_ATTEMPTS
    assert repository.links == {"taken00": existing}


def test_a_url_that_breaks_the_policy_is_refused_before_any_write():
    repository = FakeLinkRepository()

    with pytest.raises(InvalidUrl) as refused:
        shorten_link("javascript:alert(1)", repository=repository)

    assert refused.value.field == "url"
    assert repository.writes == 0


def test_a_link_to_the_shortener_itself_is_refused():
    repository = FakeLinkRepository()

    with pytest.raises(InvalidUrl, match="shortener"):
        shorten_link("https://SHO.RT./abc", repository=repository, own_hosts=["sho.rt"])

    assert repository.writes == 0


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
