"""A new API key into a links table, with the audit entry that says who made it.

The operator's bootstrap (`make admin-key`, deploy/admin_key.py) and the local stack's
own admin key (`make dev`, devserver/local_admin_key.py) make keys outside the API, with
no admin key to act as. They write what `POST /admin/keys` writes, through the functions'
own repository code: the key's record (its secret only as a hash) and a `key.create`
audit entry naming the tool as the actor, in one TransactWriteItems, so that no key can
exist without its entry in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, cast

import deploy.shipped_code  # noqa: F401  # puts src/ on sys.path for the imports below

# isort: split
from domain.api_keys import ApiKey, IssuedKey, Scope, issue_api_key
from domain.audit import Actor, audit_entry
from domain.moderation import key_snapshot
from repository.dynamodb_api_keys import DynamoDBApiKeys
from repository.dynamodb_audit import audit_put_request

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

# An operator's key: moderation, and the links of its owner.
ADMIN_SCOPES = (Scope.ADMIN, Scope.LINKS_READ, Scope.LINKS_WRITE)
CREATE_ACTION = "key.create"
# A new key's id is 64 random bits: a second try is already beyond any real chance.
_ATTEMPTS = 3


class KeyIdTaken(Exception):
    """Every id tried was taken: the random source is broken, not unlucky."""


def store_key(
    client: DynamoDBClient, table: str, record: ApiKey, *, actor: Actor, now: datetime
) -> bool:
    """Store a key's record with its `key.create` audit entry, in one transaction. False
    (and nothing written) if the table holds a key of that id already."""
    entry = audit_entry(
        actor=actor, action=CREATE_ACTION, target=record.key_id, at=now, after=key_snapshot(record)
    )
    try:
        client.transact_write_items(
            TransactItems=cast(
                "list[TransactWriteItemTypeDef]",
                [
                    DynamoDBApiKeys(client, table).put_request(record),
                    audit_put_request(table, entry),
                ],
            )
        )
    except client.exceptions.TransactionCanceledException as exc:
        reasons = exc.response.get("CancellationReasons", [])
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            return False
        raise
    return True


def store_new_key(
    client: DynamoDBClient,
    table: str,
    *,
    name: str,
    owner: str,
    scopes: tuple[Scope, ...] = ADMIN_SCOPES,
    actor: Actor,
    now: datetime,
    issue: Callable[..., IssuedKey] = issue_api_key,
) -> IssuedKey:
    """Issue a key and store it with its audit entry; the key, to be shown once.

    Raises InvalidInput (a name or owner the API would refuse), KeyIdTaken, and
    botocore's errors as they come (the callers tell the operator what they mean).
    """
    for _ in range(_ATTEMPTS):
        issued = issue(name=name, owner=owner, scopes=[scope.value for scope in scopes], now=now)
        if store_key(client, table, issued.record, actor=actor, now=now):
            return issued
    raise KeyIdTaken(f"{_ATTEMPTS} new key ids in a row were taken")
