"""An environment's copy of the blocked hosts: one read a minute, the seed always in it,
and an outage that keeps the older copy rather than failing every redirect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.blocked_hosts import BlockedHostsCache, check_blocked_host
from domain.errors import InvalidInput, StorageUnavailable

START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class Store:
    def __init__(self, *hosts: str) -> None:
        self.hosts = frozenset(hosts)
        self.reads = 0
        self.failing = False

    def read(self) -> frozenset[str]:
        self.reads += 1
        if self.failing:
            raise StorageUnavailable("reading the blocked hosts")
        return self.hosts


def test_one_read_serves_a_minute_of_requests_with_the_seed_added():
    store, clock = Store("evil.example"), Clock()
    cache = BlockedHostsCache(read=store.read, seed=frozenset({"seeded.example"}), clock=clock)

    for _ in range(1000):
        clock.now += timedelta(milliseconds=59)
        assert cache.denied_hosts() == {"evil.example", "seeded.example"}

    assert store.reads == 1


def test_a_block_applies_once_the_copy_is_a_minute_old():
    store, clock = Store(), Clock()
    cache = BlockedHostsCache(read=store.read, clock=clock)
    assert cache.denied_hosts() == frozenset()

    store.hosts = frozenset({"evil.example"})
    clock.now += timedelta(seconds=59)
    assert cache.denied_hosts() == frozenset()
    clock.now += timedelta(seconds=1)
    assert cache.denied_hosts() == {"evil.example"}


def test_a_failed_read_keeps_the_older_copy_and_tries_again_in_seconds():
    store, clock = Store("evil.example"), Clock()
    cache = BlockedHostsCache(read=store.read, clock=clock)
    cache.denied_hosts()
    store.failing = True

    clock.now += timedelta(seconds=61)
    assert cache.denied_hosts() == {"evil.example"}
    clock.now += timedelta(seconds=1)
    assert cache.denied_hosts() == {"evil.example"}
    assert store.reads == 2  # not one per request
    clock.now += timedelta(seconds=5)
    cache.denied_hosts()
    assert store.reads == 3


def test_with_nothing_read_yet_a_failure_is_a_failure():
    store = Store()
    store.failing = True

    with pytest.raises(StorageUnavailable):
        BlockedHostsCache(read=store.read, clock=Clock()).denied_hosts()


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Evil.Example.", "evil.example"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("203.0.113.7", "203.0.113.7"),
    ],
)
def test_a_host_is_stored_as_a_denied_hosts_entry(given, stored):
    assert check_blocked_host(given) == stored


@pytest.mark.parametrize(
    "given", ["", "a,b.example", "bücher.de", "http://evil.example/", "1.2.3", "[::1]", "a..b"]
)
def test_anything_else_is_refused_naming_host(given):
    with pytest.raises(InvalidInput) as refused:
        check_blocked_host(given)

    assert refused.value.field == "host"


def test_a_request_refused_before_its_target_is_judged_reads_nothing():
    store, clock = Store("evil.example"), Clock()
    cache = BlockedHostsCache(read=store.read, clock=clock)

    unused = cache.on_first_use()
    used = cache.on_first_use()

    assert store.reads == 0
    assert "evil.example" in used
    assert "a.example" not in used
    assert store.reads == 1
    assert sorted(unused) == ["evil.example"]  # from the copy now kept
    assert store.reads == 1
