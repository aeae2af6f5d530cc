"""The audit trail on DynamoDB: an entry lands only with the transaction it rides in,
never overwrites another, and lists back newest first a page at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.audit import Actor, audit_entry
from domain.errors import InvalidInput
from repository.dynamodb_audit import DynamoDBAudit, audit_put_request

pytestmark = pytest.mark.dynamodb_only

AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
ADMIN = Actor(actor_id="0123456789abcdef", name="on-call")


def test_an_entry_put_in_a_transaction_lists_back_as_it_was(client, table_name):
    entry = audit_entry(
        actor=ADMIN,
        action="link.disable",
        target="7cp2Xhz",
        at=AT,
        before={"disabledAt": None},
        after={"disabledAt": "2026-12-03T12:00:00.000Z", "reason": "phishing"},
    )

    client.transact_write_items(TransactItems=[audit_put_request(table_name, entry)])

    assert DynamoDBAudit(client, table_name).list(10).items == [entry]


def test_the_bootstrap_tool_is_an_actor_too(client, table_name):
    tool = Actor(actor_id="make admin-key", name="make admin-key")
    entry = audit_entry(actor=tool, action="key.create", target="0123456789abcdef", at=AT)
    client.transact_write_items(TransactItems=[audit_put_request(table_name, entry)])

    assert DynamoDBAudit(client, table_name).list(10).items[0].actor == tool


def test_an_entry_never_overwrites_another(client, table_name):
    entry = audit_entry(actor=ADMIN, action="host.block", target="evil.example", at=AT)
    client.transact_write_items(TransactItems=[audit_put_request(table_name, entry)])

    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=[audit_put_request(table_name, entry)])


def test_entries_list_newest_first_a_page_at_a_time(client, table_name):
    audit = DynamoDBAudit(client, table_name)
    entries = [
        audit_entry(
            actor=ADMIN, action="host.block", target=f"h{i}.example", at=AT + timedelta(seconds=i)
        )
        for i in range(5)
    ]
    for entry in entries:
        client.transact_write_items(TransactItems=[audit.put_request(entry)])

    seen, cursor = [], None
    while True:
        page = audit.list(2, cursor)
        seen += page.items
        if page.cursor is None:
            break
        cursor = page.cursor

    assert seen == entries[::-1]


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "eyJQSyI6IkxJTksjeCIsIlNLIjoiTUVUQSJ9"])
def test_a_cursor_it_did_not_give_out_is_refused_naming_cursor(client, table_name, cursor):
    # The last is a well-formed key, in another partition: DynamoDB would refuse it (500).
    with pytest.raises(InvalidInput) as refused:
        DynamoDBAudit(client, table_name).list(2, cursor)

    assert refused.value.field == "cursor"
