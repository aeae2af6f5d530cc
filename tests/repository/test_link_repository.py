"""What every LinkRepository does (domain/ports.py), on every backend: the unit tests'
FakeLinkRepository, and DynamoDBLinkRepository on moto and on DynamoDB Local.

Only what the domain can see is checked here: what each method returns and raises, and
what `get` reads back afterwards. How DynamoDB stores it is test_link_items.py's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.errors import LinkGone, LinkNotFound, NotAuthorized, ShortIdTaken
from domain.links import Link

CREATED = datetime(2026, 11, 21, 16, 42, 35, 123000, tzinfo=UTC)
LATER = CREATED + timedelta(hours=1)
TOKEN_HASH = "a" * 64
OTHER_HASH = "b" * 64


def managed(**fields) -> Link:
    """A link with a management token, as every link created today is."""
    defaults = {
        "url": "https://example.com/",
        "created_at": CREATED,
        "management_token_hash": TOKEN_HASH,
    }
    return Link("7cp2Xhz", **{**defaults, **fields})


# --- add and get -------------------------------------------------------------------------


def test_a_link_reads_back_as_it_was_stored(repository):
    link = Link("7cp2Xhz", "https://example.com/x?y=1#z", CREATED, expires_at=LATER)
    repository.add(link)

    assert repository.get("7cp2Xhz") == link


def test_times_read_back_in_utc_to_the_millisecond(repository):
    # Stored as RFC 3339 text (domain/links.py rfc3339): what is finer than a
    # millisecond is gone, and whatever the offset given, the time comes back in UTC.
    fine = datetime(2026, 11, 21, 17, 42, 35, 123456, tzinfo=timezone(timedelta(hours=1)))
    in_utc = datetime(2026, 11, 21, 16, 42, 35, 123000, tzinfo=UTC)
    repository.add(managed(created_at=fine, expires_at=fine + timedelta(days=1)))

    clicked = repository.record_click("7cp2Xhz", at=fine + timedelta(minutes=1))
    changed = repository.update(
        "7cp2Xhz", expected_token_hash=TOKEN_HASH, expires_at=fine + timedelta(days=2)
    )
    repository.replace_with_tombstone(
        "7cp2Xhz", expected_token_hash=TOKEN_HASH, at=fine + timedelta(minutes=2)
    )

    assert (clicked.created_at, clicked.last_clicked_at) == (in_utc, in_utc + timedelta(minutes=1))
    assert changed.expires_at == in_utc + timedelta(days=2)
    stored = repository.get("7cp2Xhz")
    assert stored.deleted_at == in_utc + timedelta(minutes=2)
    moments = [stored.created_at, stored.last_clicked_at, stored.deleted_at]
    assert {moment.utcoffset() for moment in moments} == {timedelta(0)}


def test_get_of_an_unknown_id_raises_not_found(repository):
    with pytest.raises(LinkNotFound):
        repository.get("nope123")


def test_adding_an_existing_id_raises_and_keeps_the_first_link(repository):
    first = managed()
    repository.add(first)

    with pytest.raises(ShortIdTaken):
        repository.add(
            Link("7cp2Xhz", "https://second.example/", CREATED, management_token_hash=OTHER_HASH)
        )

    assert repository.get("7cp2Xhz") == first


def test_the_same_creation_sent_again_is_no_clash(repository):
    # A retry of a write whose answer was lost: the token's hash is unique to one
    # creation, so a stored link with the same hash is this very write.
    repository.add(managed())

    repository.add(managed())

    assert repository.get("7cp2Xhz") == managed()


def test_a_link_without_a_token_is_never_mistaken_for_the_same_creation(repository):
    repository.add(Link("7cp2Xhz", "https://example.com/", CREATED))

    with pytest.raises(ShortIdTaken):
        repository.add(Link("7cp2Xhz", "https://example.com/", CREATED))


def test_a_tombstone_keeps_its_id_from_being_reused(repository):
    repository.add(managed())
    repository.replace_with_tombstone("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER)

    with pytest.raises(ShortIdTaken):
        repository.add(managed(management_token_hash=OTHER_HASH))
    with pytest.raises(ShortIdTaken):
        repository.add(managed())  # not even by the creation that made it


# --- record_click ------------------------------------------------------------------------


def test_record_click_counts_and_returns_the_updated_link(repository):
    repository.add(Link("7cp2Xhz", "https://example.com/", CREATED))
    first_click = CREATED + timedelta(seconds=1)
    second_click = CREATED + timedelta(seconds=2)

    repository.record_click("7cp2Xhz", at=first_click)
    link = repository.record_click("7cp2Xhz", at=second_click)

    assert link == Link(
        "7cp2Xhz", "https://example.com/", CREATED, clicks=2, last_clicked_at=second_click
    )
    assert repository.get("7cp2Xhz") == link


def test_record_click_on_an_unknown_id_creates_nothing(repository):
    with pytest.raises(LinkNotFound):
        repository.record_click("nope123", at=CREATED)

    with pytest.raises(LinkNotFound):
        repository.get("nope123")


def test_a_link_redirects_until_its_expiry_as_stored_to_the_millisecond(repository):
    repository.add(managed(expires_at=LATER + timedelta(microseconds=500)))

    counted = repository.record_click("7cp2Xhz", at=LATER - timedelta(milliseconds=1))

    assert counted.clicks == 1
    with pytest.raises(LinkGone, match="expired"):  # the expiry kept is LATER itself
        repository.record_click("7cp2Xhz", at=LATER + timedelta(microseconds=200))
    with pytest.raises(LinkGone, match="expired"):
        repository.record_click("7cp2Xhz", at=LATER + timedelta(seconds=1))
    assert repository.get("7cp2Xhz").clicks == 1


def test_a_deleted_link_is_gone_and_its_click_is_not_counted(repository):
    repository.add(managed())
    repository.replace_with_tombstone("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER)

    with pytest.raises(LinkGone, match="deleted"):
        repository.record_click("7cp2Xhz", at=LATER + timedelta(seconds=1))

    assert repository.get("7cp2Xhz").clicks == 0


# --- update ------------------------------------------------------------------------------


def test_update_changes_only_what_is_given(repository):
    repository.add(managed(expires_at=LATER))

    changed = repository.update(
        "7cp2Xhz", expected_token_hash=TOKEN_HASH, url="https://example.org/new"
    )

    assert changed == replace(managed(expires_at=LATER), url="https://example.org/new", changes=1)
    assert repository.get("7cp2Xhz") == changed


def test_an_update_that_changes_nothing_is_accepted_and_keeps_the_link(repository):
    # Found by schemathesis on DynamoDB Local: with no attribute name in the expression,
    # an empty ExpressionAttributeNames was sent, which DynamoDB refuses (moto did not).
    repository.add(managed(expires_at=LATER))

    assert repository.update("7cp2Xhz", expected_token_hash=TOKEN_HASH) == managed(
        expires_at=LATER, changes=1
    )


def test_update_can_remove_the_expiry(repository):
    repository.add(managed(expires_at=LATER))

    changed = repository.update("7cp2Xhz", expected_token_hash=TOKEN_HASH, remove_expiry=True)

    assert changed == managed(changes=1)
    assert repository.get("7cp2Xhz") == managed(changes=1)


def test_an_expired_link_can_be_given_a_new_expiry_by_its_owner(repository):
    repository.add(managed(expires_at=LATER))
    revived_until = LATER + timedelta(days=1)

    repository.update("7cp2Xhz", expected_token_hash=TOKEN_HASH, expires_at=revived_until)

    assert repository.record_click("7cp2Xhz", at=LATER + timedelta(hours=1)).clicks == 1


def test_update_with_another_token_is_refused_and_changes_nothing(repository):
    repository.add(managed())

    with pytest.raises(NotAuthorized):
        repository.update("7cp2Xhz", expected_token_hash=OTHER_HASH, url="https://evil.example/")

    assert repository.get("7cp2Xhz") == managed()


def test_a_link_without_a_token_can_be_changed_by_nobody(repository):
    legacy = Link("7cp2Xhz", "https://example.com/", CREATED)
    repository.add(legacy)

    with pytest.raises(NotAuthorized):
        repository.update("7cp2Xhz", expected_token_hash=TOKEN_HASH, url="https://evil.example/")
    with pytest.raises(NotAuthorized):
        repository.replace_with_tombstone("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER)

    assert repository.get("7cp2Xhz") == legacy


def test_update_of_an_unknown_id_creates_nothing(repository):
    with pytest.raises(LinkNotFound):
        repository.update("nope123", expected_token_hash=TOKEN_HASH, url="https://example.org/")

    with pytest.raises(LinkNotFound):
        repository.get("nope123")


@pytest.mark.parametrize("token_hash", [TOKEN_HASH, OTHER_HASH], ids=["own", "other"])
def test_a_deleted_link_cannot_be_changed(repository, token_hash):
    repository.add(managed())
    repository.replace_with_tombstone("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER)

    with pytest.raises(LinkGone, match="deleted"):
        repository.update("7cp2Xhz", expected_token_hash=token_hash, url="https://example.org/")


# --- replace_with_tombstone -------------------------------------------------------------


def test_a_tombstone_keeps_its_id_counts_and_dates_and_nothing_else(repository):
    repository.add(managed(expires_at=LATER + timedelta(days=1)))
    clicked = CREATED + timedelta(seconds=1)
    repository.record_click("7cp2Xhz", at=clicked)

    repository.replace_with_tombstone("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER)

    assert repository.get("7cp2Xhz") == Link(
        "7cp2Xhz", "", CREATED, clicks=1, last_clicked_at=clicked, deleted_at=LATER, changes=1
    )


def test_a_second_tombstone_at_the_same_moment_is_the_same_delete(repository):
    # A retry of a delete whose answer was lost: the owner is not told "410, deleted".
    repository.add(managed())
    repository.replace_with_tombstone("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER)

    repository.replace_with_tombstone("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER)

    assert repository.get("7cp2Xhz").deleted_at == LATER
    with pytest.raises(LinkGone, match="deleted"):
        repository.replace_with_tombstone(
            "7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER + timedelta(seconds=1)
        )


def test_a_tombstone_needs_the_links_token_and_the_link_stays_without_it(repository):
    repository.add(managed())

    with pytest.raises(NotAuthorized):
        repository.replace_with_tombstone("7cp2Xhz", expected_token_hash=OTHER_HASH, at=LATER)

    assert repository.get("7cp2Xhz") == managed()


def test_no_tombstone_for_an_unknown_id(repository):
    with pytest.raises(LinkNotFound):
        repository.replace_with_tombstone("nope123", expected_token_hash=TOKEN_HASH, at=LATER)
