"""The moderation stores on moto and on DynamoDB Local: take-downs with their click
shards, blocked hosts, the admin listing's index Query, reports and their hourly notice.
What DynamoDB Local accepts here (reserved words, conditions, transactions) is what
DynamoDB does; moto alone would let some mistakes pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.audit import Actor
from domain.errors import LinkGone
from domain.links import Link
from domain.moderation import block_host, disable_link, enable_link, unblock_host
from domain.reports import Report, ReportReason
from repository.dynamodb_audit import DynamoDBAudit
from repository.dynamodb_blocked_hosts import DynamoDBBlockedHosts
from repository.dynamodb_links import DynamoDBLinkRepository
from repository.dynamodb_moderation import DynamoDBLinkModeration
from repository.dynamodb_reports import DynamoDBReports

pytestmark = pytest.mark.dynamodb_only

AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
ADMIN = Actor("0123456789abcdef", "on-call")


def link(short_id: str, url: str, minutes: int = 0) -> Link:
    return Link(short_id, url, AT + timedelta(minutes=minutes), management_token_hash="a" * 64)


@pytest.fixture
def links(client, table_name):
    return DynamoDBLinkRepository(client, table_name)


@pytest.fixture
def moderation(client, table_name, links):
    return DynamoDBLinkModeration(client, table_name, links)


def test_a_take_down_reaches_every_click_shard_and_is_undone(links, moderation, client, table_name):
    links.add(link("viral1", "https://example.com/"))
    assert links.spread_clicks(links.get("viral1"), 3) == 3

    disabled = disable_link("viral1", "phishing", actor=ADMIN, store=moderation, now=AT)
    refused = []
    for shard in (1, 2, 3):
        with pytest.raises(LinkGone) as gone:
            links.record_shard_click("viral1", shard, at=AT)
        refused.append(gone.value.reason)
    enable_link("viral1", actor=ADMIN, store=moderation, now=AT + timedelta(seconds=1))

    assert disabled.disabled_reason == "phishing"
    assert refused == ["disabled"] * 3
    assert links.record_click("viral1", at=AT).clicks == 1
    assert links.record_shard_click("viral1", 2, at=AT) is not None
    actions = [entry.action for entry in DynamoDBAudit(client, table_name).list(10).items]
    assert actions == ["link.enable", "link.disable"]


def test_a_spread_made_from_a_copy_read_before_the_take_down_is_refused(links, moderation):
    links.add(link("race1", "https://example.com/"))
    before = links.get("race1")

    disable_link("race1", "spam", actor=ADMIN, store=moderation, now=AT)

    assert links.spread_clicks(before, 3) == 0  # changed meanwhile: nothing made


def test_the_listing_is_newest_first_filtered_by_host_and_time(links, moderation):
    for n, url in enumerate(
        [
            "https://evil.example/",
            "https://a.evil.example/",
            "https://evil.example.org/",
            "https://ok.example/",
        ]
    ):
        links.add(link(f"list{n}", url, minutes=n))

    every = moderation.list_links(limit=10)
    on_host = moderation.list_links(limit=10, host="evil.example")
    recent = moderation.list_links(limit=10, since=AT + timedelta(minutes=2))
    first = moderation.list_links(limit=1, host="evil.example")
    rest = moderation.list_links(limit=10, host="evil.example", cursor=first.cursor)

    assert [found.short_id for found in every.items] == ["list3", "list2", "list1", "list0"]
    assert [found.short_id for found in on_host.items] == ["list1", "list0"]
    assert [found.short_id for found in recent.items] == ["list3", "list2"]
    assert [found.short_id for found in first.items + rest.items] == ["list1", "list0"]
    assert rest.cursor is None


def test_blocked_hosts_are_kept_read_in_one_query_and_removed(client, table_name):
    hosts = DynamoDBBlockedHosts(client, table_name)

    block_host("evil.example", "phishing", actor=ADMIN, store=hosts, now=AT)
    block_host("evil.example", "phishing, again", actor=ADMIN, store=hosts, now=AT)
    block_host("203.0.113.9", None, actor=ADMIN, store=hosts, now=AT)
    listed = hosts.entries()
    unblock_host("evil.example", actor=ADMIN, store=hosts, now=AT)

    assert [(h.host, h.reason) for h in listed] == [
        ("203.0.113.9", None),
        ("evil.example", "phishing, again"),
    ]
    assert hosts.hosts() == {"203.0.113.9"}


def test_a_link_notifies_once_an_hour_and_a_failed_notice_is_given_back(client, table_name):
    reports = DynamoDBReports(client, table_name)
    reports.add(Report("00000000000000aa", "link1", ReportReason.SPAM, AT, details="x"))

    assert reports.claim_notification("link1", AT)
    assert not reports.claim_notification("link1", AT + timedelta(minutes=59))
    reports.release_notification("link1", AT)
    assert reports.claim_notification("link1", AT + timedelta(minutes=59))
    assert reports.claim_notification("link1", AT + timedelta(minutes=120))
    assert [r.details for r in reports.list(10).items] == ["x"]
