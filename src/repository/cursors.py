"""Opaque page cursors: where a Query stopped, handed to the client and back.

A cursor is the last returned item's key (the table's and the index's key attributes,
all strings), as base64url JSON. The client cannot make it mean anything else: a
cursor is read back only into a key of the same partition, and whatever does not
decode to one is refused (400, naming `cursor`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from typing import Any

from domain.errors import InvalidInput

_MAX_CURSOR = 2048


def encode_cursor(item: Mapping[str, Any], attributes: Iterable[str]) -> str:
    """A cursor that resumes right after `item` (a raw DynamoDB item)."""
    key = {name: item[name]["S"] for name in attributes}
    raw = json.dumps(key, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str, attributes: Iterable[str], *, partition: tuple[str, str]
) -> dict[str, Any]:
    """The ExclusiveStartKey a cursor stands for, which must lie in `partition` (the
    attribute and value the Query reads). Raises InvalidInput("cursor", ...)."""
    names = sorted(attributes)
    try:
        if len(cursor) > _MAX_CURSOR:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput("cursor", "is not a cursor this API gave out") from exc
    if (
        not isinstance(key, dict)
        or sorted(key) != names
        or not all(isinstance(value, str) and value for value in key.values())
        or key.get(partition[0]) != partition[1]
    ):
        raise InvalidInput("cursor", "is not a cursor this API gave out")
    return {name: {"S": value} for name, value in key.items()}
