from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.errors import LinkGone, LinkNotFound
from domain.links import Link, is_plausible_short_id, rfc3339
from domain.lookup import follow_link, get_link
from tests.unit.fakes import FakeLinkRepository

CREATED = datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
CLICKED = CREATED + timedelta(minutes=5)


@pytest.fixture
def repository() -> FakeLinkRepository:
    return FakeLinkRepository(
        Link("7cp2Xhz", "https://example.com/", CREATED),
        Link("expires", "https://example.com/", CREATED, expires_at=CLICKED),
        Link("deleted", "", CREATED, deleted_at=CREATED),
        Link("blocked", "https://login.evil.example./x", CREATED),
    )


def test_following_a_link_counts_one_click_and_returns_the_target(repository):
    link = follow_link("7cp2Xhz", count_click=True, repository=repository, clock=lambda: CLICKED)

    assert link.url == "https://example.com/"
    assert link.clicks == 1
    assert link.last_clicked_at == CLICKED
    assert repository.get("7cp2Xhz").clicks == 1


def test_a_visit_that_is_not_a_click_is_followed_without_counting(repository):
    link = follow_link("7cp2Xhz", count_click=False, repository=repository, clock=lambda: CLICKED)

    assert link.url == "https://example.com/"
    assert repository.get("7cp2Xhz").clicks == 0
    assert repository.writes == 0


@pytest.mark.parametrize("count_click", [True, False])
def test_a_link_is_gone_from_the_moment_it_expires(repository, count_click):
    with pytest.raises(LinkGone, match="expired"):
        follow_link(
            "expires", count_click=count_click, repository=repository, clock=lambda: CLICKED
        )

    assert repository.get("expires").clicks == 0


def test_a_link_still_redirects_just_before_it_expires(repository):
    just_before = CLICKED - timedelta(milliseconds=1)

    link = follow_link(
        "expires", count_click=True, repository=repository, clock=lambda: just_before
    )

    assert link.clicks == 1


@pytest.mark.parametrize("count_click", [True, False])
def test_a_deleted_link_is_gone_forever(repository, count_click):
    with pytest.raises(LinkGone, match="deleted"):
        follow_link("deleted", count_click=count_click, repository=repository)


def test_a_link_to_a_host_denied_after_creation_stops_redirecting(repository):
    with pytest.raises(LinkGone, match="blocked"):
        follow_link(
            "blocked",
            count_click=True,
            repository=repository,
            denied_hosts=frozenset({"evil.example"}),
        )


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://[::ffff:5db8:d822]/", id="IPv4-mapped"),
        pytest.param("http://[64:ff9b::5db8:d822]:8080/x", id="NAT64"),
        pytest.param("http://[2002:5db8:d822::1]/", id="6to4"),
    ],
)
@pytest.mark.parametrize("count_click", [True, False])
def test_a_link_to_an_ipv6_form_of_an_address_denied_after_creation_stops(url, count_click):
    # Made while 93.184.216.34 was allowed; the IPv6 literal carries that address.
    repository = FakeLinkRepository(Link("wrapped", url, CREATED))

    with pytest.raises(LinkGone, match="blocked"):
        follow_link(
            "wrapped",
            count_click=count_click,
            repository=repository,
            denied_hosts=frozenset({"93.184.216.34"}),
        )


def test_a_link_to_an_ipv6_form_of_another_address_still_redirects():
    repository = FakeLinkRepository(Link("wrapped", "http://[::ffff:5db8:d823]/", CREATED))

    link = follow_link(
        "wrapped",
        count_click=True,
        repository=repository,
        denied_hosts=frozenset({"93.184.216.34"}),
    )

    assert link.clicks == 1


def test_looking_a_link_up_counts_nothing(repository):
    link = get_link("7cp2Xhz", repository=repository)

    assert link.clicks == 0
    assert repository.get("7cp2Xhz").last_clicked_at is None


def test_an_expired_link_can_still_be_looked_up_by_its_owner(repository):
    assert get_link("expires", repository=repository).expires_at == CLICKED


def test_a_deleted_link_cannot_be_looked_up(repository):
    with pytest.raises(LinkGone):
        get_link("deleted", repository=repository)


@pytest.mark.parametrize("short_id", ["nope123", "wp-login.php", "a/b", "", "x" * 65, "ä"])
def test_unknown_or_impossible_ids_are_not_found(repository, short_id):
    with pytest.raises(LinkNotFound) as not_found:
        follow_link(short_id, count_click=True, repository=repository)

    assert not_found.value.short_id == short_id
    assert repository.writes == 0


@pytest.mark.parametrize(
    ("candidate", "plausible"),
    [("7cp2Xhz", True), ("my-alias_2", True), ("x" * 64, True), ("x" * 65, False), ("a.b", False)],
)
def test_plausible_short_ids(candidate, plausible):
    assert is_plausible_short_id(candidate) is plausible


def test_timestamps_are_written_in_utc_with_milliseconds():
    tokyo = timezone(timedelta(hours=9))
    moment = datetime(2026, 11, 22, 1, 42, 35, 123456, tzinfo=tokyo)

    assert rfc3339(moment) == "2026-11-21T16:42:35.123Z"
