"""`make dev`'s own admin API key: made on the first start, kept in `.local/admin-key`,
put back into the local table on every start, printed on every start.

A deployed stack's first admin key comes from `make admin-key` (deploy/admin_key.py);
locally there is no account to make it with, and nothing to protect from the person at
the keyboard, so the devserver makes one. It is kept in a file (mode 0600, under the
git-ignored .local/) so that it stays the same across restarts, while the table it must
be in may be new each time (moto forgets everything; DynamoDB Local keeps its data
only in --data-dir). A key in the file that the table says was revoked (through
`DELETE /admin/keys/{id}`), or that is not a key at all, is replaced by a new one.

The record and its `key.create` audit entry (actor "make dev") are written as the
bootstrap writes them (deploy/key_store.py).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import deploy.shipped_code  # noqa: F401  # puts src/ on sys.path for the imports below

# isort: split
from deploy.key_store import ADMIN_SCOPES, store_key, store_new_key
from domain.api_keys import (
    ApiKey,
    Scope,
    UnknownApiKey,
    hash_secret,
    parse_api_key,
    secret_matches,
)
from domain.audit import Actor
from repository.dynamodb_api_keys import DynamoDBApiKeys
from sam_template.document import REPO_ROOT

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DEFAULT_KEY_FILE = REPO_ROOT / ".local" / "admin-key"
# The template's table the functions keep links (and keys) in.
LINKS_TABLE_ID = "LinksTable"
NAME = "make dev"
OWNER = "local"
ACTOR = Actor(NAME, NAME)


def ensure_local_admin_key(
    client: DynamoDBClient, table: str, key_file: Path, now: datetime
) -> str:
    """The local admin key, its record in `table`; made (and kept in `key_file`) if need be.

    Several devservers may start at once from one checkout (the e2e tests do): the file
    is only ever created whole and at once, and whoever loses the race to create it
    uses the winner's key.
    """
    for _ in range(2):
        key = _read(key_file)
        if key is not None and _in_table(client, table, key, now):
            return key
        issued = store_new_key(client, table, name=NAME, owner=OWNER, actor=ACTOR, now=now)
        if _write(key_file, issued.key, replace=key is not None):
            return issued.key
        # Another devserver created the file first: its key, into this table too.
    raise FileExistsError(f"{key_file} keeps changing while the devserver starts")


def _in_table(client: DynamoDBClient, table: str, key: str, now: datetime) -> bool:
    """Whether `key` is a working admin key of `table`, once its record is put back if
    the table has none. False: the file's key is no key, or was revoked."""
    try:
        key_id, secret = parse_api_key(key)
    except UnknownApiKey:
        return False
    stored = DynamoDBApiKeys(client, table).get(key_id)
    if stored is None:
        record = ApiKey(
            key_id=key_id,
            name=NAME,
            owner=OWNER,
            scopes=frozenset(ADMIN_SCOPES),
            created_at=now,
            secret_hash=hash_secret(secret),
        )
        # False only if another devserver on this table just put it back: as good.
        store_key(client, table, record, actor=ACTOR, now=now)
        return True
    return secret_matches(secret, stored) and stored.allows(Scope.ADMIN)


def _read(key_file: Path) -> str | None:
    try:
        text = key_file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return ""  # unreadable: replaced, as a file with no key in it is
    if key_file.stat().st_mode & 0o077:
        key_file.chmod(0o600)  # copied in or made by hand: nobody else reads it
    return text


def _write(key_file: Path, key: str, *, replace: bool) -> bool:
    """Put `key` in the file, whole at once, readable by its owner alone. Unless
    `replace`, only if there is no file yet: False if another process made it first."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    draft = key_file.with_name(f".{key_file.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    try:
        if replace:
            draft.replace(key_file)
            return True
        try:
            os.link(draft, key_file)  # fails if the file exists, unlike a rename
        except FileExistsError:
            return False
        return True
    finally:
        draft.unlink(missing_ok=True)
