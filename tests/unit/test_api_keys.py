"""API keys in the domain: their shape, their scopes, and how long an execution
environment trusts what it read of one (domain/api_keys.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.api_keys import (
    KEY_CACHE_SECONDS,
    ApiKey,
    ApiKeyCache,
    MissingScope,
    Scope,
    UnknownApiKey,
    hash_secret,
    issue_api_key,
    looks_like_api_key,
    parse_api_key,
    require_scope,
)
from domain.errors import InvalidInput, StorageUnavailable
from domain.management_tokens import new_management_token

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def issued(**overrides: object):
    arguments = {"name": "CI", "owner": "team-a", "scopes": ["links:write"], "now": NOW}
    return issue_api_key(**(arguments | overrides))  # type: ignore[arg-type]


def test_a_key_is_shown_once_and_stored_only_as_the_hash_of_its_secret():
    new = issued()

    key_id, secret = parse_api_key(new.key)
    assert new.key == f"usk_{key_id}_{secret}"
    assert new.record.key_id == key_id
    assert new.record.secret_hash == hash_secret(secret)
    assert secret not in repr(new.record)
    assert new.record.scopes == {Scope.LINKS_WRITE}


def test_keys_are_told_apart_from_management_tokens():
    assert looks_like_api_key(issued().key)
    assert not any(looks_like_api_key(new_management_token()) for _ in range(1000))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"owner": "has space"}, "owner"),
        ({"owner": ""}, "owner"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["links:delete"]}, "scopes"),
        ({"scopes": "admin"}, "scopes"),
    ],
)
def test_a_key_is_issued_only_with_a_name_an_owner_and_known_scopes(overrides, field):
    with pytest.raises(InvalidInput) as refused:
        issued(**overrides)

    assert refused.value.field == field


def test_a_scope_the_key_lacks_is_named():
    with pytest.raises(MissingScope) as refused:
        require_scope(issued().record, Scope.ADMIN)

    assert refused.value.scope is Scope.ADMIN


class Store:
    """The key store as ApiKeyCache sees it, counting reads."""

    def __init__(self, *keys: ApiKey) -> None:
        self.keys = {key.key_id: key for key in keys}
        self.reads = 0
        self.touched: list[datetime] = []

    def read(self, key_id: str) -> ApiKey | None:
        self.reads += 1
        return self.keys.get(key_id)

    def touch(self, key_id: str, at: datetime) -> None:
        self.touched.append(at)


def test_a_key_is_read_once_a_minute_at_most():
    new = issued()
    store = Store(new.record)
    cache = ApiKeyCache(read=store.read)

    for seconds in range(0, KEY_CACHE_SECONDS, 10):
        cache.authenticate(new.key, NOW + timedelta(seconds=seconds))
    assert store.reads == 1
    cache.authenticate(new.key, NOW + timedelta(seconds=KEY_CACHE_SECONDS))
    assert store.reads == 2


def test_a_revoked_key_stops_working_within_the_minute():
    new = issued()
    store = Store(new.record)
    cache = ApiKeyCache(read=store.read)
    cache.authenticate(new.key, NOW)

    store.keys[new.record.key_id] = replace(new.record, revoked_at=NOW + timedelta(seconds=1))

    cache.authenticate(new.key, NOW + timedelta(seconds=59))  # still trusted, as documented
    with pytest.raises(UnknownApiKey):
        cache.authenticate(new.key, NOW + timedelta(seconds=60))


def test_an_unknown_key_is_remembered_too_so_repeating_it_costs_no_read():
    cache = ApiKeyCache(read=(store := Store()).read)
    unknown = issued().key

    for _ in range(3):
        with pytest.raises(UnknownApiKey):
            cache.authenticate(unknown, NOW)
    assert store.reads == 1


def test_a_wrong_secret_for_a_known_id_is_refused():
    new = issued()
    cache = ApiKeyCache(read=Store(new.record).read)
    key_id, _ = parse_api_key(new.key)

    with pytest.raises(UnknownApiKey):
        cache.authenticate(f"usk_{key_id}_{'A' * 43}", NOW)


def test_the_last_use_is_stamped_at_most_hourly_and_a_failed_stamp_fails_nothing():
    new = issued()
    store = Store(new.record)
    cache = ApiKeyCache(read=store.read, touch=store.touch)

    cache.authenticate(new.key, NOW)
    cache.authenticate(new.key, NOW + timedelta(seconds=30))
    assert store.touched == [NOW]

    def failing(key_id: str, at: datetime) -> None:
        raise StorageUnavailable("recording an API key's use")

    failing_cache = ApiKeyCache(read=store.read, touch=failing)
    assert failing_cache.authenticate(new.key, NOW) == new.record
