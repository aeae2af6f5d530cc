from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidUrl, LinkGone, LinkNotFound, NotAuthenticated, NotAuthorized
from domain.links import Link
from domain.lookup import follow_link
from domain.management import LinkChanges, change_link, delete_link
from domain.management_tokens import hash_management_token
from domain.target_rules import TargetRules
from tests.unit.fakes import FakeLinkRepository

NOW = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
TOKEN = "the-right-token"


@pytest.fixture
def repository() -> FakeLinkRepository:
    owned = Link(
        "7cp2Xhz",
        "https://old.example/",
        NOW,
        clicks=3,
        expires_at=NOW + timedelta(days=1),
        management_token_hash=hash_management_token(TOKEN),
    )
    legacy = Link("legacy1", "https://legacy.example/", NOW)  # made before tokens existed
    return FakeLinkRepository(owned, legacy)


def test_the_owner_changes_the_target_and_keeps_the_rest(repository):
    link = change_link(
        "7cp2Xhz", LinkChanges(url="https://NEW.example/x"), token=TOKEN, repository=repository
    )

    assert link.url == "https://new.example/x"
    assert link.clicks == 3
    assert link.expires_at == NOW + timedelta(days=1)
    assert repository.get("7cp2Xhz").url == "https://new.example/x"


def test_the_owner_extends_or_removes_the_expiry(repository):
    extended = change_link(
        "7cp2Xhz", LinkChanges(expires_in=60), token=TOKEN, repository=repository, clock=lambda: NOW
    )
    removed = change_link(
        "7cp2Xhz", LinkChanges(remove_expiry=True), token=TOKEN, repository=repository
    )

    assert extended.expires_at == NOW + timedelta(seconds=60)
    assert removed.expires_at is None


def test_an_expired_link_can_be_revived_by_its_owner(repository):
    later = NOW + timedelta(days=2)

    change_link(
        "7cp2Xhz",
        LinkChanges(expires_in=3600),
        token=TOKEN,
        repository=repository,
        clock=lambda: later,
    )

    assert follow_link("7cp2Xhz", count_click=True, repository=repository, clock=lambda: later)


def test_a_new_target_must_pass_the_url_policy_and_denylist(repository):
    rules = TargetRules(denied_hosts=frozenset({"evil.example"}))

    with pytest.raises(InvalidUrl):
        change_link(
            "7cp2Xhz",
            LinkChanges(url="https://evil.example/"),
            token=TOKEN,
            repository=repository,
            rules=rules,
        )

    assert repository.get("7cp2Xhz").url == "https://old.example/"


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://[::ffff:5db8:d822]/", id="IPv4-mapped"),
        pytest.param("http://[::ffff:93.184.216.34]/", id="IPv4-mapped, dotted"),
        pytest.param("http://[64:ff9b::5db8:d822]/", id="NAT64"),
    ],
)
def test_a_new_target_in_an_ipv6_form_of_a_denied_address_is_refused(repository, url):
    rules = TargetRules(denied_hosts=frozenset({"93.184.216.34"}))

    with pytest.raises(InvalidUrl, match="not allowed"):
        change_link(
            "7cp2Xhz", LinkChanges(url=url), token=TOKEN, repository=repository, rules=rules
        )

    assert repository.get("7cp2Xhz").url == "https://old.example/"
    assert repository.writes == 0


@pytest.mark.parametrize(
    ("short_id", "token", "error"),
    [
        ("7cp2Xhz", None, NotAuthenticated),
        ("7cp2Xhz", "", NotAuthenticated),
        ("7cp2Xhz", "the-wrong-token", NotAuthorized),
        ("legacy1", "anything", NotAuthorized),
        ("nope123", TOKEN, LinkNotFound),
    ],
    ids=["no-token", "empty-token", "wrong-token", "link-without-token", "unknown-link"],
)
def test_only_the_owner_may_change_or_delete(repository, short_id, token, error):
    with pytest.raises(error):
        change_link(
            short_id, LinkChanges(url="https://x.example/"), token=token, repository=repository
        )
    with pytest.raises(error):
        delete_link(short_id, token=token, repository=repository)

    assert repository.writes == 0


def test_deleting_leaves_a_tombstone_that_is_gone_forever(repository):
    delete_link("7cp2Xhz", token=TOKEN, repository=repository, clock=lambda: NOW)

    tombstone = repository.get("7cp2Xhz")
    assert tombstone.deleted_at == NOW
    assert tombstone.url == ""
    assert tombstone.management_token_hash is None
    with pytest.raises(LinkGone):
        follow_link("7cp2Xhz", count_click=True, repository=repository)
    with pytest.raises(LinkGone):
        delete_link("7cp2Xhz", token=TOKEN, repository=repository)
