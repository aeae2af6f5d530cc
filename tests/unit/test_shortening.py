from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any

import pytest
import shortuuid

from domain.errors import (
    AliasTaken,
    CreationCeilingReached,
    InvalidInput,
    InvalidUrl,
    RateLimited,
    ShortIdsExhausted,
    StorageUnavailable,
)
from domain.links import Link
from domain.management_tokens import hash_management_token
from domain.rate_limits import ALL_CLIENTS, CreationRateLimits, client_of
from domain.short_ids import SHORT_ID_LENGTH, new_short_id
from domain.shortening import MAX_ID_ATTEMPTS, LinkRequest, shorten_link
from domain.target_rules import TargetRules
from tests.unit.fakes import FakeCreationCounter, FakeLinkRepository

NOW = datetime(2026, 11, 21, 16, 42, 35, tzinfo=UTC)
GENEROUS = CreationRateLimits(
    per_client=1000,
    per_56=1000,
    per_48=1000,
    window=timedelta(minutes=5),
    ceiling_per_minute=1000,
)


def shorten(request: LinkRequest, repository: FakeLinkRepository, **overrides: Any):
    arguments: dict[str, Any] = {
        "client": "203.0.113.7",
        "repository": repository,
        "counter": FakeCreationCounter(),
        "rate_limits": GENEROUS,
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
            "cannot be given together with expiresIn",
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


def limits(**changes: Any) -> CreationRateLimits:
    return replace(GENEROUS, **changes)


def at(clock_time: str) -> datetime:
    """An instant on NOW's day, e.g. "16:44:59"."""
    return datetime.fromisoformat(f"2026-11-21T{clock_time}+00:00")


def attempt(counter: FakeCreationCounter, when: str, **overrides: Any) -> Any:
    """One creation at `when` ("16:44:59"), limited by `overrides` (GENEROUS otherwise)."""
    arguments = {"counter": counter, "clock": lambda: at(when), **overrides}
    return shorten(LinkRequest("https://e.com/"), FakeLinkRepository(), **arguments)


def test_past_the_rate_limit_a_client_is_refused_until_its_oldest_creation_leaves():
    limited = {"rate_limits": limits(per_client=2)}  # per 5 minutes: sub-windows of 1 min
    counter = FakeCreationCounter()
    attempt(counter, "16:41:10", **limited)
    attempt(counter, "16:43:20", **limited)

    with pytest.raises(RateLimited) as refused:
        attempt(counter, "16:44:00", **limited)

    # 16:41's creation is counted in every span that reaches into 16:41-16:42, the last
    # of which ends at 16:47:00.
    assert refused.value.retry_after_seconds == 180
    with pytest.raises(RateLimited):
        attempt(counter, "16:46:59", **limited)
    attempt(counter, "16:47:00", **limited)


def test_no_burst_across_the_edge_of_a_window():
    # A fixed 16:40-16:45 window let a client create its limit at 16:44:59 and its
    # limit again at 16:45:00. Any 5 minutes now hold at most the limit.
    limited = {"rate_limits": limits(per_client=3)}
    counter = FakeCreationCounter()
    for _ in range(3):
        attempt(counter, "16:44:59", **limited)

    for when in ("16:45:00", "16:47:30", "16:49:59"):
        with pytest.raises(RateLimited) as refused:
            attempt(counter, when, **limited)
        assert (at(when) + timedelta(seconds=refused.value.retry_after_seconds)) == at("16:50:00")
    attempt(counter, "16:50:00", **limited)


def test_refused_attempts_are_not_counted():
    limited = {"rate_limits": limits(per_client=2)}
    counter = FakeCreationCounter()
    attempt(counter, "16:41:10", **limited)
    attempt(counter, "16:41:20", **limited)

    for second in range(0, 60 * 5, 7):  # a flood, every 7 s for 5 minutes
        when = at("16:42:00") + timedelta(seconds=second)
        with pytest.raises(RateLimited):
            attempt(counter, when.strftime("%H:%M:%S"), **limited)

    # The flood did not push the client's next creation back, nor grow the count.
    assert counter.total("203.0.113.7") == 2
    attempt(counter, "16:47:00", **limited)


def test_a_refused_attempt_within_the_flood_is_refused_by_the_same_limit():
    limited = {"rate_limits": limits(per_client=1)}
    counter = FakeCreationCounter()
    attempt(counter, "16:41:10", **limited)

    answers = []
    for when in ("16:42:00", "16:44:00", "16:46:00"):
        with pytest.raises(RateLimited) as refused:
            attempt(counter, when, **limited)
        answers.append(at(when) + timedelta(seconds=refused.value.retry_after_seconds))

    assert answers == [at("16:47:00")] * 3


def test_the_rate_limit_is_per_client():
    limited = {"rate_limits": limits(per_client=1)}
    counter = FakeCreationCounter()

    for client in ("203.0.113.7", "198.51.100.9", "2001:db8::/64", "2001:db8:0:1::/64"):
        attempt(counter, "16:42:35", client=client, **limited)

    assert counter.total("203.0.113.7") == 1


def test_an_ipv4_mapped_address_shares_its_ipv4_addresss_limit():
    limited = {"rate_limits": limits(per_client=1)}
    counter = FakeCreationCounter()
    attempt(counter, "16:42:35", client="203.0.113.7", **limited)

    with pytest.raises(RateLimited):
        attempt(counter, "16:42:36", client=client_of("::ffff:203.0.113.7"), **limited)


def test_the_64s_of_one_56_and_one_48_share_their_limits():
    # Each /64 may create 2, but a /56 only 3 and a /48 only 5, however many /64s ask.
    limited = {"rate_limits": limits(per_client=2, per_56=3, per_48=5)}
    counter = FakeCreationCounter()

    def from_64(prefix: str) -> None:
        attempt(counter, "16:42:35", client=f"{prefix}::/64", **limited)

    for n in range(3):
        from_64(f"2001:db8:1:{n}")  # three /64s of 2001:db8:1::/56
    with pytest.raises(RateLimited):
        from_64("2001:db8:1:ff")  # a fresh /64, in the same /56
    from_64("2001:db8:1:100")  # the next /56, same /48
    from_64("2001:db8:1:200")  # and another
    with pytest.raises(RateLimited):
        from_64("2001:db8:1:ff00")  # a fresh /56 of the same /48
    from_64("2001:db8:2:0")  # another /48 altogether

    assert counter.total("2001:db8:1::/48") == 5


def test_the_ceiling_counts_every_client_together():
    # Clients well within their own limits, so many that together they reach it.
    ceiling = {"rate_limits": limits(per_client=1, ceiling_per_minute=5)}
    counter = FakeCreationCounter()
    for n in range(5):
        attempt(counter, "16:42:35", client=f"198.51.100.{n}", **ceiling)

    with pytest.raises(CreationCeilingReached) as refused:
        attempt(counter, "16:42:40", client="2001:db8::/64", **ceiling)

    # The ceiling's sub-windows are 12 s: 16:42:24-16:42:36 is counted until 16:43:36.
    assert refused.value.retry_after_seconds == 56
    with pytest.raises(CreationCeilingReached):
        attempt(counter, "16:43:35", client="203.0.113.98", **ceiling)
    attempt(counter, "16:43:36", client="203.0.113.99", **ceiling)


def test_the_narrowest_scope_is_counted_first_and_the_ceiling_last():
    counter = FakeCreationCounter()

    attempt(counter, "16:42:35", client="2001:db8:1:2::/64")
    attempt(counter, "16:42:35", client="203.0.113.7")

    assert counter.calls == [
        "2001:db8:1:2::/64",
        "2001:db8:1::/56",
        "2001:db8:1::/48",
        ALL_CLIENTS,
        "203.0.113.7",
        ALL_CLIENTS,
    ]


def test_a_client_refused_by_its_own_limit_does_not_spend_the_ceiling():
    limited = {"rate_limits": limits(per_client=1, ceiling_per_minute=2)}
    counter = FakeCreationCounter()
    attempt(counter, "16:42:35", client="203.0.113.7", **limited)
    for _ in range(10):
        with pytest.raises(RateLimited):
            attempt(counter, "16:42:35", client="203.0.113.7", **limited)

    attempt(counter, "16:42:35", client="198.51.100.9", **limited)

    assert counter.total(ALL_CLIENTS) == 2


def test_a_refusal_by_a_wider_scope_gives_back_what_the_narrower_ones_counted():
    limited = {"rate_limits": limits(per_client=5, per_56=1)}
    counter = FakeCreationCounter()
    attempt(counter, "16:42:35", client="2001:db8:1:1::/64", **limited)

    with pytest.raises(RateLimited):
        attempt(counter, "16:42:35", client="2001:db8:1:2::/64", **limited)

    assert counter.total("2001:db8:1:2::/64") == 0
    assert counter.total("2001:db8:1::/56") == 1


def test_a_flood_past_the_ceiling_does_not_spend_the_waiting_clients_own_quota():
    # While others fill the ceiling, a client retries every few seconds: each refusal
    # gives its count back, so its own 2 creations are still there once the flood ends.
    limited = {"rate_limits": limits(per_client=2, ceiling_per_minute=3)}
    counter = FakeCreationCounter()
    for n in range(3):
        attempt(counter, "16:42:30", client=f"198.51.100.{n}", **limited)
    for second in range(31, 60, 4):
        with pytest.raises(CreationCeilingReached):
            attempt(counter, f"16:42:{second}", client="203.0.113.7", **limited)

    assert counter.total("203.0.113.7") == 0
    attempt(counter, "16:43:40", client="203.0.113.7", **limited)
    attempt(counter, "16:43:41", client="203.0.113.7", **limited)


class FailingGiveBack(FakeCreationCounter):
    def give_back(self, scope: str, limit: Any, counted: Any) -> None:
        raise StorageUnavailable("giving a creation back")


def test_a_give_back_that_fails_leaves_the_refusal_as_it_was():
    limited = {"rate_limits": limits(per_client=5, ceiling_per_minute=1)}
    counter = FailingGiveBack()
    attempt(counter, "16:42:35", client="198.51.100.1", **limited)

    with pytest.raises(CreationCeilingReached):
        attempt(counter, "16:42:36", client="203.0.113.7", **limited)

    assert counter.total("203.0.113.7") == 1  # kept: it ages out with its sub-window


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
