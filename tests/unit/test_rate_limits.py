"""The rate limits' arithmetic: scopes of an address, rolling sub-windows, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.rate_limits import (
    ALL_CLIENTS,
    CEILING_WINDOW,
    SUB_WINDOWS,
    CreationRateLimits,
    RollingCounts,
    RollingLimit,
    client_of,
)
from tests.unit.fakes import FakeCreationCounter

LIMITS = CreationRateLimits(
    per_client=30, per_56=60, per_48=120, window=timedelta(minutes=5), ceiling_per_minute=600
)
FIVE_MINUTES = RollingLimit(3, timedelta(minutes=5))  # sub-windows of one minute
AT = datetime(2026, 11, 21, 16, 44, 59, tzinfo=UTC)


# --- who a creation counts against ----------------------------------------------------


@pytest.mark.parametrize(
    ("source_ip", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:0DB8:0001:0002::0001", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("::FFFF:cb00:7107", "203.0.113.7"),
        ("not an address", "not an address"),
    ],
)
def test_a_client_is_its_ipv4_address_or_its_ipv6_64(source_ip, client):
    assert client_of(source_ip) == client


def test_an_ipv4_client_counts_against_its_address_then_the_ceiling():
    scopes = LIMITS.scopes_of("203.0.113.7")

    assert [(s.name, s.limit.max_creations, s.ceiling) for s in scopes] == [
        ("203.0.113.7", 30, False),
        (ALL_CLIENTS, 600, True),
    ]
    assert scopes[0].limit.window == timedelta(minutes=5)
    assert scopes[1].limit.window == CEILING_WINDOW == timedelta(minutes=1)


@pytest.mark.parametrize("client", ["2001:db8:1:2::/64", "2001:db8:1:2:3:4:5:6"])
def test_an_ipv6_client_counts_against_its_64_56_and_48_then_the_ceiling(client):
    scopes = LIMITS.scopes_of(client)

    assert [(s.name, s.limit.max_creations, s.ceiling) for s in scopes] == [
        ("2001:db8:1:2::/64", 30, False),
        ("2001:db8:1::/56", 60, False),
        ("2001:db8:1::/48", 120, False),
        (ALL_CLIENTS, 600, True),
    ]
    assert {s.limit.window for s in scopes[:3]} == {timedelta(minutes=5)}


def test_an_ipv4_mapped_address_counts_as_its_ipv4_address():
    assert LIMITS.scopes_of("::ffff:203.0.113.7") == LIMITS.scopes_of("203.0.113.7")


# --- sub-windows ------------------------------------------------------------------------


def test_sub_windows_are_a_fifth_of_the_window_counted_from_the_epoch():
    sub_window = FIVE_MINUTES.sub_window_of(AT)

    assert FIVE_MINUTES.start_of(sub_window) == datetime(2026, 11, 21, 16, 44, tzinfo=UTC)
    assert FIVE_MINUTES.start_of(sub_window + 1) == datetime(2026, 11, 21, 16, 45, tzinfo=UTC)
    # Counted in every span up to the end of the sub-window five later.
    assert FIVE_MINUTES.counted_until(sub_window) == datetime(2026, 11, 21, 16, 50, tzinfo=UTC)
    assert FIVE_MINUTES.grid == "300/5"


@given(
    at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    window_seconds=st.integers(min_value=1, max_value=86_400),
)
def test_every_instant_falls_in_exactly_one_sub_window(at, window_seconds):
    at = at.replace(tzinfo=UTC)
    limit = RollingLimit(1, timedelta(seconds=window_seconds))
    sub_window = limit.sub_window_of(at)

    assert limit.start_of(sub_window) <= at < limit.start_of(sub_window + 1)
    length = limit.start_of(sub_window + 1) - limit.start_of(sub_window)
    assert abs(length * SUB_WINDOWS - limit.window) <= timedelta(microseconds=SUB_WINDOWS)


@pytest.mark.parametrize(
    ("shift", "counts"),
    [
        (-2, (1, 2, 3, 4, 5, 6)),  # a clock behind: the counts stay as they are
        (0, (1, 2, 3, 4, 5, 6)),
        (1, (2, 3, 4, 5, 6, 0)),
        (4, (5, 6, 0, 0, 0, 0)),
        (6, (0, 0, 0, 0, 0, 0)),
        (1000, (0, 0, 0, 0, 0, 0)),
    ],
)
def test_rolling_forward_drops_the_sub_windows_that_left_the_span(shift, counts):
    stored = RollingCounts(100, (1, 2, 3, 4, 5, 6))

    rolled = stored.rolled_to(100 + shift)

    assert rolled.counts == counts
    assert rolled.newest == max(100, 100 + shift)


# --- Retry-After ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "now", "seconds"),
    [
        # All three in the newest sub-window (16:44): they leave the span at 16:50.
        ((0, 0, 0, 0, 0, 3), AT, 301),
        # The oldest (16:39) leaves at 16:45, one second from now.
        ((1, 0, 0, 0, 1, 1), AT, 1),
        # Two must leave: 16:40's one at 16:46, then 16:42's at 16:48.
        ((0, 1, 0, 1, 0, 2), AT, 181),
        # Nothing is ever less than a second away.
        ((1, 0, 0, 0, 0, 2), datetime(2026, 11, 21, 16, 44, 59, 999_999, tzinfo=UTC), 1),
    ],
)
def test_retry_after_is_when_enough_of_the_oldest_creations_have_left(counts, now, seconds):
    refused_by = RollingCounts(FIVE_MINUTES.sub_window_of(AT), counts)

    assert FIVE_MINUTES.retry_after(refused_by, now) == seconds


def test_counts_that_would_admit_have_no_retry_after():
    with pytest.raises(ValueError, match="admit"):
        FIVE_MINUTES.retry_after(RollingCounts(0, (0, 0, 0, 0, 1, 1)), AT)


# --- the promise, for any attempts at all ---------------------------------------------


@given(
    offsets=st.lists(st.integers(min_value=0, max_value=3_600_000_000), max_size=60),
    limit=st.integers(min_value=1, max_value=5),
    window_seconds=st.sampled_from([60, 300, 301, 3600]),
)
def test_no_span_of_the_window_ever_admits_more_than_the_limit(offsets, limit, window_seconds):
    rolling = RollingLimit(limit, timedelta(seconds=window_seconds))
    counter = FakeCreationCounter()
    start = datetime(2026, 11, 21, 16, 0, 7, 123_456, tzinfo=UTC)
    admitted: list[datetime] = []
    refused: list[datetime] = []
    for offset in sorted(offsets):
        at = start + timedelta(microseconds=offset)
        admission = counter.count_creation("client", rolling, at)
        (admitted if admission.counted else refused).append(at)

    # Never more than the limit in any span of the window...
    for first in admitted:
        in_span = [at for at in admitted if first <= at < first + rolling.window]
        assert len(in_span) <= limit
    # ...and a refusal only when the limit is reached within one sub-window more.
    longest = rolling.window + rolling.window / rolling.sub_windows
    for at in refused:
        assert len([a for a in admitted if at - longest < a <= at]) >= limit


@given(
    offsets=st.lists(st.integers(min_value=0, max_value=600_000_000), min_size=1, max_size=30),
    limit=st.integers(min_value=1, max_value=4),
)
def test_retry_after_is_exactly_when_an_attempt_is_admitted_again(offsets, limit):
    rolling = RollingLimit(limit, timedelta(minutes=5))
    counter = FakeCreationCounter()
    start = datetime(2026, 11, 21, 16, 0, 7, 123_456, tzinfo=UTC)
    at = start
    for offset in sorted(offsets):
        at = start + timedelta(microseconds=offset)
        counter.count_creation("client", rolling, at)
    refused = counter.count_creation("client", rolling, at)
    if refused.counted:
        return
    seconds = rolling.retry_after(refused.counts, at)
    state = dict(counter.counts)

    if seconds > 1:
        early = at + timedelta(seconds=seconds - 1)
        assert not counter.count_creation("client", rolling, early).counted
    assert counter.count_creation("client", rolling, at + timedelta(seconds=seconds)).counted
    assert counter.counts != state
